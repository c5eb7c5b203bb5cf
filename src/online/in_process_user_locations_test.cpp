// The embedded location index runs the UserLocations contract (user_locations_contract_test.h),
// and its grid is checked against a scan of every entry.
#include <algorithm>
#include <memory>
#include <random>
#include <string>

#include "online/user_locations.h"
#include "online/user_locations_contract_test.h"

namespace parley {
namespace {

using contract::UserLocationsContractParam;
using contract::UserLocationsContractTest;

class InProcessEnv final : public contract::UserLocationsTestEnv {
 public:
  std::unique_ptr<UserLocations> makeLocations(const std::string& node_id,
                                               bool per_device) override {
    return makeInProcessUserLocations(node_id, per_device);
  }
};

INSTANTIATE_TEST_SUITE_P(InProcess, UserLocationsContractTest,
                         ::testing::Values(UserLocationsContractParam{
                             "in_process", [] { return std::make_unique<InProcessEnv>(); }}),
                         contract::userLocationsContractName);

// Searches of many radii around many centres, near the poles' limit and the antimeridian
// included, find exactly what comparing every entry's distance finds.
TEST(InProcessUserLocationsTest, TheGridFindsWhatAFullScanFinds) {
  auto locations = makeInProcessUserLocations("n1", false);
  std::mt19937_64 random(42);
  std::vector<GeoPosition> positions;
  // Clusters of users around a few places, so that small radii find some.
  const GeoPosition places[] = {{13.4, 52.5}, {179.9, -16.5}, {-179.95, 0},
                                {0, 84.9},    {-70, -85},     {0, 0}};
  for (const GeoPosition& place : places) {
    std::uniform_real_distribution<double> offset(-0.5, 0.5);
    for (int i = 0; i < 300; ++i) {
      GeoPosition p{place.longitude + offset(random), place.latitude + offset(random) / 4};
      if (p.longitude > 180) p.longitude -= 360;
      if (p.longitude < -180) p.longitude += 360;
      p.latitude = std::clamp(p.latitude, -kMaxIndexableLatitude, kMaxIndexableLatitude);
      const int64_t user = static_cast<int64_t>(positions.size()) + 1;
      ASSERT_TRUE(locations->upsert({user, 0, 1}, p).ok());
      positions.push_back(p);
    }
  }
  for (const GeoPosition& center : places) {
    for (const double radius : {100.0, 5'000.0, 30'000.0, 300'000.0, 25'000'000.0}) {
      std::vector<std::pair<double, int64_t>> expected;
      for (size_t i = 0; i < positions.size(); ++i) {
        const double distance = distanceMeters(center, positions[i]);
        if (distance <= radius) expected.emplace_back(distance, static_cast<int64_t>(i) + 1);
      }
      std::sort(expected.begin(), expected.end());
      auto found = locations->search(center, radius, 5000);
      ASSERT_TRUE(found.ok());
      ASSERT_EQ(found->size(), expected.size())
          << center.longitude << "," << center.latitude << " within " << radius;
      for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_DOUBLE_EQ((*found)[i].distance_meters, expected[i].first);
      }
    }
  }
}

}  // namespace
}  // namespace parley
