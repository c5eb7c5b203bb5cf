#include "service/group/group_blocklist_handlers.h"

#include <gtest/gtest.h>

#include <vector>

#include "service/group/group_handlers.h"
#include "testing/service_test_fixture.h"

namespace parley {
namespace {

constexpr int64_t kGroup = 7;
constexpr int64_t kOwner = 1;
constexpr int64_t kManager = 2;
constexpr int64_t kMember = 3;
constexpr int64_t kOtherMember = 4;
constexpr int64_t kStranger = 5;

// The real dispatcher over a real SQLite store: group 7 owned by 1, managed by 2, with members 3
// and 4; user 5 is a stranger.
class GroupBlocklistHandlersTest : public testing::ServiceTestFixture {
 protected:
  GroupBlocklistHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (int64_t id = 1; id <= 5; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_NO_FATAL_FAILURE(addGroup(kGroup, kOwner,
                                     {{kOwner, kGroupRoleOwner},
                                      {kManager, kGroupRoleManager},
                                      {kMember, kGroupRoleMember},
                                      {kOtherMember, kGroupRoleMember}}));
    // Owners add users directly here (DEFAULT's strategy has them accept an invitation).
    ASSERT_NO_FATAL_FAILURE(updateGroupType(
        kDefaultGroupTypeId, {.invitation_strategy = GroupInvitationStrategy::kOwnerManager}));
    registerGroupHandlers(dispatcher_, deps());
    registerGroupBlocklistHandlers(dispatcher_, deps());
  }

  HandlerResult block(int64_t requester, int64_t user) {
    TurmsRequest request;
    request.mutable_create_group_blocked_user_request()->set_group_id(kGroup);
    request.mutable_create_group_blocked_user_request()->set_user_id(user);
    return dispatch(requester, request);
  }

  HandlerResult unblock(int64_t requester, int64_t user) {
    TurmsRequest request;
    request.mutable_delete_group_blocked_user_request()->set_group_id(kGroup);
    request.mutable_delete_group_blocked_user_request()->set_user_id(user);
    return dispatch(requester, request);
  }

  HandlerResult blockedIds(std::optional<int64_t> since = std::nullopt) {
    TurmsRequest request;
    request.mutable_query_group_blocked_user_ids_request()->set_group_id(kGroup);
    if (since)
      request.mutable_query_group_blocked_user_ids_request()->set_last_updated_date(*since);
    return dispatch(kMember, request);
  }

  HandlerResult addMember(int64_t user) {
    TurmsRequest request;
    request.mutable_create_group_members_request()->set_group_id(kGroup);
    request.mutable_create_group_members_request()->add_user_ids(user);
    return dispatch(kOwner, request);
  }

  std::vector<int64_t> memberIds() {
    auto ids = store_->groupMembers().findMemberIds(kGroup);
    EXPECT_TRUE(ids.ok());
    return ids.ok() ? *ids : std::vector<int64_t>{};
  }

  static std::vector<int64_t> idsIn(const HandlerResult& result) {
    if (!result.data) return {};
    const auto& longs = result.data->longs_with_version().longs();
    return {longs.begin(), longs.end()};
  }
};

TEST_F(GroupBlocklistHandlersTest, BlockingAMemberRemovesThemAndKeepsThemOut) {
  clock_.advance(10);
  const HandlerResult blocked = block(kOwner, kMember);
  ASSERT_TRUE(blocked.status.isOk()) << blocked.status.reason;
  expectSelfPushOnly(blocked);  // upstream's default recipients
  EXPECT_EQ(memberIds(), (std::vector<int64_t>{kOwner, kManager, kOtherMember}));

  const HandlerResult ids = blockedIds();
  EXPECT_EQ(idsIn(ids), (std::vector<int64_t>{kMember}));
  const int64_t version = ids.data->longs_with_version().last_updated_date();
  EXPECT_EQ(version, clock_.nowMillis());
  EXPECT_EQ(blockedIds(version).status.code, StatusCode::kAlreadyUpToDate);

  const HandlerResult readd = addMember(kMember);
  EXPECT_EQ(readd.status.code, StatusCode::kAddBlockedUserToGroup);
  EXPECT_EQ(readd.status.reason, "The blocked user IDs: 3");
  EXPECT_EQ(memberIds().size(), 3u);
}

TEST_F(GroupBlocklistHandlersTest, OnlyOwnersAndManagersBlockAndNobodyAboveThemselves) {
  EXPECT_EQ(block(kMember, kStranger).status.code,
            StatusCode::kNotGroupOwnerOrManagerToAddBlockedUser);
  EXPECT_EQ(block(kStranger, kMember).status.code,
            StatusCode::kNotGroupOwnerOrManagerToAddBlockedUser);
  EXPECT_EQ(block(kOwner, kOwner).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(block(kManager, kOwner).status.code,
            StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager);
  EXPECT_EQ(memberIds().size(), 4u);
  EXPECT_TRUE(block(kManager, kOtherMember).status.isOk());
  EXPECT_TRUE(block(kManager, kStranger).status.isOk());  // not a member: blocked all the same
  EXPECT_EQ(idsIn(blockedIds()), (std::vector<int64_t>{kOtherMember, kStranger}));
  EXPECT_TRUE(block(kOwner, kManager).status.isOk());  // the owner is above a manager
  EXPECT_EQ(memberIds(), (std::vector<int64_t>{kOwner, kMember}));
}

TEST_F(GroupBlocklistHandlersTest, UnblockingLetsTheUserBeAddedAgain) {
  ASSERT_TRUE(block(kOwner, kStranger).status.isOk());
  const int64_t before = blockedIds().data->longs_with_version().last_updated_date();
  EXPECT_EQ(unblock(kMember, kStranger).status.code,
            StatusCode::kNotGroupOwnerOrManagerToRemoveBlockedUser);
  clock_.advance(5);
  const HandlerResult unblocked = unblock(kManager, kStranger);
  ASSERT_TRUE(unblocked.status.isOk());
  expectSelfPushOnly(unblocked);
  // Nobody is blocked now, and a client holding the old version learns it.
  EXPECT_EQ(blockedIds(before).status.code, StatusCode::kNoContent);
  const HandlerResult again = unblock(kManager, kStranger);
  EXPECT_TRUE(again.status.isOk());
  EXPECT_TRUE(again.pushes.empty());  // nothing changed: nobody is told
  EXPECT_TRUE(addMember(kStranger).status.isOk());
}

TEST_F(GroupBlocklistHandlersTest, BlockedUserInfosCarryTheirProfiles) {
  ASSERT_TRUE(block(kOwner, kMember).status.isOk());
  TurmsRequest request;
  request.mutable_query_group_blocked_user_infos_request()->set_group_id(kGroup);
  const HandlerResult result = dispatch(kStranger, request);
  ASSERT_TRUE(result.data.has_value()) << result.status.reason;
  const auto& infos = result.data->user_infos_with_version();
  ASSERT_EQ(infos.user_infos_size(), 1);
  EXPECT_EQ(infos.user_infos(0).id(), kMember);
  EXPECT_EQ(infos.user_infos(0).name(), "user-3");
  // A group that does not exist: upstream answers ALREADY_UP_TO_DATE.
  request.mutable_query_group_blocked_user_infos_request()->set_group_id(999);
  EXPECT_EQ(dispatch(kStranger, request).status.code, StatusCode::kAlreadyUpToDate);
}

}  // namespace
}  // namespace parley
