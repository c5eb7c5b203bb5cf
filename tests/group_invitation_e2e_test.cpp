// Group invitations through real sockets, on SQLite and on MongoDB (FerretDB): in a group of the
// DEFAULT type (users join by accepting an invitation) a member invites a user, who is told, sees
// it among their invitations and accepts; the group's members are then told of the new member, who
// can send to the group. The owner cannot add users directly there.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

using requests::kRequestTimeout;
using requests::loggedIn;

constexpr int64_t kOwner = 1;
constexpr int64_t kMember = 2;
constexpr int64_t kInvitee = 9;

class GroupInvitationTest : public SharedParleyOnBackend<GroupInvitationTest> {
 public:
  static ParleyOptions parleyOptions() { return {.demo_user_count = 20}; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, GroupInvitationTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, GroupInvitationTest, ::testing::Values(Backend::kMongo));

TEST_P(GroupInvitationTest, AnInviteeAcceptsAndJoinsTheGroup) {
  auto owner = loggedIn(*parley_, kOwner);
  // A DEFAULT group (no type given) with one member besides its owner: users are invited there.
  pb::TurmsRequest create;
  create.mutable_create_group_request()->set_name("invitations");
  const auto created = owner->request(create, kRequestTimeout);
  ASSERT_EQ(created.code(), 1000);
  const int64_t group = created.data().long_();
  pb::TurmsRequest add;
  add.mutable_create_group_members_request()->set_group_id(group);
  add.mutable_create_group_members_request()->add_user_ids(kMember);
  EXPECT_EQ(owner->request(add, kRequestTimeout).code(), 3400);  // requires the user's approval

  pb::TurmsRequest invite_member;
  invite_member.mutable_create_group_invitation_request()->set_group_id(group);
  invite_member.mutable_create_group_invitation_request()->set_invitee_id(kMember);
  const auto member_invited = owner->request(invite_member, kRequestTimeout);
  ASSERT_EQ(member_invited.code(), 1000);
  auto member = loggedIn(*parley_, kMember);
  pb::TurmsRequest accept;
  accept.mutable_update_group_invitation_request()->set_invitation_id(
      member_invited.data().long_());
  accept.mutable_update_group_invitation_request()->set_response_action(pb::ACCEPT);
  ASSERT_EQ(member->request(accept, kRequestTimeout).code(), 1000);

  // Now the member invites another user, who is online.
  auto invitee = loggedIn(*parley_, kInvitee);
  pb::TurmsRequest invite;
  invite.mutable_create_group_invitation_request()->set_group_id(group);
  invite.mutable_create_group_invitation_request()->set_invitee_id(kInvitee);
  invite.mutable_create_group_invitation_request()->set_content("come along");
  const auto invited = member->request(invite, kRequestTimeout);
  ASSERT_EQ(invited.code(), 1000);
  const int64_t invitation_id = invited.data().long_();
  const auto told = invitee->waitFor(
      [](const Frame& frame) {
        return isRelayed(frame, pb::TurmsRequest::kCreateGroupInvitationRequest);
      },
      5s);
  ASSERT_TRUE(told.has_value());
  EXPECT_EQ(told->notification.relayed_request().create_group_invitation_request().content(),
            "come along");
  EXPECT_TRUE(owner
                  ->waitFor(
                      [](const Frame& frame) {
                        return isRelayed(frame, pb::TurmsRequest::kCreateGroupInvitationRequest);
                      },
                      5s)
                  .has_value());

  pb::TurmsRequest query;
  query.mutable_query_group_invitations_request();
  const auto received = invitee->request(query, kRequestTimeout);
  ASSERT_EQ(received.code(), 1000);
  const auto& invitations = received.data().group_invitations_with_version();
  ASSERT_EQ(invitations.group_invitations_size(), 1);
  EXPECT_EQ(invitations.group_invitations(0).id(), invitation_id);
  EXPECT_EQ(invitations.group_invitations(0).status(), pb::PENDING);
  EXPECT_EQ(invitations.group_invitations(0).inviter_id(), kMember);
  const int64_t version = invitations.last_updated_date();
  query.mutable_query_group_invitations_request()->set_last_updated_date(version);
  EXPECT_EQ(invitee->request(query, kRequestTimeout).code(), 1002);

  accept.mutable_update_group_invitation_request()->set_invitation_id(invitation_id);
  ASSERT_EQ(invitee->request(accept, kRequestTimeout).code(), 1000);
  // Every member hears of the new one; the inviter also of the reply.
  for (TurmsClient* client : {owner.get(), member.get()}) {
    // (The owner was told of the first member's joining too.)
    const auto joined = client->waitFor(
        [](const Frame& frame) {
          if (!isRelayed(frame, pb::TurmsRequest::kCreateGroupMembersRequest)) return false;
          const auto& ids =
              frame.notification.relayed_request().create_group_members_request().user_ids();
          return ids.size() == 1 && ids[0] == kInvitee;
        },
        5s);
    ASSERT_TRUE(joined.has_value());
    const auto& added = joined->notification.relayed_request().create_group_members_request();
    EXPECT_EQ(added.group_id(), group);
    ASSERT_EQ(added.user_ids_size(), 1);
    EXPECT_EQ(added.user_ids(0), kInvitee);
  }
  EXPECT_TRUE(member
                  ->waitFor(
                      [](const Frame& frame) {
                        return isRelayed(frame, pb::TurmsRequest::kUpdateGroupInvitationRequest);
                      },
                      5s)
                  .has_value());
  EXPECT_EQ(invitee->request(query, kRequestTimeout).code(), 1000);  // its status changed
  EXPECT_EQ(invitee->request(accept, kRequestTimeout).code(), 3710);

  pb::TurmsRequest say;
  say.mutable_create_message_request()->set_group_id(group);
  say.mutable_create_message_request()->set_text("hello all");
  EXPECT_EQ(invitee->request(say, kRequestTimeout).code(), 1000);
}

}  // namespace
}  // namespace parley::testing
