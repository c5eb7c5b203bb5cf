#include <gtest/gtest.h>

#include "store/group_invitation_repository_contract_test.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::GroupInvitationRepositoryContractTest;

// The whole store: accepting adds a member and moves the group's and users' versions.
INSTANTIATE_TEST_SUITE_P(Sqlite, GroupInvitationRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

TEST(SqliteGroupInvitationRepositoryTest, AFailedAcceptLeavesNeitherTheMemberNorTheAnswer) {
  testing::SqliteStoreTestEnv env;
  auto store = env.open();
  auto* sqlite_store = dynamic_cast<sqlite::SqliteStore*>(store.get());
  ASSERT_NE(sqlite_store, nullptr);
  GroupRecord group;
  group.id = 7;
  group.creator_id = group.owner_id = 1;
  group.creation_date = group.last_updated_date = group.members_last_updated_date = 1000;
  ASSERT_TRUE(store->groups().insert(group).ok());
  GroupInvitationRecord invitation;
  invitation.id = 1;
  invitation.group_id = 7;
  invitation.inviter_id = 1;
  invitation.invitee_id = 20;
  invitation.creation_date = 1000;
  ASSERT_TRUE(store->groupInvitations().insert(invitation, 1000).ok());
  // The membership's last write (the members version) fails inside the accept, after the answer
  // and the member's row are written.
  ASSERT_TRUE(sqlite_store->db()
                  .exec("CREATE TRIGGER fail_members_version BEFORE UPDATE OF "
                        "members_last_updated_date ON group_info "
                        "BEGIN SELECT RAISE(ABORT, 'injected'); END")
                  .ok());
  const GroupInvitationReply accept{.invitation_id = 1,
                                    .status = RequestStatus::kAccepted,
                                    .reason = std::nullopt,
                                    .now_millis = 2000,
                                    .expired_before = 0};
  EXPECT_FALSE(store->groupInvitations().acceptIfPending(accept).ok());
  EXPECT_EQ(store->groupInvitations().findById(1).value(), invitation);
  EXPECT_FALSE(store->groupMembers().find(7, 20).value().has_value());
  EXPECT_EQ(store->groupMembers().findJoinedGroupsVersion(20).value(), std::nullopt);
  EXPECT_EQ(store->groupInvitations().findGroupVersion(7).value(), 1000);
  EXPECT_EQ(store->groupInvitations().findReceivedVersion(20).value(), 1000);

  // Once the failure is gone, the retry does it all.
  ASSERT_TRUE(sqlite_store->db().exec("DROP TRIGGER fail_members_version").ok());
  EXPECT_TRUE(store->groupInvitations().acceptIfPending(accept).value());
  EXPECT_TRUE(store->groupMembers().find(7, 20).value().has_value());
  EXPECT_EQ(store->groupInvitations().findById(1).value()->status, RequestStatus::kAccepted);
}

}  // namespace
}  // namespace parley
