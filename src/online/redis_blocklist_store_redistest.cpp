// The blocklists shared through Redis, in the three topologies: what one node blocks reaches the
// others at their sync, and a Redis that lost its data gets every node's copy back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "online/blocklist.h"
#include "online/redis_blocklist_store.h"
#include "online/redis_test_deployment.h"
#include "testing/eventually.h"

namespace parley {
namespace {

using testing::RedisTestDeployment;
using testing::TestTopology;

constexpr int64_t kNow = 1'700'000'000'000;

class RedisBlocklistTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  void SetUp() override { ASSERT_TRUE(deployment_.ok()); }

  std::vector<std::string> ids(std::initializer_list<const char*> list) {
    return {list.begin(), list.end()};
  }

  RedisTestDeployment deployment_{GetParam()};
  RedisBlocklistStore store1_{deployment_.redis(), "n1"};
  RedisBlocklistStore store2_{deployment_.redis(), "n2"};
  Blocklist node1_{store1_};
  Blocklist node2_{store2_};
};

TEST_P(RedisBlocklistTest, WhatOneNodeBlocksAndUnblocksReachesTheOtherAtItsSync) {
  ASSERT_TRUE(node1_.block(BlockTarget::kIp, ids({"192.0.2.1", "2001:db8::1"}), kNow + 60'000));
  ASSERT_TRUE(node1_.block(BlockTarget::kUser, ids({"7"}), kNow + 30'000));
  std::vector<std::string> seen;
  node2_.onBlocked([&](BlockTarget target, const std::string& id) {
    seen.push_back(std::string(blockTargetName(target)) + ":" + id);
  });
  ASSERT_TRUE(node2_.sync(kNow).ok());
  EXPECT_EQ(node2_.blockedUntil(BlockTarget::kIp, "2001:db8::1", kNow), kNow + 60'000);
  EXPECT_TRUE(node2_.isUserBlocked(7, kNow));
  EXPECT_EQ(seen.size(), 3u);

  ASSERT_TRUE(node1_.unblock(BlockTarget::kIp, ids({"192.0.2.1"})));
  ASSERT_TRUE(node2_.sync(kNow).ok());
  EXPECT_FALSE(node2_.blockedUntil(BlockTarget::kIp, "192.0.2.1", kNow));
  EXPECT_TRUE(node2_.blockedUntil(BlockTarget::kIp, "2001:db8::1", kNow));

  ASSERT_TRUE(node1_.unblockAll(BlockTarget::kIp));
  ASSERT_TRUE(node2_.sync(kNow).ok());
  EXPECT_EQ(node2_.size(BlockTarget::kIp), 0u);
  EXPECT_EQ(node2_.size(BlockTarget::kUser), 1u);
}

TEST_P(RedisBlocklistTest, ABlockNeverShortensAndExpiredOnesLeaveRedis) {
  ASSERT_TRUE(node1_.block(BlockTarget::kUser, ids({"7"}), kNow + 60'000));
  ASSERT_TRUE(node2_.block(BlockTarget::kUser, ids({"7"}), kNow + 10'000));
  ASSERT_TRUE(node2_.block(BlockTarget::kUser, ids({"8"}), kNow + 10'000));
  auto stored = store1_.read(kNow + 20'000);
  ASSERT_TRUE(stored.ok()) << stored.status().reason;
  EXPECT_EQ(stored->entries[1], (std::vector<BlockedClient>{{"7", kNow + 60'000}}));
}

TEST_P(RedisBlocklistTest, AfterADataLossEachNodeWritesItsCopyBack) {
  ASSERT_TRUE(node1_.sync(kNow).ok());  // the first read marks nothing yet: an empty copy
  ASSERT_TRUE(node2_.sync(kNow).ok());
  ASSERT_TRUE(node1_.block(BlockTarget::kUser, ids({"7"}), kNow + 60'000));
  ASSERT_TRUE(node2_.block(BlockTarget::kIp, ids({"192.0.2.5"}), kNow + 60'000));
  ASSERT_TRUE(node1_.sync(kNow).ok());
  ASSERT_TRUE(node2_.sync(kNow).ok());

  deployment_.flushAll();
  // The loss is seen by each node from its own mark: both write back, and each then reads
  // both blocks.
  ASSERT_TRUE(node2_.sync(kNow).ok());
  ASSERT_TRUE(node1_.sync(kNow).ok());
  auto stored = store1_.read(kNow);
  ASSERT_TRUE(stored.ok()) << stored.status().reason;
  EXPECT_EQ(stored->entries[0], (std::vector<BlockedClient>{{"192.0.2.5", kNow + 60'000}}));
  EXPECT_EQ(stored->entries[1], (std::vector<BlockedClient>{{"7", kNow + 60'000}}));
  EXPECT_TRUE(node1_.isUserBlocked(7, kNow));
  EXPECT_TRUE(node1_.blockedUntil(BlockTarget::kIp, "192.0.2.5", kNow));

  // A restart without persistence is the same loss. The first call on a connection to a
  // restarted server may fail while the client reconnects; the sync job simply runs again.
  deployment_.restartAll();
  ASSERT_TRUE(testing::eventually([&] { return node1_.sync(kNow).ok(); }));
  ASSERT_TRUE(testing::eventually([&] { return node2_.sync(kNow).ok(); }));
  EXPECT_TRUE(node2_.isUserBlocked(7, kNow));
  EXPECT_TRUE(node2_.blockedUntil(BlockTarget::kIp, "192.0.2.5", kNow));
}

INSTANTIATE_TEST_SUITE_P(Redis, RedisBlocklistTest, ::testing::ValuesIn(testing::testTopologies()),
                         testing::topologyName);

}  // namespace
}  // namespace parley
