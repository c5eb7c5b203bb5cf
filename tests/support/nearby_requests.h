#pragma once
// Requests of the nearby-user tests: logins that carry a position, position updates, nearby
// queries, and a poll until a query sees exactly the expected users.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing::nearby {

namespace pb = im::turms::proto;
using namespace std::chrono_literals;
using requests::kRequestTimeout;

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
inline std::unique_ptr<TurmsClient> loggedInAt(const ParleyProcess& parley, int64_t user,
                                               Place place) {
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

inline pb::TurmsNotification updateLocation(TurmsClient& client, Place place) {
  pb::TurmsRequest request;
  request.mutable_update_user_location_request()->set_longitude(place.longitude);
  request.mutable_update_user_location_request()->set_latitude(place.latitude);
  return client.request(request, kRequestTimeout);
}

inline pb::TurmsNotification queryNearby(TurmsClient& client, Place from, bool details = false) {
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
inline std::optional<std::vector<int64_t>> nearbyIds(TurmsClient& client, Place from) {
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
inline ::testing::AssertionResult eventuallyNearby(TurmsClient& client, Place from,
                                                   const std::vector<int64_t>& expected) {
  const auto deadline = std::chrono::steady_clock::now() + kPollTimeout;
  std::optional<std::vector<int64_t>> seen;
  for (;;) {
    seen = nearbyIds(client, from);
    if (seen == expected) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(kPollStep);
  }
  auto failure = ::testing::AssertionFailure() << "near users seen: ";
  if (!seen) return failure << "(query failed)";
  for (int64_t id : *seen) failure << id << " ";
  return failure;
}

}  // namespace parley::testing::nearby
