// Group blocklists through real sockets, on SQLite and on MongoDB (FerretDB): demo user 1 creates
// a group of the demo type "test" (members are added directly) and blocks a member, who leaves the
// group and cannot be added back until unblocked; the owner's other session is told, nobody else;
// the queries are versioned.
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
constexpr int64_t kBlocked = 5;

class GroupBlocklistTest : public SharedParleyOnBackend<GroupBlocklistTest> {
 public:
  static ParleyOptions parleyOptions() { return {.demo_user_count = 20}; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, GroupBlocklistTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, GroupBlocklistTest, ::testing::Values(Backend::kMongo));

pb::TurmsNotification blockRequest(TurmsClient& client, int64_t group, bool block, int64_t user) {
  pb::TurmsRequest request;
  if (block) {
    request.mutable_create_group_blocked_user_request()->set_group_id(group);
    request.mutable_create_group_blocked_user_request()->set_user_id(user);
  } else {
    request.mutable_delete_group_blocked_user_request()->set_group_id(group);
    request.mutable_delete_group_blocked_user_request()->set_user_id(user);
  }
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification queryBlockedIds(TurmsClient& client, int64_t group,
                                      std::optional<int64_t> since = {}) {
  pb::TurmsRequest request;
  request.mutable_query_group_blocked_user_ids_request()->set_group_id(group);
  if (since) request.mutable_query_group_blocked_user_ids_request()->set_last_updated_date(*since);
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification addMember(TurmsClient& client, int64_t group, int64_t user) {
  pb::TurmsRequest request;
  request.mutable_create_group_members_request()->set_group_id(group);
  request.mutable_create_group_members_request()->add_user_ids(user);
  return client.request(request, kRequestTimeout);
}

bool isMember(TurmsClient& client, int64_t group, int64_t user) {
  pb::TurmsRequest request;
  request.mutable_query_group_members_request()->set_group_id(group);
  request.mutable_query_group_members_request()->add_member_ids(user);
  const auto response = client.request(request, kRequestTimeout);
  return response.code() == 1000 &&
         response.data().group_members_with_version().group_members_size() == 1;
}

bool getsAnyPush(TurmsClient& client) {
  return client
      .waitFor([](const Frame& frame) { return frame.notification.has_relayed_request(); }, 500ms)
      .has_value();
}

TEST_P(GroupBlocklistTest, ABlockedMemberLeavesAndStaysOutUntilUnblocked) {
  auto owner = loggedIn(*parley_, kOwner, pb::DESKTOP);
  auto owner_phone = loggedIn(*parley_, kOwner, pb::ANDROID, Transport::kWebSocket);
  const int64_t group = requests::createGroupWith(*owner, {kBlocked, 6});
  ASSERT_TRUE(isMember(*owner, group, kBlocked));
  // After the group is built, so that the pushes of its creation do not reach them.
  auto blocked = loggedIn(*parley_, kBlocked);
  auto other_member = loggedIn(*parley_, 6);

  ASSERT_EQ(blockRequest(*owner, group, true, kBlocked).code(), 1000);
  EXPECT_TRUE(owner_phone
                  ->waitFor(
                      [](const Frame& frame) {
                        return isRelayed(frame, pb::TurmsRequest::kCreateGroupBlockedUserRequest);
                      },
                      5s)
                  .has_value());
  EXPECT_FALSE(getsAnyPush(*blocked));
  EXPECT_FALSE(getsAnyPush(*other_member));
  EXPECT_FALSE(isMember(*owner, group, kBlocked));

  const auto ids = queryBlockedIds(*other_member, group);
  ASSERT_EQ(ids.code(), 1000);
  ASSERT_EQ(ids.data().longs_with_version().longs_size(), 1);
  EXPECT_EQ(ids.data().longs_with_version().longs(0), kBlocked);
  const int64_t version = ids.data().longs_with_version().last_updated_date();
  EXPECT_EQ(queryBlockedIds(*other_member, group, version).code(), 1002);

  EXPECT_EQ(addMember(*owner, group, kBlocked).code(), 3404);
  EXPECT_EQ(blockRequest(*other_member, group, true, 7).code(), 3500);
  EXPECT_EQ(blockRequest(*other_member, group, false, kBlocked).code(), 3501);

  ASSERT_EQ(blockRequest(*owner, group, false, kBlocked).code(), 1000);
  EXPECT_EQ(queryBlockedIds(*other_member, group, version).code(), 1001);  // changed, and now empty
  EXPECT_EQ(addMember(*owner, group, kBlocked).code(), 1000);
  EXPECT_TRUE(isMember(*owner, group, kBlocked));
}

}  // namespace
}  // namespace parley::testing
