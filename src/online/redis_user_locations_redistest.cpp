// RedisUserLocations against real redis-server processes in the three topologies: the
// UserLocations contract, then what only Redis has: several nodes sharing the index, buckets on
// every shard, and writing entries back after Redis lost them.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "online/redis_keys.h"
#include "online/redis_test_deployment.h"
#include "online/redis_user_locations.h"
#include "online/user_locations_contract_test.h"
#include "redis/redis_deployment.h"
#include "testing/eventually.h"

namespace parley {
namespace {

using contract::kAlexanderplatz;
using contract::kGate;
using contract::kReichstag;
using contract::session;
using contract::userIds;
using contract::UserLocationsContractParam;
using contract::UserLocationsContractTest;
using testing::RedisTestDeployment;
using testing::TestTopology;

class RedisLocationsEnv final : public contract::UserLocationsTestEnv {
 public:
  explicit RedisLocationsEnv(TestTopology topology) : deployment_(topology) {}

  std::unique_ptr<UserLocations> makeLocations(const std::string& node_id,
                                               bool per_device) override {
    return makeRedisLocations(node_id, per_device);
  }

  std::unique_ptr<RedisUserLocations> makeRedisLocations(const std::string& node_id,
                                                         bool per_device = false) {
    if (!deployment_.ok()) return nullptr;
    return std::make_unique<RedisUserLocations>(deployment_.redis(),
                                                RedisUserLocationsOptions{node_id, per_device});
  }

  RedisTestDeployment& deployment() { return deployment_; }

 private:
  RedisTestDeployment deployment_;
};

std::vector<UserLocationsContractParam> redisContractParams() {
  std::vector<UserLocationsContractParam> params;
  for (const TestTopology topology : testing::testTopologies()) {
    params.push_back({testing::topologyName({topology, params.size()}),
                      [topology] { return std::make_unique<RedisLocationsEnv>(topology); }});
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(Redis, UserLocationsContractTest,
                         ::testing::ValuesIn(redisContractParams()),
                         contract::userLocationsContractName);

class RedisUserLocationsTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.deployment().ok());
    n1_ = env_.makeRedisLocations("n1");
    n2_ = env_.makeRedisLocations("n2");
  }

  void put(UserLocations& locations, const LocationSession& who, GeoPosition where) {
    auto stored = locations.upsert(who, where);
    ASSERT_TRUE(stored.ok()) << stored.status().reason;
  }

  std::vector<int64_t> near(GeoPosition center, double radius = 10'000, int count = 100) {
    auto found = n1_->search(center, radius, count);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? userIds(*found) : std::vector<int64_t>{};
  }

  // Users 1..n around the gate, about 10 m apart going north: found in id order.
  void putUsersNorthOfTheGate(UserLocations& locations, int64_t first, int64_t last) {
    for (int64_t user = first; user <= last; ++user) {
      put(locations, session(user), {kGate.longitude, kGate.latitude + 0.0001 * user});
    }
  }

  static std::vector<int64_t> range(int64_t first, int64_t last) {
    std::vector<int64_t> ids;
    for (int64_t id = first; id <= last; ++id) ids.push_back(id);
    return ids;
  }

  // Whether a search around the gate soon finds exactly these users: after a restart, servers
  // a refresh did not need may still be reconnecting when it returns.
  bool eventuallyNear(const std::vector<int64_t>& expected) {
    return testing::eventually([&] {
      auto found = n1_->search(kGate, 10'000, 100);
      return found.ok() && userIds(*found) == expected;
    });
  }

  // Entries written back by refreshes until one fails nowhere: the first ones after a restart
  // may find the connections still coming back.
  static size_t refreshUntilItSucceeds(RedisUserLocations& locations) {
    size_t rewritten = 0;
    EXPECT_TRUE(testing::eventually([&] {
      const LocationRefreshReport report = locations.refresh();
      rewritten += report.rewritten;
      return report.failed_buckets == 0;
    }));
    return rewritten;
  }

  redis::RedisDeployment& redis() { return env_.deployment().redis(); }

  RedisLocationsEnv env_{GetParam()};
  std::unique_ptr<RedisUserLocations> n1_;
  std::unique_ptr<RedisUserLocations> n2_;
};

TEST_P(RedisUserLocationsTest, EntriesOfSeveralNodesAreSharedAndOwnedByTheirWriter) {
  put(*n1_, session(1), kGate);
  put(*n2_, session(2), kReichstag);
  EXPECT_EQ(near(kGate), (std::vector<int64_t>{1, 2}));
  auto from_n2 = n2_->search(kGate, 10'000, 10);
  ASSERT_TRUE(from_n2.ok());
  EXPECT_EQ(userIds(*from_n2), (std::vector<int64_t>{1, 2}));
  // Same user, device and login date, but n2 did not write it: nothing to remove there.
  ASSERT_TRUE(n2_->remove(session(1)).ok());
  EXPECT_EQ(near(kGate), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(n1_->localEntryCount(), 1u);
  ASSERT_TRUE(n1_->remove(session(1)).ok());
  EXPECT_EQ(n1_->localEntryCount(), 0u);
  EXPECT_EQ(near(kGate), (std::vector<int64_t>{2}));
}

TEST_P(RedisUserLocationsTest, UsersOfEveryBucketAreFoundAndTheNearestWinAcrossThem) {
  putUsersNorthOfTheGate(*n1_, 1, 60);
  // Sixty users land in every bucket (one per shard, or sixteen on a cluster).
  std::set<std::string> keys_used;
  for (const redis::ServerReply& server : redis().commandOnEveryServerSync({"KEYS", "im:loc:*"})) {
    ASSERT_TRUE(server.reply.ok());
    for (const auto& key : server.reply->elements) keys_used.insert(key.str);
  }
  const size_t expected_buckets = GetParam() == TestTopology::kSingle    ? 1
                                  : GetParam() == TestTopology::kSharded ? 3
                                                                         : 16;
  EXPECT_EQ(keys_used.size(), expected_buckets);
  EXPECT_EQ(near(kGate, 10'000, 100), range(1, 60));
  // The count applies to all buckets together: the nearest 7, whichever buckets they are in.
  EXPECT_EQ(near(kGate, 10'000, 7), range(1, 7));
}

TEST_P(RedisUserLocationsTest, ARefreshWritesBackWhatAFlushLost) {
  putUsersNorthOfTheGate(*n1_, 1, 30);
  putUsersNorthOfTheGate(*n2_, 31, 40);
  EXPECT_EQ(n1_->refresh().rewritten, 30u);  // the first refresh marks the buckets
  EXPECT_EQ(n2_->refresh().rewritten, 10u);
  EXPECT_EQ(n1_->refresh().rewritten, 0u);  // nothing lost since
  env_.deployment().flushAll();
  EXPECT_TRUE(near(kGate).empty());
  const LocationRefreshReport report = n1_->refresh();
  EXPECT_EQ(report.failed_buckets, 0u) << report.first_error;
  EXPECT_EQ(report.rewritten, 30u);
  EXPECT_EQ(near(kGate), range(1, 30));
  EXPECT_EQ(n2_->refresh().rewritten, 10u);  // every node writes its own back
  EXPECT_EQ(near(kGate), range(1, 40));
  // Still owned: a logout after the write-back removes the entry.
  ASSERT_TRUE(n1_->remove(session(5)).ok());
  EXPECT_EQ(near(kGate, 10'000, 3), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(near(kGate).size(), 39u);
}

TEST_P(RedisUserLocationsTest, ARefreshWritesBackAfterARestartWithoutPersistence) {
  putUsersNorthOfTheGate(*n1_, 1, 12);
  n1_->refresh();
  env_.deployment().restartAll();
  EXPECT_EQ(refreshUntilItSucceeds(*n1_), 12u);
  EXPECT_TRUE(eventuallyNear(range(1, 12)));
}

TEST_P(RedisUserLocationsTest, AnOlderCopyOfABucketIsWrittenOverWithTheLatestPositions) {
  put(*n1_, session(1), kAlexanderplatz);
  n1_->refresh();
  put(*n1_, session(1), kReichstag);
  // What Redis would hold had it come back from a copy taken before the move, from another
  // server process: the old position, and a mark naming a process that is not the current one.
  for (int32_t bucket = 0; bucket < RedisUserLocations::kClusterBuckets; ++bucket) {
    const std::string key = redis_keys::locationMarks(bucket);
    auto exists = redis().commandSync(key, {"EXISTS", key});
    ASSERT_TRUE(exists.ok());
    if (exists->integer == 1) {
      ASSERT_TRUE(redis().commandSync(key, {"HSET", key, "n1", "another-process"}).ok());
      const std::string set = redis_keys::locations(bucket);
      ASSERT_TRUE(redis()
                      .commandSync(set, {"GEOADD", set, std::to_string(kAlexanderplatz.longitude),
                                         std::to_string(kAlexanderplatz.latitude), "1"})
                      .ok());
    }
  }
  auto before = n1_->search(kGate, 10'000, 10);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_GT(before->at(0).distance_meters, 2000);  // the rolled-back position
  EXPECT_EQ(n1_->refresh().rewritten, 1u);
  auto after = n1_->search(kGate, 10'000, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_LT(after->at(0).distance_meters, 500);
}

TEST_P(RedisUserLocationsTest, AWriteBackKeepsWhatALaterLoginOfTheUserWrote) {
  put(*n1_, session(1, 0, 1000), kAlexanderplatz);
  put(*n2_, session(1, 3, 2000), kReichstag);  // the user's phone on n2, logged in later
  env_.deployment().flushAll();
  EXPECT_EQ(n2_->refresh().rewritten, 1u);
  EXPECT_EQ(n1_->refresh().rewritten, 0u);  // n1's older session does not take it back
  EXPECT_EQ(n1_->localEntryCount(), 0u);
  auto found = n1_->search(kGate, 10'000, 10);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_LT(found->at(0).distance_meters, 500);
  env_.deployment().flushAll();
  n1_->refresh();
  EXPECT_TRUE(near(kGate).empty());  // n1 no longer writes it
}

TEST_P(RedisUserLocationsTest, WritesAndRemovalsThatFailWhileRedisIsDownAreDoneLater) {
  put(*n1_, session(1), kGate);
  put(*n1_, session(2), kReichstag);
  n1_->refresh();
  env_.deployment().stopAll();
  auto stored = n1_->upsert(session(3), kAlexanderplatz);
  EXPECT_FALSE(stored.ok());
  EXPECT_EQ(stored.status().code, StatusCode::kServerUnavailable);
  EXPECT_FALSE(n1_->remove(session(2)).ok());
  EXPECT_FALSE(n1_->search(kGate, 10'000, 10).ok());
  EXPECT_GT(n1_->refresh().failed_buckets, 0u);
  env_.deployment().startAll();  // empty: nothing was persisted
  EXPECT_EQ(refreshUntilItSucceeds(*n1_), 2u);
  EXPECT_TRUE(eventuallyNear({1, 3}));  // 2 logged out meanwhile
}

INSTANTIATE_TEST_SUITE_P(Topologies, RedisUserLocationsTest,
                         ::testing::ValuesIn(testing::testTopologies()), testing::topologyName);

}  // namespace
}  // namespace parley
