// Nearby users through real sockets on one node, on SQLite and on MongoDB (FerretDB): positions
// sent at login and with UpdateUserLocationRequest, found by QueryNearbyUsersRequest with
// distances, positions and profiles, gone when their session closes; bad positions and limits
// refused; everything 2200 when locations are switched off. Several nodes over Redis:
// nearby_users_cluster_e2e_test.cpp.
//
// No timing assertions: every wait is a bounded poll, generous for a loaded two-core machine.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/nearby_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

using namespace nearby;
using requests::loggedIn;

class NearbyUsersTest : public ::testing::TestWithParam<Backend> {
 protected:
  std::unique_ptr<ParleyProcess> startParley(ParleyOptions options = {}) {
    return std::make_unique<ParleyProcess>(
        onBackend(GetParam(), std::move(options), uniqueDatabaseName("nearby")));
  }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, NearbyUsersTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, NearbyUsersTest, ::testing::Values(Backend::kMongo));

TEST_P(NearbyUsersTest, PositionsFromLoginsAndUpdatesAreFoundUntilTheirSessionsClose) {
  auto server = startParley();
  ParleyProcess& parley = *server;
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

TEST_P(NearbyUsersTest, SwitchedOffEveryLocationRequestIs2200) {
  auto server = startParley({.extra_args = {"--location-enabled=false"}});
  ParleyProcess& parley = *server;
  // A login that carries a position still succeeds: the position is ignored.
  auto user1 = loggedInAt(parley, 1, kGate);
  EXPECT_EQ(updateLocation(*user1, kGate).code(), 2200);
  EXPECT_EQ(queryNearby(*user1, kGate).code(), 2200);
}

}  // namespace
}  // namespace parley::testing
