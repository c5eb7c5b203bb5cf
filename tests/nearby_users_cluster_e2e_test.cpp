// Nearby users on two nodes sharing Redis (one server, three standalone shards, a Redis
// Cluster): users of both nodes found, found again after FLUSHALL once the nodes wrote their
// positions back, and gone once the node holding them dies or they log out.
//
// No timing assertions: every wait is a bounded poll, generous for a loaded two-core machine.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/client_requests.h"
#include "support/nearby_requests.h"
#include "support/redis_topology.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

using namespace nearby;
using requests::loggedIn;

// Two nodes sharing a Redis topology, each with its own SQLite store (the demo data is the same
// on both, which is all the profiles here need).
class NearbyUsersOnRedis : public ::testing::TestWithParam<RedisTopologyKind> {
 protected:
  static ParleyOptions nodeOptions(const std::string& node_id, const std::string& uris) {
    return {.extra_args = {"--node-id=" + node_id, "--redis-session-uris=" + uris, "--rpc-port=0",
                           "--rpc-bind=127.0.0.1", "--cluster-heartbeat-interval-millis=200",
                           "--node-stale-after-millis=1500", "--redis-timeout-ms=1000"}};
  }

  RedisTopology redis_{GetParam()};
  ParleyProcess a_{nodeOptions("node-a", redis_.sessionUris())};
  ParleyProcess b_{nodeOptions("node-b", redis_.sessionUris())};
};

INSTANTIATE_TEST_SUITE_P(Topologies, NearbyUsersOnRedis,
                         ::testing::Values(RedisTopologyKind::kSingle, RedisTopologyKind::kSharded,
                                           RedisTopologyKind::kCluster),
                         [](const auto& info) { return std::string(topologyName(info.param)); });

TEST_P(NearbyUsersOnRedis, UsersOfBothNodesAreFoundAgainAfterAFlushAndGoWithTheirNode) {
  // Users 1..8 on both nodes, spread over shards and buckets, 10 m apart going north.
  std::vector<std::unique_ptr<TurmsClient>> users;
  std::vector<int64_t> all;
  for (int64_t user = 1; user <= 8; ++user) {
    const Place place{kGate.longitude, kGate.latitude + 0.0001f * static_cast<float>(user)};
    users.push_back(loggedInAt(user % 2 == 0 ? b_ : a_, user, place));
    all.push_back(user);
  }
  auto asker = loggedIn(a_, 9);
  const Place south{kGate.longitude, kGate.latitude - 0.001f};
  ASSERT_TRUE(eventuallyNearby(*asker, south, all));

  redis_.flushAll();
  // Every node writes its users' positions back at its next tick.
  EXPECT_TRUE(eventuallyNearby(*asker, south, all));

  // Node B dies with users 2, 4, 6, 8: once it counts as dead they are no longer near.
  b_.kill9();
  EXPECT_TRUE(eventuallyNearby(*asker, south, {1, 3, 5, 7}));
  users[0]->close();  // user 1 logs out
  EXPECT_TRUE(eventuallyNearby(*asker, south, {3, 5, 7}));
}

}  // namespace
}  // namespace parley::testing
