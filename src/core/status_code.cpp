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
    case StatusCode::kUserProfileNotFound: return "USER_PROFILE_NOT_FOUND";
    case StatusCode::kProfileRequesterNotInContactsOrBlocked: return "PROFILE_REQUESTER_NOT_IN_CONTACTS_OR_BLOCKED";
    case StatusCode::kProfileRequesterHasBeenBlocked: return "PROFILE_REQUESTER_HAS_BEEN_BLOCKED";
    case StatusCode::kAddNonRelatedUserToGroup: return "ADD_NON_RELATED_USER_TO_GROUP";
    case StatusCode::kCreateExistingRelationship: return "CREATE_EXISTING_RELATIONSHIP";
    case StatusCode::kUpdateInfoOfNonexistentGroup: return "UPDATE_INFO_OF_NONEXISTENT_GROUP";
    case StatusCode::kNotGroupOwnerToUpdateGroupInfo: return "NOT_GROUP_OWNER_TO_UPDATE_GROUP_INFO";
    case StatusCode::kNotGroupOwnerOrManagerToUpdateGroupInfo: return "NOT_GROUP_OWNER_OR_MANAGER_TO_UPDATE_GROUP_INFO";
    case StatusCode::kNotGroupMemberToUpdateGroupInfo: return "NOT_GROUP_MEMBER_TO_UPDATE_GROUP_INFO";
    case StatusCode::kNotActiveUserToCreateGroup: return "NOT_ACTIVE_USER_TO_CREATE_GROUP";
    case StatusCode::kNotGroupOwnerToTransferGroup: return "NOT_GROUP_OWNER_TO_TRANSFER_GROUP";
    case StatusCode::kNotGroupOwnerToDeleteGroup: return "NOT_GROUP_OWNER_TO_DELETE_GROUP";
    case StatusCode::kSuccessorNotGroupMember: return "SUCCESSOR_NOT_GROUP_MEMBER";
    case StatusCode::kOwnerQuitsWithoutSpecifyingSuccessor: return "OWNER_QUITS_WITHOUT_SPECIFYING_SUCCESSOR";
    case StatusCode::kTransferNonexistentGroup: return "TRANSFER_NONEXISTENT_GROUP";
    case StatusCode::kAddUserToInactiveGroup: return "ADD_USER_TO_INACTIVE_GROUP";
    case StatusCode::kAddUserToGroupWithRoleHigherThanRequester: return "ADD_USER_TO_GROUP_WITH_ROLE_HIGHER_THAN_REQUESTER";
    case StatusCode::kAddUserToGroupWithSizeLimitReached: return "ADD_USER_TO_GROUP_WITH_SIZE_LIMIT_REACHED";
    case StatusCode::kAddBlockedUserToGroup: return "ADD_BLOCKED_USER_TO_GROUP";
    case StatusCode::kNotGroupOwnerOrManagerToRemoveGroupMember: return "NOT_GROUP_OWNER_OR_MANAGER_TO_REMOVE_GROUP_MEMBER";
    case StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager: return "NOT_GROUP_OWNER_TO_REMOVE_GROUP_OWNER_OR_MANAGER";
    case StatusCode::kNotGroupMemberToQueryGroupMemberInfo: return "NOT_GROUP_MEMBER_TO_QUERY_GROUP_MEMBER_INFO";
    case StatusCode::kUpdatingReadDateIsDisabled: return "UPDATING_READ_DATE_IS_DISABLED";
    case StatusCode::kUpdatingReadDateOfNonexistentGroupConversation: return "UPDATING_READ_DATE_OF_NONEXISTENT_GROUP_CONVERSATION";
    case StatusCode::kNotGroupMemberToUpdateReadDateOfGroupConversation: return "NOT_GROUP_MEMBER_TO_UPDATE_READ_DATE_OF_GROUP_CONVERSATION";
    case StatusCode::kMovingReadDateForwardIsDisabled: return "MOVING_READ_DATE_FORWARD_IS_DISABLED";
    case StatusCode::kUpdatingTypingStatusIsDisabled: return "UPDATING_TYPING_STATUS_IS_DISABLED";
    case StatusCode::kNotGroupMemberToSendTypingStatus: return "NOT_GROUP_MEMBER_TO_SEND_TYPING_STATUS";
    case StatusCode::kNotFriendToSendTypingStatus: return "NOT_FRIEND_TO_SEND_TYPING_STATUS";
    case StatusCode::kMessageRecipientNotActive: return "MESSAGE_RECIPIENT_NOT_ACTIVE";
    case StatusCode::kMessageSenderNotInContactsOrBlocked: return "MESSAGE_SENDER_NOT_IN_CONTACTS_OR_BLOCKED";
    case StatusCode::kPrivateMessageSenderHasBeenBlocked: return "PRIVATE_MESSAGE_SENDER_HAS_BEEN_BLOCKED";
    case StatusCode::kGroupMessageSenderHasBeenBlocked: return "GROUP_MESSAGE_SENDER_HAS_BEEN_BLOCKED";
    case StatusCode::kSendMessageToInactiveGroup: return "SEND_MESSAGE_TO_INACTIVE_GROUP";
    case StatusCode::kSendMessageToMutedGroup: return "SEND_MESSAGE_TO_MUTED_GROUP";
    case StatusCode::kSendMessageToNonexistentGroup: return "SEND_MESSAGE_TO_NONEXISTENT_GROUP";
    case StatusCode::kSendingMessagesToOneselfIsDisabled: return "SENDING_MESSAGES_TO_ONESELF_IS_DISABLED";
    case StatusCode::kMutedGroupMemberSendMessage: return "MUTED_GROUP_MEMBER_SEND_MESSAGE";
    case StatusCode::kGuestsHaveBeenMuted: return "GUESTS_HAVE_BEEN_MUTED";
    case StatusCode::kMessageIsIllegal: return "MESSAGE_IS_ILLEGAL";
    case StatusCode::kNotMessageRecipientOrSenderToForwardMessage: return "NOT_MESSAGE_RECIPIENT_OR_SENDER_TO_FORWARD_MESSAGE";
    case StatusCode::kUpdatingMessageBySenderIsDisabled: return "UPDATING_MESSAGE_BY_SENDER_IS_DISABLED";
    case StatusCode::kNotSenderToUpdateMessage: return "NOT_SENDER_TO_UPDATE_MESSAGE";
    case StatusCode::kUpdateMessageOfNonexistentGroup: return "UPDATE_MESSAGE_OF_NONEXISTENT_GROUP";
    case StatusCode::kUpdatingGroupMessageBySenderIsDisabled: return "UPDATING_GROUP_MESSAGE_BY_SENDER_IS_DISABLED";
    case StatusCode::kRecallNonexistentMessage: return "RECALL_NONEXISTENT_MESSAGE";
    case StatusCode::kRecallingMessageIsDisabled: return "RECALLING_MESSAGE_IS_DISABLED";
    case StatusCode::kNotSenderToRecallMessage: return "NOT_SENDER_TO_RECALL_MESSAGE";
    case StatusCode::kRecallMessageOfNonexistentGroup: return "RECALL_MESSAGE_OF_NONEXISTENT_GROUP";
    case StatusCode::kMessageRecallTimeout: return "MESSAGE_RECALL_TIMEOUT";
    case StatusCode::kNotGroupMemberToQueryGroupMessages: return "NOT_GROUP_MEMBER_TO_QUERY_GROUP_MESSAGES";
    case StatusCode::kStorageNotImplemented:
      return "STORAGE_NOT_IMPLEMENTED";
    case StatusCode::kConferenceNotImplemented:
      return "CONFERENCE_NOT_IMPLEMENTED";
  }
  return "UNKNOWN_STATUS";
}

}  // namespace parley
