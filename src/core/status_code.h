#pragma once
// Turms response status codes as clients see them (TurmsNotification.code). Values are the
// upstream ones: clients switch on the number, so never renumber.
#include <cstdint>
#include <string_view>

namespace parley {

enum class StatusCode : int32_t {
  kOk = 1000,
  kNoContent = 1001,
  kAlreadyUpToDate = 1002,

  kInvalidRequest = 1100,
  kClientRequestsTooFrequent = 1101,
  kIllegalArgument = 1102,
  kRecordContainsDuplicateKey = 1103,
  kRequestedRecordsTooMany = 1104,
  kSendRequestFromNonexistentSession = 1105,
  kUnauthorizedRequest = 1106,

  kServerInternalError = 1200,
  kServerUnavailable = 1201,

  kUnsupportedClientVersion = 2000,
  kLoginTimeout = 2010,
  kLoginAuthenticationFailed = 2011,
  kLoggingInUserNotActive = 2012,
  kLoginFromForbiddenDeviceType = 2013,
  kSessionSimultaneousConflictsDecline = 2100,
  kSessionSimultaneousConflictsNotify = 2101,
  kSessionSimultaneousConflictsOffline = 2102,
  kCreateExistingSession = 2103,
  kUpdateHeartbeatOfNonexistentSession = 2104,

  kUserLocationRelatedFeaturesAreDisabled = 2200,
  kNearbyUsersFeatureIsDisabled = 2201,
  kUpdateInfoOfNonexistentUser = 2300,
  kProfileRequesterNotInContactsOrBlocked = 2301,
  kProfileRequesterHasBeenBlocked = 2302,

  kStorageNotImplemented = 6000,
  kConferenceNotImplemented = 8000,
};

constexpr int32_t toInt(StatusCode code) { return static_cast<int32_t>(code); }

// Success codes are 1000 <= code < 1100 (what turms-client-js's isSuccessCode checks).
constexpr bool isSuccess(StatusCode code) { return toInt(code) >= 1000 && toInt(code) < 1100; }

// Server errors (12xx) carry no reason to clients unless configured otherwise, as upstream.
constexpr bool isServerError(StatusCode code) { return toInt(code) >= 1200 && toInt(code) < 1300; }

// The upstream enum name, e.g. "LOGIN_AUTHENTICATION_FAILED"; used in logs and metrics labels.
std::string_view statusName(StatusCode code);

}  // namespace parley
