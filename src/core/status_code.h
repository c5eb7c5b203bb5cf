#pragma once
// Turms response status codes as clients see them (TurmsNotification.code): every code of
// upstream's ResponseStatusCode (turms-server-common, access/common/ResponseStatusCode.java),
// with its number and, in CamelCase, its name. Clients switch on the number: never renumber,
// and give a code only the meaning upstream gives it (status_code_test pins the table).
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

  kUnauthorized = 1300,
  kNoFilterForDeleteOperation = 1301,
  kResourceNotFound = 1302,
  kDuplicateResource = 1303,
  kAdminRequestsTooFrequent = 1304,
  kDumpJfrInIllegalStatus = 1310,
  kJavascriptPluginIsDisabled = 1320,
  kSavingJavaPluginIsDisabled = 1321,
  kSavingJavascriptPluginIsDisabled = 1322,

  kIpBlocklistIsDisabled = 1400,
  kUserIdBlocklistIsDisabled = 1401,

  kDebugIsDisabled = 1500,

  kNonexistentMemberToBeLeader = 1800,
  kNoQualifiedMemberToBeLeader = 1801,
  kNotQualifiedMemberToBeLeader = 1802,

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
  kQueryingNearestUsersBySessionIdIsDisabled = 2201,

  kUpdateInfoOfNonexistentUser = 2300,
  kNotFriendToQueryUserProfile = 2301,
  kBlockedUserToQueryUserProfile = 2302,

  kQueryPermissionOfNonexistentUser = 2400,

  kAddNonRelatedUserToGroup = 2500,
  kCreateExistingRelationship = 2501,
  kCannotBlockOneself = 2502,

  kCreateExistingFriendRequest = 2600,
  kBlockedUserToSendFriendRequest = 2601,
  kRecallNonPendingFriendRequest = 2602,
  kRecallingFriendRequestIsDisabled = 2603,
  kNotSenderToRecallFriendRequest = 2604,
  kUpdateNonPendingFriendRequest = 2605,
  kNotRecipientToUpdateFriendRequest = 2606,

  kUpdateInfoOfNonexistentGroup = 3000,
  kNotGroupOwnerToUpdateGroupInfo = 3001,
  kNotGroupOwnerOrManagerToUpdateGroupInfo = 3002,
  kNotGroupMemberToUpdateGroupInfo = 3003,

  kNoPermissionToCreateGroupWithGroupType = 3100,
  kCreateGroupWithNonexistentGroupType = 3101,
  kUpdatingGroupTypeIsDisabled = 3102,
  kNotGroupOwnerToUpdateGroupType = 3103,
  kNoPermissionToUpdateGroupToGroupType = 3104,
  kUpdateGroupToNonexistentGroupType = 3105,

  kNotActiveUserToCreateGroup = 3200,
  kNotGroupOwnerToTransferGroup = 3201,
  kNotGroupOwnerToDeleteGroup = 3202,
  kGroupSuccessorNotGroupMember = 3203,
  kGroupOwnerQuitWithoutSpecifyingSuccessor = 3204,
  kMaxOwnedGroupsReached = 3205,
  kTransferNonexistentGroup = 3206,

  kNotGroupOwnerOrManagerToCreateGroupQuestion = 3300,
  kNotGroupOwnerOrManagerToDeleteGroupQuestion = 3301,
  kNotGroupOwnerOrManagerToUpdateGroupQuestion = 3302,
  kNotGroupOwnerOrManagerToQueryGroupQuestionAnswer = 3303,
  kCreateGroupQuestionForInactiveGroup = 3304,
  kCreateGroupQuestionForGroupUsingJoinRequest = 3305,
  kCreateGroupQuestionForGroupUsingInvitation = 3306,
  kCreateGroupQuestionForGroupUsingMembershipRequest = 3307,
  kGroupQuestionAnswererHasBeenBlocked = 3308,
  kGroupMemberAnswerGroupQuestion = 3309,
  kAnswerInactiveGroupQuestion = 3310,
  kAnswerGroupQuestionOfInactiveGroup = 3311,

  kAddUserToGroupRequiringUsersApproval = 3400,
  kAddUserToInactiveGroup = 3401,
  kNotGroupOwnerToAddGroupManager = 3402,
  kAddUserToGroupWithSizeLimitReached = 3403,
  kAddBlockedUserToGroup = 3404,
  kNotGroupOwnerToAddGroupMember = 3405,
  kNotGroupOwnerOrManagerToAddGroupMember = 3406,
  kNotGroupMemberToAddGroupMember = 3407,
  kNotGroupOwnerOrManagerToRemoveGroupMember = 3408,
  kNotGroupOwnerToRemoveGroupOwnerOrManager = 3409,
  kNotGroupOwnerToUpdateGroupMemberRole = 3410,
  kUpdateGroupMemberRoleOfNonexistentGroup = 3411,
  kNotGroupOwnerToUpdateGroupMemberInfo = 3412,
  kNotGroupOwnerOrManagerToUpdateGroupMemberInfo = 3413,
  kNotGroupMemberToUpdateGroupMemberInfo = 3414,
  kUpdateGroupMemberInfoOfNonexistentGroup = 3415,
  kUpdateInfoOfNonexistentGroupMember = 3416,
  kNotGroupOwnerOrManagerToMuteGroupMember = 3417,
  kMuteGroupMemberWithRoleEqualToOrHigherThanRequester = 3418,
  kMuteGroupMemberOfNonexistentGroup = 3419,
  kMuteNonexistentGroupMember = 3420,
  kNotGroupMemberToQueryGroupMemberInfo = 3421,
  kUserJoinGroupWithoutAcceptingGroupInvitation = 3422,
  kUserJoinGroupWithoutAnsweringGroupQuestion = 3423,
  kUserJoinGroupWithoutSendingGroupJoinRequest = 3424,

  kNotGroupOwnerOrManagerToAddBlockedUser = 3500,
  kNotGroupOwnerOrManagerToRemoveBlockedUser = 3501,

  kBlockedUserSendGroupJoinRequest = 3600,
  kGroupMemberSendGroupJoinRequest = 3601,
  kNotSenderToRecallGroupJoinRequest = 3602,
  kNotGroupOwnerOrManagerToQueryGroupJoinRequest = 3603,
  kRecallNonPendingGroupJoinRequest = 3604,
  kSendGroupJoinRequestToInactiveGroup = 3605,
  kSendGroupJoinRequestToGroupUsingMembershipRequest = 3606,
  kSendGroupJoinRequestToGroupUsingInvitation = 3607,
  kSendGroupJoinRequestToGroupUsingQuestion = 3608,
  kRecallingGroupJoinRequestIsDisabled = 3609,
  kUpdateNonPendingGroupJoinRequest = 3610,
  kNotGroupOwnerOrManagerToUpdateGroupJoinRequest = 3611,

  kSendGroupInvitationToGroupMember = 3700,
  kSendGroupInvitationToBlockedUser = 3701,
  kSendGroupInvitationToGroupNotRequiringUsersApproval = 3702,
  kNotGroupOwnerToSendGroupInvitation = 3703,
  kNotGroupOwnerOrManagerToSendGroupInvitation = 3704,
  kNotGroupMemberToSendGroupInvitation = 3705,
  kRecallingGroupInvitationIsDisabled = 3706,
  kNotGroupOwnerOrManagerToRecallGroupInvitation = 3707,
  kNotGroupOwnerOrManagerOrSenderToRecallGroupInvitation = 3708,
  kRecallNonPendingGroupInvitation = 3709,
  kUpdateNonPendingGroupInvitation = 3710,
  kNotInviteeToUpdateGroupInvitation = 3711,
  kNotGroupOwnerOrManagerToQueryGroupInvitation = 3712,

  kUpdatingReadDateIsDisabled = 4000,
  kUpdatingReadDateIsDisabledByGroup = 4001,
  kUpdatingReadDateOfNonexistentGroupConversation = 4002,
  kNotGroupMemberToUpdateReadDateOfGroupConversation = 4003,
  kMovingReadDateForwardIsDisabled = 4004,

  kUpdatingTypingStatusIsDisabled = 4100,
  kNotGroupMemberToSendTypingStatus = 4101,
  kNotFriendToSendTypingStatus = 4102,

  kNotRelatedUserToUpdatePrivateConversationSetting = 4200,
  kNotGroupMemberToUpdateGroupConversationSetting = 4201,

  kMessageRecipientNotActive = 5000,
  kNotFriendToSendPrivateMessage = 5001,
  kBlockedUserSendPrivateMessage = 5002,
  kBlockedUserSendGroupMessage = 5003,
  kSendMessageToInactiveGroup = 5004,
  kSendMessageToMutedGroup = 5005,
  kSendMessageToNonexistentGroup = 5006,
  kSendingMessagesToOneselfIsDisabled = 5007,
  kMutedGroupMemberSendMessage = 5008,
  kNotSpeakableGroupGuestToSendMessage = 5009,
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

  kNotFriendToUploadMessageAttachmentInPrivateConversation = 6100,
  kNotGroupMemberToUploadMessageAttachmentInGroupConversation = 6101,
  kNotUploaderToShareMessageAttachment = 6102,
  kNotUploaderOrGroupManagerToUnshareMessageAttachmentInGroupConversation = 6103,
  kNotUploaderToUnshareMessageAttachmentInPrivateConversation = 6104,
  kNotUploaderOrGroupManagerToDeleteMessageAttachmentInGroupConversation = 6105,
  kNotUploaderToDeleteMessageAttachmentInPrivateConversation = 6106,
  kNotUploaderOrSharedWithUserToDownloadMessageAttachment = 6107,
  kNotFriendToQueryMessageAttachmentInfoInPrivateConversation = 6130,
  kNotGroupMemberToQueryMessageAttachmentInfoInGroupConversation = 6131,

  kSearchingUserIsDisabled = 7100,

  kSearchingGroupIsDisabled = 7200,

  kConferenceNotImplemented = 8000,

  kCreateMeetingExceedingMaxActiveMeetingCount = 8100,
  kNotCreatorToCancelMeeting = 8101,
  kCancelingMeetingIsDisabled = 8102,
  kCancelNonexistentMeeting = 8103,
  kNotCreatorToUpdateMeetingPassword = 8104,
  kUpdateInfoOfNonexistentMeeting = 8105,

  kAcceptMeetingInvitationWithWrongPassword = 8200,
  kAcceptMeetingInvitationOfCanceledMeeting = 8201,
  kAcceptMeetingInvitationOfEndedMeeting = 8202,
  kAcceptMeetingInvitationOfExpiredMeeting = 8203,
  kAcceptMeetingInvitationOfPendingMeeting = 8204,
  kAcceptNonexistentMeetingInvitation = 8205,
};

constexpr int32_t toInt(StatusCode code) { return static_cast<int32_t>(code); }

// Success codes are 1000 <= code < 1100 (what turms-client-js's isSuccessCode checks).
constexpr bool isSuccess(StatusCode code) { return toInt(code) >= 1000 && toInt(code) < 1100; }

// Server errors (12xx) carry no reason to clients unless configured otherwise, as upstream.
constexpr bool isServerError(StatusCode code) { return toInt(code) >= 1200 && toInt(code) < 1300; }

// The upstream enum name, e.g. "LOGIN_AUTHENTICATION_FAILED"; used in logs and metrics labels.
std::string_view statusName(StatusCode code);

}  // namespace parley
