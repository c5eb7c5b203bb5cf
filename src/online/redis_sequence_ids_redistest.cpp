// RedisSequenceIds against real redis-server processes (ctest label `redis`), with durable leases
// in a real SQLite store, several "nodes" (instances) sharing both: ids never repeat or go
// backwards, also when Redis loses a counter or comes back with an older copy of it.
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

  static int64_t nextOk(RedisSequenceIds& ids, const ConversationKey& key) {
    auto value = ids.next(key);
    EXPECT_TRUE(value.ok()) << value.status().reason;
    return value.ok() ? *value : -1;
  }
  int64_t nextOk(const ConversationKey& key) { return nextOk(*ids_, key); }

  // Another node: its own RedisSequenceIds over the same Redis and the same durable store.
  std::unique_ptr<RedisSequenceIds> anotherNode(RedisSequenceIdsOptions options = {}) {
    return std::make_unique<RedisSequenceIds>(env_.redis(), store_->sequenceLeases(), options);
  }

  // A stored message of the conversation with that sequence id.
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

  Result<redis::RespValue> onCounter(const ConversationKey& key, std::vector<std::string> args) {
    const std::string name = redis_keys::sequence(key);
    args.insert(args.begin() + 1, name);
    return env_.redis().commandSync(name, std::move(args));
  }

  RedisTestDeployment env_{GetParam()};
  parley::testing::TempDir dir_{"parley-seq"};
  std::unique_ptr<Store> store_ = openSqliteStore(dir_.file("data"));
  std::unique_ptr<RedisSequenceIds> ids_ = anotherNode();
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

TEST_P(RedisSequenceIdsTest, LeasesFollowEachOtherWithoutGaps) {
  auto ids = anotherNode({.lease_size = 3});
  const ConversationKey key = ConversationKey::groupOf(1);
  for (int64_t expected = 1; expected <= 10; ++expected) EXPECT_EQ(nextOk(*ids, key), expected);
  EXPECT_EQ(ids->stats().leases, 4u);  // (0,3], (3,6], (6,9], (9,12]
  EXPECT_EQ(ids->stats().stale_counters, 0u);
  // Another process uses the counter after one check of its lease.
  auto other = anotherNode({.lease_size = 3});
  EXPECT_EQ(nextOk(*other, key), 11);
  EXPECT_EQ(nextOk(*other, key), 12);
  EXPECT_EQ(other->stats().bound_checks, 1u);
}

// Messages stored before leases existed (an upgrade, an import) bound the first lease.
TEST_P(RedisSequenceIdsTest, AConversationWithStoredMessagesContinuesAfterThem) {
  const ConversationKey key = ConversationKey::privateOf(10, 20);
  storeMessage(key, 40);
  storeMessage(key, 41);
  EXPECT_EQ(nextOk(key), 42);
  EXPECT_EQ(nextOk(key), 43);
}

// Node B hands out the first ids of a conversation that has no stored message yet; the messages
// are still being stored when Redis loses everything. Node A's next id must be above them.
TEST_P(RedisSequenceIdsTest, AFlushOfAConversationWithNoStoredMessageRepeatsNoId) {
  auto b = anotherNode();
  const ConversationKey key = ConversationKey::privateOf(1, 2);
  for (int64_t expected = 1; expected <= 3; ++expected) EXPECT_EQ(nextOk(*b, key), expected);

  env_.flushAll();
  const int64_t after = nextOk(key);
  EXPECT_GT(after, 3) << "an id handed out before the flush was handed out again";
  EXPECT_GT(nextOk(*b, key), after);
  EXPECT_EQ(ids_->stats().leases, 1u);
}

// Node B hands out ids 1..10 (messages in flight). Redis restarts from an older copy in which the
// counter is at 5 (AOF everysec lost its last second; a lagging replica was promoted): the
// counter is still above anything node A knows, and INCR alone would answer 6.
TEST_P(RedisSequenceIdsTest, ACounterRolledBackBelowAnotherNodesInFlightIdsRepeatsNoId) {
  auto b = anotherNode();
  const ConversationKey key = ConversationKey::groupOf(3);
  for (int i = 0; i < 5; ++i) nextOk(*b, key);
  auto copy = onCounter(key, {"DUMP"});
  ASSERT_TRUE(copy.ok() && copy->type == redis::RespType::kBulkString);
  for (int i = 0; i < 5; ++i) nextOk(*b, key);  // 6..10

  env_.restartAll();
  ASSERT_TRUE(testing::eventually([&] {
    auto restored = onCounter(key, {"RESTORE", "0", copy->str, "REPLACE"});
    return restored.ok() && !restored->isError();
  }));
  const int64_t after = nextOk(key);
  EXPECT_GT(after, 10) << "an id node B handed out was handed out again";
  EXPECT_GT(nextOk(*b, key), after);
  EXPECT_EQ(ids_->stats().stale_counters, 1u);
}

// A counter that names another server process than the one holding it now (data copied between
// servers, a replica promoted) is not trusted, whatever its value.
TEST_P(RedisSequenceIdsTest, ACounterWrittenByAnotherProcessIsNotTrusted) {
  const ConversationKey key = ConversationKey::groupOf(4);
  for (int i = 0; i < 5; ++i) nextOk(key);
  ASSERT_TRUE(onCounter(key, {"HSET", "srv", "another-process"}).ok());
  ASSERT_TRUE(onCounter(key, {"HSET", "v", "1"}).ok());
  EXPECT_GT(nextOk(key), 5);
}

// Standalone shards changed and changed back (A → B → A): the counter on the first layout's shard
// is still in the same server process, hence trusted, but while it sat unused the conversation
// took leases on the other layout's shard and handed out ids above it. The nodes restarted with
// each change: a process checks a counter's lease against the durable bound before using it.
TEST_P(RedisSequenceIdsTest, ACounterLeftBehindByAShardLayoutChangeIsNotUsed) {
  const ConversationKey key = ConversationKey::privateOf(5, 6);
  for (int i = 0; i < 5; ++i) nextOk(key);  // lease (0, 100], at 5
  // Under the other layout: leases taken there, ids up to 150 handed out.
  ASSERT_TRUE(store_->sequenceLeases().extend(key, 100).ok());
  ASSERT_TRUE(store_->sequenceLeases().extend(key, 100).ok());  // bound 300
  // Back to the first layout, the nodes restarted: a new process.
  auto restarted = anotherNode();
  EXPECT_GT(nextOk(*restarted, key), 300);
  EXPECT_EQ(restarted->stats().bound_checks, 1u);
  // The process that used the counter before the change checked it already, and it was right:
  // its leases were the last ones when it checked. (Layout changes restart every node.)
}

// A counter of an earlier Parley (a plain string) is a lower bound, then leased as any other.
TEST_P(RedisSequenceIdsTest, ACounterOfAnEarlierVersionIsConverted) {
  const ConversationKey key = ConversationKey::groupOf(6);
  ASSERT_TRUE(onCounter(key, {"SET", "77"}).ok());
  EXPECT_EQ(nextOk(key), 78);
  EXPECT_EQ(nextOk(key), 79);
}

TEST_P(RedisSequenceIdsTest, ConcurrentCallersOnTwoNodesGetUniqueIdsWithoutGaps) {
  auto b = anotherNode({.lease_size = 7});
  auto a = anotherNode({.lease_size = 7});
  const ConversationKey key = ConversationKey::groupOf(99);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::mutex mutex;
  std::set<int64_t> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RedisSequenceIds& ids = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < kPerThread; ++i) {
        auto value = ids.next(key);
        std::lock_guard lock(mutex);
        ASSERT_TRUE(value.ok()) << value.status().reason;
        EXPECT_TRUE(seen.insert(*value).second) << *value;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  // One leaser at a time, each lease right after the last: nothing skipped.
  EXPECT_EQ(*seen.rbegin(), kThreads * kPerThread);
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
