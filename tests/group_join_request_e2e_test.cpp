// Group join requests through real sockets, on SQLite and on MongoDB (FerretDB): a stranger asks
// to join a group of the demo type "join-request", its owner is told and accepts, and the new
// member is told and can send to the group.
#include <gtest/gtest.h>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

using requests::kRequestTimeout;
using requests::loggedIn;

constexpr int64_t kOwner = 1;
constexpr int64_t kSender = 9;

class GroupJoinRequestTest : public SharedParleyOnBackend<GroupJoinRequestTest> {
 public:
  static ParleyOptions parleyOptions() { return {.demo_user_count = 20}; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, GroupJoinRequestTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, GroupJoinRequestTest, ::testing::Values(Backend::kMongo));

TEST_P(GroupJoinRequestTest, AStrangerAsksTheOwnerAcceptsAndTheNewMemberIsIn) {
  auto owner = loggedIn(*parley_, kOwner);
  const int64_t group = requests::createGroupWith(*owner, {2}, requests::kJoinRequestGroupTypeId);
  auto sender = loggedIn(*parley_, kSender);

  pb::TurmsRequest ask;
  ask.mutable_create_group_join_request_request()->set_group_id(group);
  ask.mutable_create_group_join_request_request()->set_content("may I?");
  const auto asked = sender->request(ask, kRequestTimeout);
  ASSERT_EQ(asked.code(), 1000);
  const auto told = owner->waitFor(
      [](const Frame& frame) {
        return isRelayed(frame, pb::TurmsRequest::kCreateGroupJoinRequestRequest);
      },
      5s);
  ASSERT_TRUE(told.has_value());
  EXPECT_EQ(told->notification.relayed_request().create_group_join_request_request().content(),
            "may I?");

  pb::TurmsRequest of_group;
  of_group.mutable_query_group_join_requests_request()->set_group_id(group);
  const auto listed = owner->request(of_group, kRequestTimeout);
  ASSERT_EQ(listed.code(), 1000);
  ASSERT_EQ(listed.data().group_join_requests_with_version().group_join_requests_size(), 1);
  EXPECT_EQ(listed.data().group_join_requests_with_version().group_join_requests(0).requester_id(),
            kSender);
  EXPECT_EQ(sender->request(of_group, kRequestTimeout).code(), 3603);

  pb::TurmsRequest accept;
  accept.mutable_update_group_join_request_request()->set_request_id(asked.data().long_());
  accept.mutable_update_group_join_request_request()->set_response_action(pb::ACCEPT);
  ASSERT_EQ(owner->request(accept, kRequestTimeout).code(), 1000);
  const auto joined = sender->waitFor(
      [](const Frame& frame) {
        return isRelayed(frame, pb::TurmsRequest::kCreateGroupMembersRequest);
      },
      5s);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(joined->notification.relayed_request().create_group_members_request().group_id(),
            group);
  EXPECT_EQ(owner->request(accept, kRequestTimeout).code(), 3610);

  pb::TurmsRequest say;
  say.mutable_create_message_request()->set_group_id(group);
  say.mutable_create_message_request()->set_text("thanks");
  EXPECT_EQ(sender->request(say, kRequestTimeout).code(), 1000);
}

}  // namespace
}  // namespace parley::testing
