// Nearby users through real sockets: positions sent at login and with UpdateUserLocationRequest,
// found by QueryNearbyUsersRequest, gone when their session closes; on the embedded node and on
// two nodes sharing Redis (one server, three shards, a Redis Cluster), including after FLUSHALL
// and after the node holding a user dies.
//
// No timing assertions: every wait is a bounded poll, generous for a loaded two-core machine.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/client_requests.h"
#include "support/redis_topology.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;
using requests::kRequestTimeout;
using requests::loggedIn;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollTimeout = 15s;
constexpr auto kPollStep = 100ms;

struct Place {
  float longitude;
  float latitude;
};
// Around Berlin's Brandenburg Gate.
constexpr Place kGate{13.377704f, 52.516275f};
constexpr Place kReichstag{13.376198f, 52.518623f};  // ~280 m away
constexpr Place kPotsdam{13.064473f, 52.391842f};    // ~25 km away

// A login that carries a position (CreateSessionRequest.location).
std::unique_ptr<TurmsClient> loggedInAt(const ParleyProcess& parley, int64_t user, Place place) {
  auto client = connectTo(parley, Transport::kTcp);
  pb::TurmsRequest request;
  auto* login = request.mutable_create_session_request();
  login->set_version(1);
  login->set_user_id(user);
  login->set_password("123");
  login->set_device_type(pb::ANDROID);
  login->mutable_location()->set_longitude(place.longitude);
  login->mutable_location()->set_latitude(place.latitude);
  const auto response = client->request(request, kRequestTimeout);
  EXPECT_EQ(response.code(), 1000) << response.reason();
  return client;
}

pb::TurmsNotification updateLocation(TurmsClient& client, Place place) {
  pb::TurmsRequest request;
  request.mutable_update_user_location_request()->set_longitude(place.longitude);
  request.mutable_update_user_location_request()->set_latitude(place.latitude);
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification queryNearby(TurmsClient& client, Place from, bool details = false) {
  pb::TurmsRequest request;
  auto* query = request.mutable_query_nearby_users_request();
  query->set_longitude(from.longitude);
  query->set_latitude(from.latitude);
  if (details) {
    query->set_with_distance(true);
    query->set_with_coordinates(true);
    query->set_with_user_info(true);
  }
  return client.request(request, kRequestTimeout);
}

// The users near `from` as `client` sees them, nearest first; empty on NO_CONTENT; nullopt on
// any other failure.
std::optional<std::vector<int64_t>> nearbyIds(TurmsClient& client, Place from) {
  const auto response = queryNearby(client, from);
  if (response.code() == 1001) return std::vector<int64_t>{};
  if (response.code() != 1000) return std::nullopt;
  std::vector<int64_t> ids;
  for (const auto& user : response.data().nearby_users().nearby_users()) {
    ids.push_back(user.user_id());
  }
  return ids;
}

// Polls until `client` sees exactly `expected` near `from`.
::testing::AssertionResult eventuallyNearby(TurmsClient& client, Place from,
                                            const std::vector<int64_t>& expected) {
  const auto deadline = SteadyClock::now() + kPollTimeout;
  std::optional<std::vector<int64_t>> seen;
  for (;;) {
    seen = nearbyIds(client, from);
    if (seen == expected) return ::testing::AssertionSuccess();
    if (SteadyClock::now() > deadline) break;
    std::this_thread::sleep_for(kPollStep);
  }
  auto failure = ::testing::AssertionFailure() << "near users seen: ";
  if (!seen) return failure << "(query failed)";
  for (int64_t id : *seen) failure << id << " ";
  return failure;
}

TEST(NearbyUsersEmbedded, PositionsFromLoginsAndUpdatesAreFoundUntilTheirSessionsClose) {
  ParleyProcess parley;
  auto user1 = loggedInAt(parley, 1, kGate);
  auto user2 = loggedIn(parley, 2);
  ASSERT_EQ(updateLocation(*user2, kReichstag).code(), 1000);
  auto user3 = loggedIn(parley, 3);
  auto far = loggedInAt(parley, 4, kPotsdam);

  const auto response = queryNearby(*user3, kGate, /*details=*/true);
  ASSERT_EQ(response.code(), 1000) << response.reason();
  const auto& found = response.data().nearby_users().nearby_users();
  ASSERT_EQ(found.size(), 2);
  EXPECT_EQ(found[0].user_id(), 1);
  EXPECT_LE(found[0].distance(), 1);
  EXPECT_EQ(found[1].user_id(), 2);
  EXPECT_GT(found[1].distance(), 200);
  EXPECT_LT(found[1].distance(), 400);
  EXPECT_NEAR(found[1].location().latitude(), kReichstag.latitude, 1e-4);
  EXPECT_EQ(found[1].info().id(), 2);
  EXPECT_FALSE(found[1].info().name().empty());

  // Refused positions, and the limits of a query.
  EXPECT_EQ(updateLocation(*user2, {200, 0}).code(), 1102);
  pb::TurmsRequest too_many;
  too_many.mutable_query_nearby_users_request()->set_max_count(101);
  EXPECT_EQ(user3->request(too_many, kRequestTimeout).code(), 1102);

  user1->close();
  EXPECT_TRUE(eventuallyNearby(*user3, kGate, {2}));
  user2->close();
  EXPECT_TRUE(eventuallyNearby(*user3, kGate, {}));
}

TEST(NearbyUsersEmbedded, SwitchedOffEveryLocationRequestIs2200) {
  ParleyProcess parley({.extra_args = {"--location-enabled=false"}});
  // A login that carries a position still succeeds: the position is ignored.
  auto user1 = loggedInAt(parley, 1, kGate);
  EXPECT_EQ(updateLocation(*user1, kGate).code(), 2200);
  EXPECT_EQ(queryNearby(*user1, kGate).code(), 2200);
}

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
