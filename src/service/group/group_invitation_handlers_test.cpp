#include "service/group/group_invitation_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

constexpr int64_t kGroup = 7;
constexpr int64_t kOwner = 1;
constexpr int64_t kManager = 2;
constexpr int64_t kMember = 3;
constexpr int64_t kOtherMember = 4;
constexpr int64_t kInvitee = 5;
constexpr int64_t kStranger = 6;
constexpr int64_t kDayMillis = 24 * 3600 * 1000;

std::vector<int64_t> sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The real dispatcher over a real SQLite store: group 7 of the DEFAULT type (members invite,
// invitees approve) owned by 1, managed by 2, with members 3 and 4; 5 and 6 are strangers.
class GroupInvitationHandlersTest : public testing::ServiceTestFixture {
 protected:
  GroupInvitationHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (int64_t id = 1; id <= 6; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_NO_FATAL_FAILURE(addGroup(kGroup, kOwner,
                                     {{kOwner, kGroupRoleOwner},
                                      {kManager, kGroupRoleManager},
                                      {kMember, kGroupRoleMember},
                                      {kOtherMember, kGroupRoleMember}}));
    registerGroupInvitationHandlers(dispatcher_, deps());
  }

  HandlerResult invite(int64_t inviter, int64_t invitee, const std::string& content = "join us") {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_create_group_invitation_request();
    req->set_group_id(kGroup);
    req->set_invitee_id(invitee);
    req->set_content(content);
    return dispatch(inviter, request);
  }

  // Invites and returns the new invitation's id.
  int64_t invited(int64_t inviter, int64_t invitee) {
    const HandlerResult result = invite(inviter, invitee);
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    return result.data ? result.data->long_() : 0;
  }

  HandlerResult reply(int64_t requester, int64_t invitation_id, pb::ResponseAction action,
                      std::optional<std::string> reason = std::nullopt) {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_update_group_invitation_request();
    req->set_invitation_id(invitation_id);
    req->set_response_action(action);
    if (reason) req->set_reason(*reason);
    return dispatch(requester, request);
  }

  HandlerResult recall(int64_t requester, int64_t invitation_id) {
    clock_.advance(1);
    TurmsRequest request;
    request.mutable_delete_group_invitation_request()->set_invitation_id(invitation_id);
    return dispatch(requester, request);
  }

  HandlerResult query(int64_t requester, std::optional<int64_t> group_id, bool sent_by_me = false,
                      std::optional<int64_t> since = std::nullopt) {
    TurmsRequest request;
    auto* req = request.mutable_query_group_invitations_request();
    if (group_id) req->set_group_id(*group_id);
    if (sent_by_me) req->set_are_sent_by_me(true);
    if (since) req->set_last_updated_date(*since);
    return dispatch(requester, request);
  }

  // The status a query by the invitee shows for the invitation.
  pb::RequestStatus statusSeenBy(int64_t invitee, int64_t invitation_id) {
    const HandlerResult found = query(invitee, std::nullopt);
    if (!found.data) return static_cast<pb::RequestStatus>(-1);
    for (const auto& invitation :
         found.data->group_invitations_with_version().group_invitations()) {
      if (invitation.id() == invitation_id) return invitation.status();
    }
    return static_cast<pb::RequestStatus>(-1);
  }

  bool isMember(int64_t user) {
    auto member = store_->groupMembers().find(kGroup, user);
    EXPECT_TRUE(member.ok());
    return member.ok() && member->has_value();
  }

  static void expectPushTo(const RelayPush& push, std::vector<int64_t> user_ids) {
    EXPECT_EQ(sorted(push.user_ids), sorted(user_ids));
    EXPECT_TRUE(push.include_requester_other_sessions);
    EXPECT_FALSE(push.request.has_value());  // the client's own request is relayed
  }
};

TEST_F(GroupInvitationHandlersTest, AMemberInvitesAndTheInviteeOwnerAndManagersAreTold) {
  const HandlerResult created = invite(kMember, kInvitee);
  ASSERT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
  ASSERT_TRUE(created.data && created.data->has_long_());
  const int64_t id = created.data->long_();
  ASSERT_EQ(created.pushes.size(), 1u);
  expectPushTo(created.pushes[0], {kOwner, kManager, kInvitee});

  const HandlerResult received = query(kInvitee, std::nullopt);
  ASSERT_EQ(received.status.code, StatusCode::kOk) << received.status.reason;
  const auto& with_version = received.data->group_invitations_with_version();
  ASSERT_EQ(with_version.group_invitations_size(), 1);
  const pb::GroupInvitation& invitation = with_version.group_invitations(0);
  EXPECT_EQ(invitation.id(), id);
  EXPECT_EQ(invitation.group_id(), kGroup);
  EXPECT_EQ(invitation.inviter_id(), kMember);
  EXPECT_EQ(invitation.invitee_id(), kInvitee);
  EXPECT_EQ(invitation.content(), "join us");
  EXPECT_EQ(invitation.status(), pb::PENDING);
  EXPECT_EQ(invitation.creation_date(), clock_.nowMillis());
  EXPECT_EQ(invitation.expiration_date(), clock_.nowMillis() + 30 * kDayMillis);
  EXPECT_EQ(with_version.last_updated_date(), clock_.nowMillis());

  // The inviter sees it among the sent ones, the owner and managers among the group's.
  EXPECT_EQ(query(kMember, std::nullopt, true)
                .data->group_invitations_with_version()
                .group_invitations(0)
                .id(),
            id);
  EXPECT_EQ(query(kManager, kGroup).data->group_invitations_with_version().group_invitations_size(),
            1);
  EXPECT_EQ(query(kMember, kGroup).status.code,
            StatusCode::kNotGroupOwnerOrManagerToQueryGroupInvitation);
  EXPECT_EQ(query(kStranger, std::nullopt).status.code, StatusCode::kNoContent);
  EXPECT_FALSE(isMember(kInvitee));
}

TEST_F(GroupInvitationHandlersTest, InvitationsFollowTheTypesStrategyAndTheGroupsMembers) {
  EXPECT_EQ(invite(kStranger, kInvitee).status.code,
            StatusCode::kNotGroupMemberToSendGroupInvitation);
  EXPECT_EQ(invite(kMember, kOtherMember).status.code,
            StatusCode::kSendGroupInvitationToGroupMember);
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, kStranger, 1, kOwner}, 1).ok());
  EXPECT_EQ(invite(kOwner, kStranger).status.code, StatusCode::kSendGroupInvitationToBlockedUser);
  EXPECT_EQ(invite(kMember, 404).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(invite(kMember, kInvitee, std::string(201, 'x')).status.code,
            StatusCode::kIllegalArgument);

  updateGroupType(kDefaultGroupTypeId,
                  {.invitation_strategy = GroupInvitationStrategy::kOwnerManagerRequiringApproval});
  EXPECT_EQ(invite(kMember, kInvitee).status.code,
            StatusCode::kNotGroupOwnerOrManagerToSendGroupInvitation);
  EXPECT_EQ(invite(kManager, kInvitee).status.code, StatusCode::kOk);
  updateGroupType(kDefaultGroupTypeId,
                  {.invitation_strategy = GroupInvitationStrategy::kOwnerRequiringApproval});
  EXPECT_EQ(invite(kManager, kInvitee).status.code,
            StatusCode::kNotGroupOwnerToSendGroupInvitation);
  EXPECT_EQ(invite(kOwner, kInvitee).status.code, StatusCode::kOk);
  // Where owners add users directly there is nothing to invite to.
  updateGroupType(kDefaultGroupTypeId, {.invitation_strategy = GroupInvitationStrategy::kOwner});
  EXPECT_EQ(invite(kOwner, kInvitee).status.code,
            StatusCode::kSendGroupInvitationToGroupNotRequiringUsersApproval);

  ASSERT_TRUE(store_->groups().softDelete(kGroup, clock_.nowMillis()).ok());
  EXPECT_EQ(invite(kOwner, kInvitee).status.code, StatusCode::kAddUserToInactiveGroup);
}

TEST_F(GroupInvitationHandlersTest, AcceptingJoinsTheGroupAndEveryMemberHearsOfIt) {
  const int64_t id = invited(kMember, kInvitee);
  EXPECT_EQ(reply(kStranger, id, pb::ACCEPT).status.code,
            StatusCode::kNotInviteeToUpdateGroupInvitation);
  EXPECT_EQ(reply(kInvitee, 404, pb::ACCEPT).status.code,
            StatusCode::kNotInviteeToUpdateGroupInvitation);
  EXPECT_EQ(reply(kInvitee, id, pb::ACCEPT, std::string(201, 'x')).status.code,
            StatusCode::kIllegalArgument);

  const HandlerResult accepted = reply(kInvitee, id, pb::ACCEPT);
  ASSERT_EQ(accepted.status.code, StatusCode::kOk) << accepted.status.reason;
  EXPECT_TRUE(isMember(kInvitee));
  EXPECT_EQ(store_->groupMembers().find(kGroup, kInvitee).value()->role, kGroupRoleMember);
  ASSERT_EQ(accepted.pushes.size(), 2u);
  // The reply to the owner, the managers and the inviter; then the new member to everyone.
  expectPushTo(accepted.pushes[0], {kOwner, kManager, kMember});
  const RelayPush& added = accepted.pushes[1];
  EXPECT_EQ(sorted(added.user_ids),
            (std::vector<int64_t>{kOwner, kManager, kMember, kOtherMember, kInvitee}));
  ASSERT_TRUE(added.request.has_value());
  const auto& members = added.request->create_group_members_request();
  EXPECT_EQ(members.group_id(), kGroup);
  EXPECT_EQ(std::vector<int64_t>(members.user_ids().begin(), members.user_ids().end()),
            std::vector<int64_t>{kInvitee});
  EXPECT_EQ(members.role(), pb::MEMBER);

  EXPECT_EQ(statusSeenBy(kInvitee, id), pb::ACCEPTED);
  const HandlerResult again = reply(kInvitee, id, pb::DECLINE);
  EXPECT_EQ(again.status.code, StatusCode::kUpdateNonPendingGroupInvitation);
  EXPECT_EQ(again.status.reason, "The request is under the status ACCEPTED");
}

TEST_F(GroupInvitationHandlersTest, DecliningOrIgnoringLeavesTheInviteeOut) {
  const int64_t declined = invited(kOwner, kInvitee);
  const HandlerResult no = reply(kInvitee, declined, pb::DECLINE, "busy");
  ASSERT_EQ(no.status.code, StatusCode::kOk) << no.status.reason;
  ASSERT_EQ(no.pushes.size(), 1u);
  expectPushTo(no.pushes[0], {kOwner, kManager});  // the owner is the inviter
  EXPECT_EQ(statusSeenBy(kInvitee, declined), pb::DECLINED);

  const int64_t ignored = invited(kMember, kInvitee);
  ASSERT_EQ(reply(kInvitee, ignored, pb::IGNORE).status.code, StatusCode::kOk);
  EXPECT_EQ(statusSeenBy(kInvitee, ignored), pb::IGNORED);
  EXPECT_FALSE(isMember(kInvitee));
  EXPECT_EQ(reply(kInvitee, ignored, static_cast<pb::ResponseAction>(99)).status.code,
            StatusCode::kIllegalArgument);
}

TEST_F(GroupInvitationHandlersTest, AnInvitationExpiresAfterThirtyDays) {
  const int64_t id = invited(kMember, kInvitee);
  clock_.advance(30 * kDayMillis + 1);
  EXPECT_EQ(statusSeenBy(kInvitee, id), pb::EXPIRED);
  const HandlerResult late = reply(kInvitee, id, pb::ACCEPT);
  EXPECT_EQ(late.status.code, StatusCode::kUpdateNonPendingGroupInvitation);
  EXPECT_EQ(late.status.reason, "The request is under the status EXPIRED");
  EXPECT_FALSE(isMember(kInvitee));
}

TEST_F(GroupInvitationHandlersTest, AcceptingKeepsTheGroupsRules) {
  const int64_t id = invited(kMember, kInvitee);
  updateGroupType(kDefaultGroupTypeId, {.group_size_limit = 4});
  EXPECT_EQ(reply(kInvitee, id, pb::ACCEPT).status.code,
            StatusCode::kAddUserToGroupWithSizeLimitReached);
  updateGroupType(kDefaultGroupTypeId, {.group_size_limit = 5});
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, kInvitee, 1, kOwner}, 1).ok());
  EXPECT_EQ(reply(kInvitee, id, pb::ACCEPT).status.code, StatusCode::kAddBlockedUserToGroup);
  ASSERT_TRUE(store_->groupBlocklist().unblock(kGroup, kInvitee, clock_.nowMillis()).ok());
  // Still pending after both refusals.
  EXPECT_EQ(reply(kInvitee, id, pb::ACCEPT).status.code, StatusCode::kOk);
  EXPECT_TRUE(isMember(kInvitee));
}

TEST_F(GroupInvitationHandlersTest, RecallingIsOffByDefaultAndThenFollowsItsSwitches) {
  const int64_t id = invited(kMember, kInvitee);
  EXPECT_EQ(recall(kMember, id).status.code, StatusCode::kRecallingGroupInvitationIsDisabled);

  group_config_.invitation.allow_recall_by_owner_and_manager = true;
  EXPECT_EQ(recall(kMember, id).status.code,
            StatusCode::kNotGroupOwnerOrManagerToRecallGroupInvitation);
  EXPECT_EQ(recall(kMember, 404).status.code,
            StatusCode::kNotGroupOwnerOrManagerToRecallGroupInvitation);
  const HandlerResult by_manager = recall(kManager, id);
  ASSERT_EQ(by_manager.status.code, StatusCode::kOk) << by_manager.status.reason;
  ASSERT_EQ(by_manager.pushes.size(), 1u);
  expectPushTo(by_manager.pushes[0], {kOwner, kInvitee});
  EXPECT_EQ(statusSeenBy(kInvitee, id), pb::CANCELED);
  EXPECT_EQ(recall(kManager, id).status.code, StatusCode::kRecallNonPendingGroupInvitation);
  EXPECT_EQ(reply(kInvitee, id, pb::ACCEPT).status.code,
            StatusCode::kUpdateNonPendingGroupInvitation);

  group_config_.invitation.allow_recall_by_owner_and_manager = false;
  group_config_.invitation.allow_recall_by_sender = true;
  const int64_t second = invited(kMember, kInvitee);
  EXPECT_EQ(recall(kOwner, second).status.code,
            StatusCode::kNotGroupOwnerOrManagerOrSenderToRecallGroupInvitation);
  EXPECT_EQ(recall(kMember, second).status.code, StatusCode::kOk);
}

TEST_F(GroupInvitationHandlersTest, QueriesAreVersioned) {
  const int64_t id = invited(kMember, kInvitee);
  const int64_t received =
      query(kInvitee, std::nullopt).data->group_invitations_with_version().last_updated_date();
  const int64_t of_group =
      query(kOwner, kGroup).data->group_invitations_with_version().last_updated_date();
  EXPECT_EQ(query(kInvitee, std::nullopt, false, received).status.code,
            StatusCode::kAlreadyUpToDate);
  EXPECT_EQ(query(kOwner, kGroup, false, of_group).status.code, StatusCode::kAlreadyUpToDate);

  ASSERT_EQ(reply(kInvitee, id, pb::DECLINE).status.code, StatusCode::kOk);
  // Each copy is out of date once the invitation changed.
  EXPECT_EQ(query(kInvitee, std::nullopt, false, received).status.code, StatusCode::kOk);
  EXPECT_EQ(query(kOwner, kGroup, false, of_group).status.code, StatusCode::kOk);
  const int64_t sent =
      query(kMember, std::nullopt, true).data->group_invitations_with_version().last_updated_date();
  EXPECT_EQ(sent, clock_.nowMillis());
}

TEST_F(GroupInvitationHandlersTest, CleanupDeletesExpiredInvitationsOnlyWhenAsked) {
  invited(kMember, kInvitee);
  clock_.advance(31 * kDayMillis);
  const int64_t recent = invited(kMember, kInvitee);
  runGroupInvitationCleanup(*store_, group_config_.invitation, clock_.nowMillis(), true);
  EXPECT_EQ(store_->groupInvitations().findByInvitee(kInvitee).value().size(), 2u);

  group_config_.invitation.delete_expired = true;
  runGroupInvitationCleanup(*store_, group_config_.invitation, clock_.nowMillis(), false);
  EXPECT_EQ(store_->groupInvitations().findByInvitee(kInvitee).value().size(), 2u);
  runGroupInvitationCleanup(*store_, group_config_.invitation, clock_.nowMillis(), true);
  const auto left = store_->groupInvitations().findByInvitee(kInvitee).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, recent);
}

}  // namespace
}  // namespace parley
