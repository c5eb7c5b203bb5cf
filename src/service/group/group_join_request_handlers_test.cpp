#include "service/group/group_join_request_handlers.h"

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
constexpr int64_t kSender = 5;
constexpr int64_t kStranger = 6;
constexpr int64_t kDayMillis = 24 * 3600 * 1000;

std::vector<int64_t> sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The real dispatcher over a real SQLite store: group 7 owned by 1, managed by 2, with member 3,
// of the DEFAULT type switched to the JOIN_REQUEST join strategy; 5 and 6 are strangers.
class GroupJoinRequestHandlersTest : public testing::ServiceTestFixture {
 protected:
  GroupJoinRequestHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (int64_t id = 1; id <= 6; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_NO_FATAL_FAILURE(addGroup(
        kGroup, kOwner,
        {{kOwner, kGroupRoleOwner}, {kManager, kGroupRoleManager}, {kMember, kGroupRoleMember}}));
    ASSERT_NO_FATAL_FAILURE(
        updateGroupType(kDefaultGroupTypeId, {.join_strategy = GroupJoinStrategy::kJoinRequest}));
    registerGroupJoinRequestHandlers(dispatcher_, deps());
  }

  HandlerResult ask(int64_t sender, const std::string& content = "let me in") {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_create_group_join_request_request();
    req->set_group_id(kGroup);
    req->set_content(content);
    return dispatch(sender, request);
  }

  int64_t asked(int64_t sender) {
    const HandlerResult result = ask(sender);
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    return result.data ? result.data->long_() : 0;
  }

  HandlerResult answer(int64_t responder, int64_t request_id, pb::ResponseAction action,
                       std::optional<std::string> reason = std::nullopt) {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_update_group_join_request_request();
    req->set_request_id(request_id);
    req->set_response_action(action);
    if (reason) req->set_reason(*reason);
    return dispatch(responder, request);
  }

  HandlerResult recall(int64_t requester, int64_t request_id) {
    clock_.advance(1);
    TurmsRequest request;
    request.mutable_delete_group_join_request_request()->set_request_id(request_id);
    return dispatch(requester, request);
  }

  HandlerResult query(int64_t requester, std::optional<int64_t> group_id,
                      std::optional<int64_t> since = std::nullopt) {
    TurmsRequest request;
    auto* req = request.mutable_query_group_join_requests_request();
    if (group_id) req->set_group_id(*group_id);
    if (since) req->set_last_updated_date(*since);
    return dispatch(requester, request);
  }

  // The request as its sender's query shows it.
  std::optional<pb::GroupJoinRequest> seenBySender(int64_t sender, int64_t request_id) {
    const HandlerResult found = query(sender, std::nullopt);
    if (!found.data) return std::nullopt;
    for (const auto& request :
         found.data->group_join_requests_with_version().group_join_requests()) {
      if (request.id() == request_id) return request;
    }
    return std::nullopt;
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

TEST_F(GroupJoinRequestHandlersTest, AStrangerAsksAndTheOwnerAndManagersAreTold) {
  const HandlerResult created = ask(kSender);
  ASSERT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
  ASSERT_TRUE(created.data && created.data->has_long_());
  const int64_t id = created.data->long_();
  ASSERT_EQ(created.pushes.size(), 1u);
  expectPushTo(created.pushes[0], {kOwner, kManager});

  const auto seen = seenBySender(kSender, id);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->group_id(), kGroup);
  EXPECT_EQ(seen->requester_id(), kSender);
  EXPECT_FALSE(seen->has_responder_id());
  EXPECT_EQ(seen->content(), "let me in");
  EXPECT_EQ(seen->status(), pb::PENDING);
  EXPECT_EQ(seen->creation_date(), clock_.nowMillis());
  EXPECT_EQ(seen->expiration_date(), clock_.nowMillis() + 30 * kDayMillis);

  EXPECT_EQ(
      query(kManager, kGroup).data->group_join_requests_with_version().group_join_requests_size(),
      1);
  EXPECT_EQ(query(kMember, kGroup).status.code,
            StatusCode::kNotGroupOwnerOrManagerToQueryGroupJoinRequest);
  EXPECT_EQ(query(kStranger, std::nullopt).status.code, StatusCode::kNoContent);
  EXPECT_FALSE(isMember(kSender));
}

TEST_F(GroupJoinRequestHandlersTest, OnlyOutsidersAskAndOnlyUnderTheJoinRequestStrategy) {
  EXPECT_EQ(ask(kMember).status.code, StatusCode::kGroupMemberSendGroupJoinRequest);
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, kStranger, 1, kOwner}, 1).ok());
  EXPECT_EQ(ask(kStranger).status.code, StatusCode::kBlockedUserSendGroupJoinRequest);
  EXPECT_EQ(ask(kSender, std::string(201, 'x')).status.code, StatusCode::kIllegalArgument);
  const std::pair<GroupJoinStrategy, StatusCode> other_ways[] = {
      {GroupJoinStrategy::kMembershipRequest,
       StatusCode::kSendGroupJoinRequestToGroupUsingMembershipRequest},
      {GroupJoinStrategy::kInvitation, StatusCode::kSendGroupJoinRequestToGroupUsingInvitation},
      {GroupJoinStrategy::kQuestion, StatusCode::kSendGroupJoinRequestToGroupUsingQuestion},
  };
  for (const auto& [strategy, code] : other_ways) {
    updateGroupType(kDefaultGroupTypeId, {.join_strategy = strategy});
    EXPECT_EQ(ask(kSender).status.code, code);
  }
  updateGroupType(kDefaultGroupTypeId, {.join_strategy = GroupJoinStrategy::kJoinRequest});
  ASSERT_TRUE(store_->groups().softDelete(kGroup, clock_.nowMillis()).ok());
  EXPECT_EQ(ask(kSender).status.code, StatusCode::kSendGroupJoinRequestToInactiveGroup);
}

TEST_F(GroupJoinRequestHandlersTest, AManagerAcceptsAndEveryMemberHearsOfTheNewOne) {
  const int64_t id = asked(kSender);
  EXPECT_EQ(answer(kMember, id, pb::ACCEPT).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupJoinRequest);
  EXPECT_EQ(answer(kManager, 404, pb::ACCEPT).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupJoinRequest);
  EXPECT_EQ(answer(kManager, id, pb::ACCEPT, std::string(201, 'x')).status.code,
            StatusCode::kIllegalArgument);

  const HandlerResult accepted = answer(kManager, id, pb::ACCEPT, "welcome");
  ASSERT_EQ(accepted.status.code, StatusCode::kOk) << accepted.status.reason;
  EXPECT_TRUE(isMember(kSender));
  ASSERT_EQ(accepted.pushes.size(), 2u);
  // The answer to the owner, the other managers and the sender; then the new member to everyone.
  expectPushTo(accepted.pushes[0], {kOwner, kSender});
  const RelayPush& added = accepted.pushes[1];
  EXPECT_EQ(sorted(added.user_ids), (std::vector<int64_t>{kOwner, kManager, kMember, kSender}));
  ASSERT_TRUE(added.request.has_value());
  EXPECT_EQ(added.request->create_group_members_request().user_ids(0), kSender);
  EXPECT_EQ(added.request->create_group_members_request().role(), pb::MEMBER);

  const auto seen = seenBySender(kSender, id);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->status(), pb::ACCEPTED);
  EXPECT_EQ(seen->responder_id(), kManager);
  const HandlerResult again = answer(kOwner, id, pb::DECLINE);
  EXPECT_EQ(again.status.code, StatusCode::kUpdateNonPendingGroupJoinRequest);
  EXPECT_EQ(again.status.reason, "The request is under the status ACCEPTED");
}

TEST_F(GroupJoinRequestHandlersTest, DecliningLeavesTheSenderOutAndExpiredOnesCannotBeAnswered) {
  const int64_t declined = asked(kSender);
  const HandlerResult no = answer(kOwner, declined, pb::DECLINE, "full");
  ASSERT_EQ(no.status.code, StatusCode::kOk) << no.status.reason;
  ASSERT_EQ(no.pushes.size(), 1u);
  expectPushTo(no.pushes[0], {kManager, kSender});
  EXPECT_EQ(seenBySender(kSender, declined)->status(), pb::DECLINED);
  EXPECT_FALSE(isMember(kSender));

  const int64_t late = asked(kSender);
  clock_.advance(30 * kDayMillis + 1);
  EXPECT_EQ(seenBySender(kSender, late)->status(), pb::EXPIRED);
  EXPECT_EQ(answer(kOwner, late, pb::ACCEPT).status.code,
            StatusCode::kUpdateNonPendingGroupJoinRequest);
  EXPECT_FALSE(isMember(kSender));
}

TEST_F(GroupJoinRequestHandlersTest, AcceptingKeepsTheGroupsRules) {
  const int64_t id = asked(kSender);
  updateGroupType(kDefaultGroupTypeId, {.group_size_limit = 3});
  EXPECT_EQ(answer(kOwner, id, pb::ACCEPT).status.code,
            StatusCode::kAddUserToGroupWithSizeLimitReached);
  updateGroupType(kDefaultGroupTypeId, {.group_size_limit = 4});
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, kSender, 1, kOwner}, 1).ok());
  EXPECT_EQ(answer(kOwner, id, pb::ACCEPT).status.code, StatusCode::kAddBlockedUserToGroup);
  ASSERT_TRUE(store_->groupBlocklist().unblock(kGroup, kSender, clock_.nowMillis()).ok());
  EXPECT_EQ(answer(kOwner, id, pb::ACCEPT).status.code, StatusCode::kOk);
  EXPECT_TRUE(isMember(kSender));
}

TEST_F(GroupJoinRequestHandlersTest, RecallingIsOffByDefaultAndOnlyTheSendersOwn) {
  const int64_t id = asked(kSender);
  EXPECT_EQ(recall(kSender, id).status.code, StatusCode::kRecallingGroupJoinRequestIsDisabled);
  group_config_.join_request.allow_recall_by_sender = true;
  EXPECT_EQ(recall(kStranger, id).status.code, StatusCode::kNotSenderToRecallGroupJoinRequest);
  EXPECT_EQ(recall(kSender, 404).status.code, StatusCode::kNotSenderToRecallGroupJoinRequest);
  const HandlerResult recalled = recall(kSender, id);
  ASSERT_EQ(recalled.status.code, StatusCode::kOk) << recalled.status.reason;
  ASSERT_EQ(recalled.pushes.size(), 1u);
  expectPushTo(recalled.pushes[0], {kOwner, kManager});
  EXPECT_EQ(seenBySender(kSender, id)->status(), pb::CANCELED);
  EXPECT_EQ(recall(kSender, id).status.code, StatusCode::kRecallNonPendingGroupJoinRequest);
  EXPECT_EQ(answer(kOwner, id, pb::ACCEPT).status.code,
            StatusCode::kUpdateNonPendingGroupJoinRequest);
}

TEST_F(GroupJoinRequestHandlersTest, QueriesAreVersioned) {
  const int64_t id = asked(kSender);
  const int64_t sent =
      query(kSender, std::nullopt).data->group_join_requests_with_version().last_updated_date();
  const int64_t of_group =
      query(kOwner, kGroup).data->group_join_requests_with_version().last_updated_date();
  EXPECT_EQ(query(kSender, std::nullopt, sent).status.code, StatusCode::kAlreadyUpToDate);
  EXPECT_EQ(query(kOwner, kGroup, of_group).status.code, StatusCode::kAlreadyUpToDate);
  ASSERT_EQ(answer(kOwner, id, pb::IGNORE).status.code, StatusCode::kOk);
  EXPECT_EQ(query(kSender, std::nullopt, sent).status.code, StatusCode::kOk);
  EXPECT_EQ(query(kOwner, kGroup, of_group).status.code, StatusCode::kOk);
}

TEST_F(GroupJoinRequestHandlersTest, CleanupDeletesExpiredRequestsOnlyWhenAsked) {
  asked(kSender);
  clock_.advance(31 * kDayMillis);
  const int64_t recent = asked(kSender);
  runGroupJoinRequestCleanup(*store_, group_config_.join_request, clock_.nowMillis(), true);
  EXPECT_EQ(store_->groupJoinRequests().findByRequester(kSender).value().size(), 2u);
  group_config_.join_request.delete_expired = true;
  runGroupJoinRequestCleanup(*store_, group_config_.join_request, clock_.nowMillis(), true);
  const auto left = store_->groupJoinRequests().findByRequester(kSender).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, recent);
}

}  // namespace
}  // namespace parley
