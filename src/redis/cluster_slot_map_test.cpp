#include "redis/cluster_slot_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "online/redis_keys.h"
#include "redis/key_slot.h"

namespace parley {
namespace {

RedisNodeAddress addr(std::string host, uint16_t port) { return {std::move(host), port}; }

// The CLUSTER SLOTS reply of a real three-master cluster (redis-cli --cluster create) after
// replicas were added: 30001..30003 primaries, 30004..30006 replicas.
std::vector<ClusterSlotsEntry> threeMasters() {
  return {
      {0, 5460, {"127.0.0.1", 30001}, {{"127.0.0.1", 30004}}},
      {5461, 10922, {"127.0.0.1", 30002}, {{"127.0.0.1", 30005}}},
      {10923, 16383, {"127.0.0.1", 30003}, {{"127.0.0.1", 30006}}},
  };
}

TEST(ClusterSlotMap, EmptyMapHasNoOwners) {
  const ClusterSlotMap map;
  EXPECT_EQ(map.primaryOf(0), nullptr);
  EXPECT_EQ(map.primaryOf(16383), nullptr);
  EXPECT_TRUE(map.replicasOf(0).empty());
  EXPECT_EQ(map.unassignedSlotCount(), kClusterSlotCount);
  EXPECT_FALSE(map.coversAllSlots());
  EXPECT_TRUE(map.primaries().empty());
}

TEST(ClusterSlotMap, LooksUpBySlotAndKey) {
  const auto reply = threeMasters();
  auto map = ClusterSlotMap::fromClusterSlots(reply, "seed.example");
  ASSERT_TRUE(map.ok()) << map.status().reason;
  EXPECT_TRUE(map->coversAllSlots());

  ASSERT_NE(map->primaryOf(0), nullptr);
  EXPECT_EQ(*map->primaryOf(0), addr("127.0.0.1", 30001));
  EXPECT_EQ(*map->primaryOf(5460), addr("127.0.0.1", 30001));
  EXPECT_EQ(*map->primaryOf(5461), addr("127.0.0.1", 30002));
  EXPECT_EQ(*map->primaryOf(10922), addr("127.0.0.1", 30002));
  EXPECT_EQ(*map->primaryOf(10923), addr("127.0.0.1", 30003));
  EXPECT_EQ(*map->primaryOf(16383), addr("127.0.0.1", 30003));
  EXPECT_EQ(map->primaryOf(16384), nullptr);
  EXPECT_EQ(map->primaryOf(65535), nullptr);

  ASSERT_EQ(map->replicasOf(6000).size(), 1u);
  EXPECT_EQ(map->replicasOf(6000)[0], addr("127.0.0.1", 30005));

  // That cluster answered `set 'im:seq:{u:42}'` with MOVED 8980 127.0.0.1:30002.
  ASSERT_NE(map->primaryOfKey("im:seq:{u:42}"), nullptr);
  EXPECT_EQ(*map->primaryOfKey("im:seq:{u:42}"), addr("127.0.0.1", 30002));
  EXPECT_EQ(*map->primaryOfKey(redis_keys::session(42)), addr("127.0.0.1", 30002));

  const std::vector<RedisNodeAddress> expected{addr("127.0.0.1", 30001), addr("127.0.0.1", 30002),
                                               addr("127.0.0.1", 30003)};
  EXPECT_EQ(map->primaries(), expected);
}

TEST(ClusterSlotMap, OnePrimaryWithSeveralRangesIsOneNode) {
  const std::vector<ClusterSlotsEntry> reply{
      {0, 99, {"10.0.0.1", 7000}, {}},
      {100, 199, {"10.0.0.2", 7000}, {}},
      {200, 16383, {"10.0.0.1", 7000}, {}},
  };
  auto map = ClusterSlotMap::fromClusterSlots(reply, "seed");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->primaries().size(), 2u);
  EXPECT_EQ(*map->primaryOf(150), addr("10.0.0.2", 7000));
  EXPECT_EQ(*map->primaryOf(300), addr("10.0.0.1", 7000));
  EXPECT_TRUE(map->replicasOf(300).empty());
}

TEST(ClusterSlotMap, UnknownEndpointMeansTheQueriedHost) {
  const std::vector<ClusterSlotsEntry> reply{
      {0, 8191, {"", 30001}, {{"?", 30004}}},
      {8192, 16383, {"?", 30002}, {}},
  };
  auto map = ClusterSlotMap::fromClusterSlots(reply, "redis.internal");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*map->primaryOf(1), addr("redis.internal", 30001));
  EXPECT_EQ(map->replicasOf(1)[0], addr("redis.internal", 30004));
  EXPECT_EQ(*map->primaryOf(9000), addr("redis.internal", 30002));
}

TEST(ClusterSlotMap, PartialCoverageIsReported) {
  const std::vector<ClusterSlotsEntry> reply{{0, 16000, {"h", 1}, {}}};
  auto map = ClusterSlotMap::fromClusterSlots(reply, "seed");
  ASSERT_TRUE(map.ok());
  EXPECT_FALSE(map->coversAllSlots());
  EXPECT_EQ(map->unassignedSlotCount(), 383u);
  EXPECT_EQ(map->primaryOf(16001), nullptr);
  EXPECT_TRUE(map->replicasOf(16001).empty());
}

TEST(ClusterSlotMap, RejectsMalformedReplies) {
  const std::vector<std::vector<ClusterSlotsEntry>> bad{
      {{-1, 10, {"h", 1}, {}}},
      {{0, 16384, {"h", 1}, {}}},
      {{10, 9, {"h", 1}, {}}},
      {{0, 10, {"h", 0}, {}}},
      {{0, 10, {"h", 65536}, {}}},
      {{0, 10, {"h", -6379}, {}}},
      {{0, 10, {"h", 1}, {{"r", 70000}}}},
      {{0, 10, {"h", 1}, {}}, {10, 20, {"i", 1}, {}}},  // slot 10 claimed twice
  };
  for (const auto& reply : bad) {
    auto map = ClusterSlotMap::fromClusterSlots(reply, "seed");
    ASSERT_FALSE(map.ok()) << reply[0].start << "-" << reply[0].end;
    EXPECT_EQ(map.status().code, StatusCode::kServerUnavailable);
    EXPECT_FALSE(map.status().reason.empty());
  }
}

TEST(ClusterSlotMap, ReassignMovesOneSlot) {
  const auto reply = threeMasters();
  auto map = ClusterSlotMap::fromClusterSlots(reply, "seed");
  ASSERT_TRUE(map.ok());

  map->reassign(8980, addr("127.0.0.1", 30003));
  EXPECT_EQ(*map->primaryOf(8980), addr("127.0.0.1", 30003));
  EXPECT_EQ(map->replicasOf(8980)[0], addr("127.0.0.1", 30006));
  EXPECT_EQ(*map->primaryOf(8979), addr("127.0.0.1", 30002));
  EXPECT_EQ(*map->primaryOf(8981), addr("127.0.0.1", 30002));

  // A new primary (failover to a promoted replica) is added with no known replicas.
  map->reassign(100, addr("127.0.0.1", 30004));
  EXPECT_EQ(*map->primaryOf(100), addr("127.0.0.1", 30004));
  EXPECT_TRUE(map->replicasOf(100).empty());
  EXPECT_EQ(map->primaries().size(), 4u);

  map->reassign(16384, addr("x", 1));  // not a slot: ignored
  EXPECT_EQ(map->primaries().size(), 4u);
}

TEST(ClusterSlotMap, PrimariesLeavesOutNodesThatLostAllSlots) {
  const std::vector<ClusterSlotsEntry> reply{
      {0, 0, {"a", 1}, {}},
      {1, 16383, {"b", 1}, {}},
  };
  auto map = ClusterSlotMap::fromClusterSlots(reply, "seed");
  ASSERT_TRUE(map.ok());
  map->reassign(0, addr("b", 1));
  const std::vector<RedisNodeAddress> expected{addr("b", 1)};
  EXPECT_EQ(map->primaries(), expected);
}

TEST(ClusterSlotMap, ManyRedirectsToNewAddressesStayBounded) {
  // Each MOVED to a never-seen address adds a node; idle ones must be dropped, not overflow.
  ClusterSlotMap map;
  for (int i = 0; i < 70'000; ++i) {
    const auto slot = static_cast<uint16_t>(i % 3);
    map.reassign(slot, addr("h" + std::to_string(i), 6379));
  }
  EXPECT_EQ(*map.primaryOf(0), addr("h69999", 6379));
  EXPECT_EQ(*map.primaryOf(1), addr("h69997", 6379));
  EXPECT_EQ(*map.primaryOf(2), addr("h69998", 6379));
  EXPECT_EQ(map.primaries().size(), 3u);
  EXPECT_EQ(map.unassignedSlotCount(), kClusterSlotCount - 3u);
}

TEST(ClusterRedirect, ParsesMoved) {
  const auto redirect = parseClusterRedirect("MOVED 8980 127.0.0.1:30002", "seed");
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->kind, RedirectKind::kMoved);
  EXPECT_EQ(redirect->slot, 8980);
  EXPECT_EQ(redirect->address, addr("127.0.0.1", 30002));
  EXPECT_EQ(redirect->address.toString(), "127.0.0.1:30002");
}

TEST(ClusterRedirect, ParsesAsk) {
  const auto redirect = parseClusterRedirect("ASK 3999 redis-2.internal:6381", "seed");
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->kind, RedirectKind::kAsk);
  EXPECT_EQ(redirect->slot, 3999);
  EXPECT_EQ(redirect->address, addr("redis-2.internal", 6381));
}

TEST(ClusterRedirect, EmptyEndpointMeansTheReplyingHost) {
  // Redis 7 with cluster-preferred-endpoint-type unknown-endpoint: "-MOVED 3999 :6380".
  const auto redirect = parseClusterRedirect("MOVED 3999 :6380", "10.1.2.3");
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->address, addr("10.1.2.3", 6380));
}

TEST(ClusterRedirect, Ipv6EndpointSplitsAtTheLastColon) {
  auto redirect = parseClusterRedirect("MOVED 0 ::1:30001", "seed");
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->address, addr("::1", 30001));
  redirect = parseClusterRedirect("ASK 16383 [fe80::1]:7000", "seed");
  ASSERT_TRUE(redirect.has_value());
  EXPECT_EQ(redirect->slot, 16383);
  EXPECT_EQ(redirect->address, addr("fe80::1", 7000));
}

TEST(ClusterRedirect, RejectsOtherErrorsAndMalformedRedirects) {
  for (const char* message : {
           "",
           "ERR unknown command",
           "CROSSSLOT Keys in request don't hash to the same slot",
           "TRYAGAIN Multiple keys request during rehashing of slot",
           "CLUSTERDOWN The cluster is down",
           "MOVED",
           "MOVED ",
           "MOVED 8980",
           "MOVED 8980 ",
           "MOVED 8980 127.0.0.1",
           "MOVED 8980 127.0.0.1:",
           "MOVED 8980 127.0.0.1:0",
           "MOVED 8980 127.0.0.1:65536",
           "MOVED 8980 127.0.0.1:30002x",
           "MOVED 8980 127.0.0.1:30002 extra",
           "MOVED 16384 127.0.0.1:30002",
           "MOVED -1 127.0.0.1:30002",
           "MOVED +5 127.0.0.1:30002",
           "MOVED x 127.0.0.1:30002",
           "MOVED  8980 127.0.0.1:30002",
           "moved 8980 127.0.0.1:30002",
           "-MOVED 8980 127.0.0.1:30002",
           "ASKING 1 h:1",
       }) {
    EXPECT_FALSE(parseClusterRedirect(message, "seed").has_value()) << '"' << message << '"';
  }
}

}  // namespace
}  // namespace parley
