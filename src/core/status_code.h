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

  kUserProfileNotFound = 2301,
  kProfileRequesterNotInContactsOrBlocked = 2302,
  kProfileRequesterHasBeenBlocked = 2303,
  kAddNonRelatedUserToGroup = 2500,
  kCreateExistingRelationship = 2501,
  kUpdateInfoOfNonexistentGroup = 3000,
  kNotGroupOwnerToUpdateGroupInfo = 3001,
  kNotGroupOwnerOrManagerToUpdateGroupInfo = 3002,
  kNotGroupMemberToUpdateGroupInfo = 3003,
  kCreateGroupWithNonexistentGroupType = 3101,
  kNotActiveUserToCreateGroup = 3200,
  kNotGroupOwnerToTransferGroup = 3201,
  kNotGroupOwnerToDeleteGroup = 3202,
  kSuccessorNotGroupMember = 3203,
  kOwnerQuitsWithoutSpecifyingSuccessor = 3204,
  kTransferNonexistentGroup = 3206,
  kAddUserToGroupRequiringInvitation = 3400,
  kAddUserToInactiveGroup = 3401,
  kAddUserToGroupWithRoleHigherThanRequester = 3402,
  kAddUserToGroupWithSizeLimitReached = 3403,
  kAddBlockedUserToGroup = 3404,
  kNotGroupOwnerOrManagerToRemoveGroupMember = 3406,
  kNotGroupOwnerToRemoveGroupOwnerOrManager = 3407,
  kNotGroupOwnerToUpdateGroupMemberRole = 3408,
  kUpdateGroupMemberRoleOfNonexistentGroup = 3409,
  kNotGroupOwnerOrManagerToUpdateGroupMemberInfo = 3411,
  kUpdateGroupMemberInfoOfNonexistentGroup = 3413,
  kUpdateInfoOfNonexistentGroupMember = 3414,
  kNotGroupOwnerOrManagerToMuteGroupMember = 3415,
  kMuteGroupMemberWithRoleEqualToOrHigherThanRequester = 3416,
  kMuteGroupMemberOfNonexistentGroup = 3417,
  kMuteNonexistentGroupMember = 3418,
  kNotGroupMemberToQueryGroupMemberInfo = 3419,
  kGroupInviterNotGroupMember = 3700,
  kUpdatingReadDateIsDisabled = 4000,
  kUpdatingReadDateOfNonexistentGroupConversation = 4002,
  kNotGroupMemberToUpdateReadDateOfGroupConversation = 4003,
  kMovingReadDateForwardIsDisabled = 4004,
  kUpdatingTypingStatusIsDisabled = 4100,
  kNotGroupMemberToSendTypingStatus = 4101,
  kNotFriendToSendTypingStatus = 4102,
  kNotRelatedUserToUpdatePrivateConversationSetting = 4200,
  kNotGroupMemberToUpdateGroupConversationSetting = 4201,
  kMessageRecipientNotActive = 5000,
  kMessageSenderNotInContactsOrBlocked = 5001,
  kPrivateMessageSenderHasBeenBlocked = 5002,
  kGroupMessageSenderHasBeenBlocked = 5003,
  kSendMessageToInactiveGroup = 5004,
  kSendMessageToMutedGroup = 5005,
  kSendMessageToNonexistentGroup = 5006,
  kSendingMessagesToOneselfIsDisabled = 5007,
  kMutedGroupMemberSendMessage = 5008,
  kGuestsHaveBeenMuted = 5009,
  kMessageIsIllegal = 5010,
  kNotMessageRecipientOrSenderToForwardMessage = 5011,
  kUpdatingMessageBySenderIsDisabled = 5100,
  kNotSenderToUpdateMessage = 5101,
  kUpdateMessageOfNonexistentGroup = 5102,
  kUpdatingGroupMessageBySenderIsDisabled = 5103,
  kRecallNonexistentMessage = 5200,
  kRecallingMessageIsDisabled = 5201,
  kNotSenderToRecallMessage = 5202,
  kRecallMessageOfNonexistentGroup = 5203,
  kMessageRecallTimeout = 5204,
  kNotGroupMemberToQueryGroupMessages = 5300,

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
