#include "service/user/nearby_user_handlers.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

constexpr DeviceType kDesktop = 0;
constexpr DeviceType kAndroid = 1;  // the fixture's requests come from device type 1

// Places near Berlin's Brandenburg Gate, and how far they are from it.
constexpr GeoPosition kGate{13.377704, 52.516275};
constexpr GeoPosition kReichstag{13.376198, 52.518623};       // ~280 m
constexpr GeoPosition kAlexanderplatz{13.413215, 52.521918};  // ~2.5 km
constexpr GeoPosition kPotsdam{13.064473, 52.391842};         // ~25 km

// What a QueryNearbyUsersRequest asks for besides the position.
struct Query {
  std::optional<int> count;
  std::optional<int> distance;
  bool coordinates = false;
  bool with_distance = false;
  bool info = false;
};

// The real dispatcher over a real SQLite store and the embedded location index.
class NearbyUserHandlersTest : public testing::ServiceTestFixture {
 protected:
  NearbyUserHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (int64_t id = 1; id <= 6; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
  }

  // Registers the handlers with the configuration as the test left it.
  void start() { registerNearbyUserHandlers(dispatcher_, deps()); }

  void online(int64_t user_id, DeviceType device = kAndroid, UserStatus status = 0) {
    ASSERT_TRUE(sessions_->registerDevice(user_id, device, status, "n1", kLoginDate).ok());
  }

  HandlerResult updateLocation(int64_t user_id, GeoPosition where) {
    TurmsRequest request;
    request.mutable_update_user_location_request()->set_longitude(
        static_cast<float>(where.longitude));
    request.mutable_update_user_location_request()->set_latitude(
        static_cast<float>(where.latitude));
    return dispatch(user_id, request);
  }

  // An online user at a place.
  void at(int64_t user_id, GeoPosition where) {
    online(user_id);
    const HandlerResult result = updateLocation(user_id, where);
    ASSERT_TRUE(result.status.isOk()) << result.status.reason;
  }

  HandlerResult nearby(int64_t user_id, GeoPosition from, Query query = {}) {
    TurmsRequest request;
    auto* req = request.mutable_query_nearby_users_request();
    req->set_longitude(static_cast<float>(from.longitude));
    req->set_latitude(static_cast<float>(from.latitude));
    if (query.count) req->set_max_count(*query.count);
    if (query.distance) req->set_max_distance(*query.distance);
    if (query.coordinates) req->set_with_coordinates(true);
    if (query.with_distance) req->set_with_distance(true);
    if (query.info) req->set_with_user_info(true);
    return dispatch(user_id, request);
  }

  static std::vector<int64_t> ids(const HandlerResult& result) {
    std::vector<int64_t> found;
    if (!result.data) return found;
    for (const auto& user : result.data->nearby_users().nearby_users()) {
      found.push_back(user.user_id());
    }
    return found;
  }
};

TEST_F(NearbyUserHandlersTest, AnswersOnlineUsersNearestFirstLeavingOutTheRequester) {
  start();
  at(2, kAlexanderplatz);
  at(3, kReichstag);
  at(4, kPotsdam);  // beyond the default 10 km
  online(1);
  const HandlerResult result = nearby(1, kGate);
  ASSERT_TRUE(result.status.isOk()) << result.status.reason;
  EXPECT_EQ(ids(result), (std::vector<int64_t>{3, 2}));
  // Only ids unless more is asked for, as upstream.
  const auto& first = result.data->nearby_users().nearby_users(0);
  EXPECT_FALSE(first.has_distance());
  EXPECT_FALSE(first.has_location());
  EXPECT_FALSE(first.has_info());
  EXPECT_FALSE(first.has_device_type());

  // The requester's position was stored: the others find it.
  EXPECT_EQ(ids(nearby(3, kReichstag)), (std::vector<int64_t>{1, 2}));
}

TEST_F(NearbyUserHandlersTest, DistanceCoordinatesAndProfilesWhenAskedFor) {
  start();
  at(2, kReichstag);
  online(1);
  const HandlerResult result =
      nearby(1, kGate, {.coordinates = true, .with_distance = true, .info = true});
  ASSERT_EQ(ids(result), (std::vector<int64_t>{2}));
  const auto& user = result.data->nearby_users().nearby_users(0);
  EXPECT_EQ(user.distance(), static_cast<int32_t>(distanceMeters(kGate, kReichstag)));
  EXPECT_NEAR(user.location().longitude(), kReichstag.longitude, 1e-4);
  EXPECT_NEAR(user.location().latitude(), kReichstag.latitude, 1e-4);
  EXPECT_EQ(user.info().id(), 2);
  EXPECT_EQ(user.info().name(), "user-2");
}

TEST_F(NearbyUserHandlersTest, CountAndDistanceHaveUpstreamsDefaultsAndLimits) {
  start();
  at(2, kReichstag);
  at(3, kAlexanderplatz);
  at(4, kPotsdam);
  online(1);
  EXPECT_EQ(ids(nearby(1, kGate, {.count = 1})), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids(nearby(1, kGate, {.distance = 1000})), (std::vector<int64_t>{2}));
  for (const Query bad :
       {Query{.count = 0}, Query{.count = 101}, Query{.distance = 0}, Query{.distance = 10'001}}) {
    EXPECT_EQ(nearby(1, kGate, bad).status.code, StatusCode::kIllegalArgument);
  }
  location_config_.max_distance_meters = 50'000;
  EXPECT_EQ(ids(nearby(1, kGate, {.distance = 50'000})), (std::vector<int64_t>{2, 3, 4}));
  // The default radius stays 10 km.
  EXPECT_EQ(ids(nearby(1, kGate)), (std::vector<int64_t>{2, 3}));
}

TEST_F(NearbyUserHandlersTest, NobodyNearIsNoContent) {
  start();
  at(2, kPotsdam);
  online(1);
  EXPECT_EQ(nearby(1, kGate).status.code, StatusCode::kNoContent);
}

TEST_F(NearbyUserHandlersTest, PositionsOfUsersGoneOfflineAreNeitherAnsweredNorKept) {
  start();
  at(2, kReichstag);
  at(3, kAlexanderplatz);
  online(1);
  // User 2's node died: the registry no longer lists the device, but its position remains.
  ASSERT_TRUE(sessions_->unregisterDevice(2, kAndroid, "n1", kLoginDate).ok());
  EXPECT_EQ(ids(nearby(1, kGate)), (std::vector<int64_t>{3}));
  auto left = locations_->search(kGate, 10'000, 10);
  ASSERT_TRUE(left.ok());
  std::vector<int64_t> kept;
  for (const LocatedUser& located : *left) kept.push_back(located.user_id);
  EXPECT_EQ(kept, (std::vector<int64_t>{1, 3}));
}

TEST_F(NearbyUserHandlersTest, InvisibleUsersAreHiddenWhenOthersSeeThemOffline) {
  user_config_.respond_offline_if_invisible = true;
  start();
  at(2, kReichstag);
  ASSERT_TRUE(sessions_->setStatus(2, kUserStatusInvisible).ok());
  online(1);
  EXPECT_EQ(nearby(1, kGate).status.code, StatusCode::kNoContent);
  user_config_.respond_offline_if_invisible = false;  // upstream's default: seen as INVISIBLE
  EXPECT_EQ(ids(nearby(1, kGate)), (std::vector<int64_t>{2}));
}

TEST_F(NearbyUserHandlersTest, PerDeviceEachDeviceIsAnsweredWithItsType) {
  location_config_.treat_user_id_and_device_type_as_unique_user = true;
  locations_ = makeInProcessUserLocations("n1", true);
  start();
  online(1, kDesktop);
  at(1, kReichstag);  // user 1's phone (device type 1)
  at(2, kAlexanderplatz);
  // From user 1's desktop: its own phone is another "user" here.
  RequestContext desktop = context(1, 9);
  desktop.device_type = kDesktop;
  TurmsRequest request;
  request.set_request_id(9);
  auto* req = request.mutable_query_nearby_users_request();
  req->set_longitude(static_cast<float>(kGate.longitude));
  req->set_latitude(static_cast<float>(kGate.latitude));
  const HandlerResult result = dispatcher_.dispatch(desktop, request);
  ASSERT_TRUE(result.data.has_value()) << result.status.reason;
  std::vector<std::pair<int64_t, int>> seen;
  for (const auto& user : result.data->nearby_users().nearby_users()) {
    seen.emplace_back(user.user_id(), user.device_type());
  }
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int>>{{1, kAndroid}, {2, kAndroid}}));
}

TEST_F(NearbyUserHandlersTest, BadPositionsAreRefusedAndDisabledLocationsAre2200) {
  start();
  online(1);
  EXPECT_EQ(updateLocation(1, {200, 0}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(updateLocation(1, {0, 89}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(nearby(1, {0, -91}).status.code, StatusCode::kIllegalArgument);
  location_config_.enabled = false;
  EXPECT_EQ(updateLocation(1, kGate).status.code,
            StatusCode::kUserLocationRelatedFeaturesAreDisabled);
  EXPECT_EQ(nearby(1, kGate).status.code, StatusCode::kUserLocationRelatedFeaturesAreDisabled);
}

}  // namespace
}  // namespace parley
