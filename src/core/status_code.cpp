#include "core/status_code.h"

namespace parley {

std::string_view statusName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNoContent:
      return "NO_CONTENT";
    case StatusCode::kAlreadyUpToDate:
      return "ALREADY_UP_TO_DATE";
    case StatusCode::kInvalidRequest:
      return "INVALID_REQUEST";
    case StatusCode::kClientRequestsTooFrequent:
      return "CLIENT_REQUESTS_TOO_FREQUENT";
    case StatusCode::kIllegalArgument:
      return "ILLEGAL_ARGUMENT";
    case StatusCode::kRecordContainsDuplicateKey:
      return "RECORD_CONTAINS_DUPLICATE_KEY";
    case StatusCode::kRequestedRecordsTooMany:
      return "REQUESTED_RECORDS_TOO_MANY";
    case StatusCode::kSendRequestFromNonexistentSession:
      return "SEND_REQUEST_FROM_NONEXISTENT_SESSION";
    case StatusCode::kUnauthorizedRequest:
      return "UNAUTHORIZED_REQUEST";
    case StatusCode::kServerInternalError:
      return "SERVER_INTERNAL_ERROR";
    case StatusCode::kServerUnavailable:
      return "SERVER_UNAVAILABLE";
    case StatusCode::kUnsupportedClientVersion:
      return "UNSUPPORTED_CLIENT_VERSION";
    case StatusCode::kLoginTimeout:
      return "LOGIN_TIMEOUT";
    case StatusCode::kLoginAuthenticationFailed:
      return "LOGIN_AUTHENTICATION_FAILED";
    case StatusCode::kLoggingInUserNotActive:
      return "LOGGING_IN_USER_NOT_ACTIVE";
    case StatusCode::kLoginFromForbiddenDeviceType:
      return "LOGIN_FROM_FORBIDDEN_DEVICE_TYPE";
    case StatusCode::kSessionSimultaneousConflictsDecline:
      return "SESSION_SIMULTANEOUS_CONFLICTS_DECLINE";
    case StatusCode::kSessionSimultaneousConflictsNotify:
      return "SESSION_SIMULTANEOUS_CONFLICTS_NOTIFY";
    case StatusCode::kSessionSimultaneousConflictsOffline:
      return "SESSION_SIMULTANEOUS_CONFLICTS_OFFLINE";
    case StatusCode::kCreateExistingSession:
      return "CREATE_EXISTING_SESSION";
    case StatusCode::kUpdateHeartbeatOfNonexistentSession:
      return "UPDATE_HEARTBEAT_OF_NONEXISTENT_SESSION";
    case StatusCode::kUserLocationRelatedFeaturesAreDisabled:
      return "USER_LOCATION_RELATED_FEATURES_ARE_DISABLED";
    case StatusCode::kNearbyUsersFeatureIsDisabled:
      return "NEARBY_USERS_FEATURE_IS_DISABLED";
    case StatusCode::kUpdateInfoOfNonexistentUser:
      return "UPDATE_INFO_OF_NONEXISTENT_USER";
    case StatusCode::kProfileRequesterNotInContactsOrBlocked:
      return "PROFILE_REQUESTER_NOT_IN_CONTACTS_OR_BLOCKED";
    case StatusCode::kProfileRequesterHasBeenBlocked:
      return "PROFILE_REQUESTER_HAS_BEEN_BLOCKED";
    case StatusCode::kStorageNotImplemented:
      return "STORAGE_NOT_IMPLEMENTED";
    case StatusCode::kConferenceNotImplemented:
      return "CONFERENCE_NOT_IMPLEMENTED";
  }
  return "UNKNOWN_STATUS";
}

}  // namespace parley
