#include "service/demo_data.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

constexpr int64_t kDemoGroup = 1;

class DemoDataTest : public testing::ServiceTestFixture {
 protected:
  DemoDataTest() : ServiceTestFixture(1'700'000'000'000) {}
};

// Upstream's fake data at its default 1000 users: group 1's join requests, invitations, blocked
// users and join question, which Turms clients' own group tests expect.
TEST_F(DemoDataTest, GroupOneHasUpstreamsRequestsInvitationsBlockedUsersAndQuestion) {
  ASSERT_EQ(seedDemoData(*store_, hasher_, clock_, 1000), 1000);

  auto requests = store_->groupJoinRequests().findByGroup(kDemoGroup);
  ASSERT_TRUE(requests.ok());
  ASSERT_EQ(requests->size(), 100u);
  for (const GroupJoinRequestRecord& request : *requests) {
    EXPECT_GE(request.requester_id, 701);
    EXPECT_LE(request.requester_id, 800);
    EXPECT_EQ(request.status, RequestStatus::kPending);
    EXPECT_EQ(request.creation_date, clock_.nowMillis());
  }
  auto invitations = store_->groupInvitations().findByGroup(kDemoGroup);
  ASSERT_TRUE(invitations.ok());
  ASSERT_EQ(invitations->size(), 100u);
  for (const GroupInvitationRecord& invitation : *invitations) {
    EXPECT_EQ(invitation.inviter_id, 1);
    EXPECT_GE(invitation.invitee_id, 801);
    EXPECT_LE(invitation.invitee_id, 900);
  }
  auto blocked = store_->groupBlocklist().findBlocked(kDemoGroup);
  ASSERT_TRUE(blocked.ok());
  ASSERT_EQ(blocked->size(), 100u);
  EXPECT_EQ(blocked->front().user_id, 901);
  EXPECT_EQ(blocked->back().user_id, 1000);
  auto questions = store_->groupJoinQuestions().findByGroup(kDemoGroup);
  ASSERT_TRUE(questions.ok());
  ASSERT_EQ(questions->size(), 1u);
  EXPECT_EQ(questions->front().question, "test-question");
  EXPECT_EQ(questions->front().answers, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(questions->front().score, 20);

  // A second start adds nothing.
  EXPECT_EQ(seedDemoData(*store_, hasher_, clock_, 1000), 0);
}

// Groups 2..5 show every way into a group: each is live, owned by user 1 alone, of a type with
// that join strategy, and group 5's question is worth its minimum score.
TEST_F(DemoDataTest, GroupsTwoToFiveHaveOneJoinStrategyEach) {
  ASSERT_EQ(seedDemoData(*store_, hasher_, clock_, 20), 20);
  const std::pair<int64_t, GroupJoinStrategy> expected[] = {
      {2, GroupJoinStrategy::kInvitation},
      {3, GroupJoinStrategy::kMembershipRequest},
      {4, GroupJoinStrategy::kJoinRequest},
      {5, GroupJoinStrategy::kQuestion}};
  for (const auto& [group_id, strategy] : expected) {
    auto group = store_->groups().findById(group_id);
    ASSERT_TRUE(group.ok() && group->has_value()) << group_id;
    EXPECT_EQ((*group)->owner_id, 1);
    EXPECT_FALSE((*group)->deletion_date.has_value());
    auto type = store_->groupTypes().findById((*group)->type_id);
    ASSERT_TRUE(type.ok() && type->has_value()) << group_id;
    EXPECT_EQ((*type)->join_strategy, strategy) << group_id;
    auto members = store_->groupMembers().findMembers(group_id, {});
    ASSERT_TRUE(members.ok());
    ASSERT_EQ(members->size(), 1u);
    EXPECT_EQ(members->front().user_id, 1);
    EXPECT_EQ(members->front().role, kGroupRoleOwner);
  }
  auto questions = store_->groupJoinQuestions().findByGroup(5);
  ASSERT_TRUE(questions.ok());
  ASSERT_EQ(questions->size(), 1u);
  EXPECT_EQ(questions->front().answers, std::vector<std::string>{"2"});
  auto group = store_->groups().findById(5);
  ASSERT_TRUE(group.ok());
  EXPECT_GE(questions->front().score, (**group).minimum_score);
  EXPECT_GT((**group).minimum_score, 0);
}

TEST_F(DemoDataTest, FewerUsersGetOnlyWhatTheirIdsReach) {
  ASSERT_EQ(seedDemoData(*store_, hasher_, clock_, 850), 850);
  auto requests = store_->groupJoinRequests().findByGroup(kDemoGroup);
  ASSERT_TRUE(requests.ok());
  EXPECT_EQ(requests->size(), 100u);
  auto invitations = store_->groupInvitations().findByGroup(kDemoGroup);
  ASSERT_TRUE(invitations.ok());
  EXPECT_EQ(invitations->size(), 50u);
  auto blocked = store_->groupBlocklist().findBlocked(kDemoGroup);
  ASSERT_TRUE(blocked.ok());
  EXPECT_TRUE(blocked->empty());
}

}  // namespace
}  // namespace parley
