// RedisSequenceIds against real redis-server processes (ctest label `redis`), seeded from a real
// SQLite message store: ids never repeat or go backwards, also when Redis loses or rolls back a
// counter.
#include "online/redis_sequence_ids.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "online/redis_keys.h"
#include "online/redis_test_deployment.h"
#include "store/store.h"
#include "testing/eventually.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

using testing::RedisTestDeployment;
using testing::TestTopology;

class RedisSequenceIdsTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.ok()); }

  int64_t nextOk(const ConversationKey& key) {
    auto value = ids_->next(key);
    EXPECT_TRUE(value.ok()) << value.status().reason;
    return value.ok() ? *value : -1;
  }

  // A stored message of the conversation with that sequence id (the durable floor).
  void storeMessage(const ConversationKey& key, int64_t sequence_id) {
    MessageRecord message;
    message.id = ++message_id_;
    message.is_group_message = key.is_group;
    message.sender_id = key.is_group ? 1 : key.a;
    message.target_id = key.is_group ? key.a : key.b;
    message.delivery_date = 1'700'000'000'000 + message_id_;
    message.text = "m";
    message.sequence_id = sequence_id;
    ASSERT_TRUE(store_->messages().insert(message).ok());
  }

  void setCounter(const ConversationKey& key, int64_t value) {
    const std::string name = redis_keys::sequence(key);
    auto reply = env_.redis().commandSync(name, {"SET", name, std::to_string(value)});
    ASSERT_TRUE(reply.ok() && !reply->isError());
  }

  RedisTestDeployment env_{GetParam()};
  parley::testing::TempDir dir_{"parley-seq"};
  std::unique_ptr<Store> store_ = openSqliteStore(dir_.file("data"));
  std::unique_ptr<RedisSequenceIds> ids_ =
      std::make_unique<RedisSequenceIds>(env_.redis(), store_->messages());
  int64_t message_id_ = 0;
};

TEST_P(RedisSequenceIdsTest, CountsPerConversationAndPrivatePairsInEitherOrder) {
  const ConversationKey group = ConversationKey::groupOf(7);
  const ConversationKey other_group = ConversationKey::groupOf(8);
  EXPECT_EQ(nextOk(group), 1);
  EXPECT_EQ(nextOk(group), 2);
  EXPECT_EQ(nextOk(other_group), 1);
  EXPECT_EQ(nextOk(group), 3);

  EXPECT_EQ(nextOk(ConversationKey::privateOf(5, 3)), 1);
  EXPECT_EQ(nextOk(ConversationKey::privateOf(3, 5)), 2);
  EXPECT_EQ(nextOk(ConversationKey::privateOf(3, 6)), 1);
  // A group and a private conversation with the same numbers are different counters.
  EXPECT_EQ(nextOk(ConversationKey::privateOf(7, 0)), 1);
}

TEST_P(RedisSequenceIdsTest, SeedsFromStoredMessagesWithAGapWhenTheCounterIsMissing) {
  const ConversationKey key = ConversationKey::privateOf(10, 20);
  storeMessage(key, 40);
  storeMessage(key, 41);
  // Ids up to 41 are stored; more may be in flight: the counter restarts past the gap.
  EXPECT_EQ(nextOk(key), 41 + RedisSequenceIdsOptions{}.reseed_gap + 1);
  EXPECT_EQ(nextOk(key), 41 + RedisSequenceIdsOptions{}.reseed_gap + 2);
}

TEST_P(RedisSequenceIdsTest, AFlushNeverMakesIdsGoBack) {
  const ConversationKey key = ConversationKey::groupOf(1);
  int64_t last = 0;
  for (int i = 0; i < 5; ++i) last = nextOk(key);
  EXPECT_EQ(last, 5);
  storeMessage(key, 3);

  env_.flushAll();
  const int64_t after_flush = nextOk(key);
  EXPECT_GT(after_flush, last);
  EXPECT_GT(nextOk(key), after_flush);

  // Another node's instance never saw this conversation: it seeds from the store, with the gap.
  env_.flushAll();
  RedisSequenceIds other(env_.redis(), store_->messages());
  auto fresh = other.next(key);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, 3 + RedisSequenceIdsOptions{}.reseed_gap + 1);
}

TEST_P(RedisSequenceIdsTest, ARolledBackCounterAfterAReconnectIsCaughtUp) {
  const ConversationKey key = ConversationKey::privateOf(1, 2);
  int64_t last = 0;
  for (int i = 0; i < 5; ++i) last = nextOk(key);
  const uint64_t generation = env_.redis().connectGeneration();

  env_.restartAll();
  // Redis came back with an older value (as from an old snapshot).
  ASSERT_TRUE(testing::eventually([&] {
    const std::string name = redis_keys::sequence(key);
    auto reply = env_.redis().commandSync(name, {"SET", name, "2"});
    return reply.ok() && !reply->isError();
  }));
  EXPECT_GT(env_.redis().connectGeneration(), generation);
  const int64_t after = nextOk(key);
  EXPECT_GT(after, last);
  EXPECT_GT(nextOk(key), after);
}

TEST_P(RedisSequenceIdsTest, ARolledBackCounterIsCaughtUpEvenWithoutAReconnect) {
  const ConversationKey key = ConversationKey::groupOf(3);
  for (int i = 0; i < 5; ++i) nextOk(key);
  setCounter(key, 1);
  EXPECT_EQ(nextOk(key), 6);
}

TEST_P(RedisSequenceIdsTest, ConcurrentCallersGetUniqueIds) {
  const ConversationKey key = ConversationKey::groupOf(99);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::mutex mutex;
  std::set<int64_t> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto value = ids_->next(key);
        std::lock_guard lock(mutex);
        ASSERT_TRUE(value.ok()) << value.status().reason;
        EXPECT_TRUE(seen.insert(*value).second) << *value;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*seen.rbegin(), kThreads * kPerThread);  // nothing lost: no gaps either
}

TEST_P(RedisSequenceIdsTest, SmallCacheStillNeverRepeats) {
  RedisSequenceIds ids(env_.redis(), store_->messages(),
                       {.reseed_gap = 100, .verified_cache_entries = 2});
  std::vector<int64_t> last(5, 0);
  for (int round = 0; round < 4; ++round) {
    for (int64_t group = 0; group < 5; ++group) {
      auto value = ids.next(ConversationKey::groupOf(group));
      ASSERT_TRUE(value.ok());
      EXPECT_GT(*value, last[group]);
      last[group] = *value;
    }
  }
}

TEST_P(RedisSequenceIdsTest, FailsFastWhileRedisIsDownAndWorksAfterwards) {
  const ConversationKey key = ConversationKey::groupOf(5);
  EXPECT_EQ(nextOk(key), 1);
  env_.stopAll();
  auto failed = ids_->next(key);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kServerUnavailable);

  env_.startAll();
  Result<int64_t> value = error(StatusCode::kServerUnavailable);
  ASSERT_TRUE(testing::eventually([&] {
    value = ids_->next(key);
    return value.ok();
  }));
  EXPECT_GT(*value, 1);
}

INSTANTIATE_TEST_SUITE_P(Topologies, RedisSequenceIdsTest,
                         ::testing::ValuesIn(testing::testTopologies()), testing::topologyName);

}  // namespace
}  // namespace parley
