#pragma once
// The behaviour every UserLocations must have, as one value-parameterized GoogleTest suite (same
// pattern as session_registry_contract_test.h): an implementation's test file instantiates
// UserLocationsContractTest with a factory of environments. Cases only Redis can have (losing
// data, several buckets) stay in its own test file.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "online/user_locations.h"

namespace parley::contract {

class UserLocationsTestEnv {
 public:
  virtual ~UserLocationsTestEnv() = default;
  // Locations acting for node_id; nullptr when the environment could not be set up. Whether
  // two of them share one index is the implementation's business: the suite relies on neither.
  virtual std::unique_ptr<UserLocations> makeLocations(const std::string& node_id,
                                                       bool per_device) = 0;
};

struct UserLocationsContractParam {
  std::string name;
  std::function<std::unique_ptr<UserLocationsTestEnv>()> make_env;
};

inline void PrintTo(const UserLocationsContractParam& param, std::ostream* os) {
  *os << param.name;
}

inline std::string userLocationsContractName(
    const ::testing::TestParamInfo<UserLocationsContractParam>& info) {
  return info.param.name;
}

// Places around Berlin's Brandenburg Gate, with their distances from it as the haversine on
// Redis's sphere gives them (Redis stores positions to about a centimetre).
constexpr GeoPosition kGate{13.377704, 52.516275};
constexpr GeoPosition kReichstag{13.376198, 52.518623};       // ~280 m
constexpr GeoPosition kAlexanderplatz{13.413215, 52.521918};  // ~2.5 km
constexpr GeoPosition kPotsdam{13.064473, 52.391842};         // ~25 km

inline LocationSession session(int64_t user_id, DeviceType device_type = 0,
                               int64_t login_date = 1000) {
  return {user_id, device_type, login_date};
}

inline std::vector<int64_t> userIds(const std::vector<LocatedUser>& found) {
  std::vector<int64_t> ids;
  for (const auto& located : found) ids.push_back(located.user_id);
  return ids;
}

class UserLocationsContractTest : public ::testing::TestWithParam<UserLocationsContractParam> {
 protected:
  void SetUp() override {
    env_ = GetParam().make_env();
    ASSERT_NE(env_, nullptr);
    locations_ = env_->makeLocations("n1", false);
    ASSERT_NE(locations_, nullptr);
  }

  void TearDown() override {
    locations_.reset();
    env_.reset();
  }

  void put(UserLocations& locations, const LocationSession& who, GeoPosition where) {
    auto stored = locations.upsert(who, where);
    ASSERT_TRUE(stored.ok()) << stored.status().reason;
  }

  std::vector<LocatedUser> near(UserLocations& locations, GeoPosition center,
                                double radius = 10'000, int count = 20) {
    auto found = locations.search(center, radius, count);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? *found : std::vector<LocatedUser>{};
  }

  std::unique_ptr<UserLocationsTestEnv> env_;
  std::unique_ptr<UserLocations> locations_;
};

TEST_P(UserLocationsContractTest, SearchAnswersNearestFirstWithinTheRadiusAndCount) {
  put(*locations_, session(1), kGate);
  put(*locations_, session(2), kAlexanderplatz);
  put(*locations_, session(3), kReichstag);
  put(*locations_, session(4), kPotsdam);

  const auto found = near(*locations_, kGate);
  EXPECT_EQ(userIds(found), (std::vector<int64_t>{1, 3, 2}));  // Potsdam is beyond 10 km
  ASSERT_EQ(found.size(), 3u);
  EXPECT_NEAR(found[0].distance_meters, 0, 1);
  EXPECT_NEAR(found[1].distance_meters, distanceMeters(kGate, kReichstag), 1);
  EXPECT_NEAR(found[2].distance_meters, distanceMeters(kGate, kAlexanderplatz), 1);
  EXPECT_NEAR(found[2].position.longitude, kAlexanderplatz.longitude, 1e-5);
  EXPECT_NEAR(found[2].position.latitude, kAlexanderplatz.latitude, 1e-5);
  EXPECT_FALSE(found[2].device_type.has_value());

  EXPECT_EQ(userIds(near(*locations_, kGate, 10'000, 2)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(userIds(near(*locations_, kGate, 1'000)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(userIds(near(*locations_, kGate, 30'000)), (std::vector<int64_t>{1, 3, 2, 4}));
  EXPECT_TRUE(near(*locations_, GeoPosition{-74.0, 40.7}).empty());  // New York
}

TEST_P(UserLocationsContractTest, AUserHasOnePositionUnlessDevicesCountApart) {
  put(*locations_, session(1, 0), kGate);
  put(*locations_, session(1, 3), kAlexanderplatz);  // the user's phone, later
  auto found = near(*locations_, kGate);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].distance_meters, distanceMeters(kGate, kAlexanderplatz), 1);

  auto per_device = env_->makeLocations("n1", true);
  ASSERT_NE(per_device, nullptr);
  put(*per_device, session(7, 0), kGate);
  put(*per_device, session(7, 3), kReichstag);
  found = near(*per_device, kGate, 1'000);
  // Both devices of user 7, each with its device type.
  std::vector<std::pair<int64_t, int>> seen;
  for (const auto& located : found)
    seen.emplace_back(located.user_id, located.device_type.value_or(-1));
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int>>{{7, 0}, {7, 3}}));
}

TEST_P(UserLocationsContractTest, ASessionRemovesOnlyThePositionItWroteLast) {
  put(*locations_, session(1, 0, 1000), kGate);
  put(*locations_, session(1, 3, 2000), kReichstag);  // another device of the user wrote since
  ASSERT_TRUE(locations_->remove(session(1, 0, 1000)).ok());
  EXPECT_EQ(userIds(near(*locations_, kGate)), (std::vector<int64_t>{1}));

  put(*locations_, session(2, 0, 1000), kGate);
  ASSERT_TRUE(locations_->remove(session(2, 0, 999)).ok());  // an older session of that device
  EXPECT_EQ(userIds(near(*locations_, kGate)), (std::vector<int64_t>{2, 1}));
  ASSERT_TRUE(locations_->remove(session(2, 0, 1000)).ok());
  ASSERT_TRUE(locations_->remove(session(1, 3, 2000)).ok());
  EXPECT_TRUE(near(*locations_, kGate).empty());
}

TEST_P(UserLocationsContractTest, RemoveStaleTakesBackOnlyEntriesNobodyRewrote) {
  put(*locations_, session(1, 0, 1000), kGate);
  put(*locations_, session(2, 0, 1000), kReichstag);
  const auto found = near(*locations_, kGate);
  ASSERT_EQ(found.size(), 2u);
  put(*locations_, session(2, 0, 5000), kReichstag);  // user 2 logged in again meanwhile
  ASSERT_TRUE(locations_->removeStale(found).ok());
  EXPECT_EQ(userIds(near(*locations_, kGate)), (std::vector<int64_t>{2}));
}

TEST_P(UserLocationsContractTest, RefusesPositionsItCannotIndex) {
  for (const GeoPosition bad :
       {GeoPosition{181, 0}, GeoPosition{-180.5, 0}, GeoPosition{0, 91}, GeoPosition{0, 86},
        GeoPosition{0, -85.1}, GeoPosition{std::nan(""), 0}}) {
    auto stored = locations_->upsert(session(1), bad);
    ASSERT_FALSE(stored.ok()) << bad.longitude << "," << bad.latitude;
    EXPECT_EQ(stored.status().code, StatusCode::kIllegalArgument);
  }
  EXPECT_TRUE(near(*locations_, GeoPosition{0, 0}).empty());
  // The limits themselves are fine, and places near them are found.
  put(*locations_, session(1), GeoPosition{180, kMaxIndexableLatitude});
  put(*locations_, session(2), GeoPosition{-180, -kMaxIndexableLatitude});
  put(*locations_, session(3), GeoPosition{179.99, 85.0});
  put(*locations_, session(4), GeoPosition{-179.99, -85.0});
  EXPECT_EQ(userIds(near(*locations_, GeoPosition{179.9, 84.99}, 5'000)),
            (std::vector<int64_t>{3}));
  EXPECT_EQ(userIds(near(*locations_, GeoPosition{-179.9, -84.99}, 5'000)),
            (std::vector<int64_t>{4}));
}

TEST_P(UserLocationsContractTest, NeighboursAcrossTheAntimeridianAreNear) {
  put(*locations_, session(1), GeoPosition{179.995, -16.5});  // Fiji, both sides of 180°
  put(*locations_, session(2), GeoPosition{-179.995, -16.5});
  const auto found = near(*locations_, GeoPosition{179.999, -16.5}, 2'000);
  EXPECT_EQ(userIds(found), (std::vector<int64_t>{1, 2}));
}

}  // namespace parley::contract
