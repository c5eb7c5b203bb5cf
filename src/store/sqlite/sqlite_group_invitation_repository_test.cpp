#include <gtest/gtest.h>

#include "store/group_invitation_repository_contract_test.h"
#include "store/sqlite/sqlite_group_request_test_util.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::GroupInvitationRepositoryContractTest;

// The whole store: accepting adds a member and moves the group's and users' versions.
INSTANTIATE_TEST_SUITE_P(Sqlite, GroupInvitationRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

TEST(SqliteGroupInvitationRepositoryTest, AFailedAcceptLeavesNeitherTheMemberNorTheAnswer) {
  GroupInvitationRecord invitation;
  invitation.id = 1;
  invitation.group_id = 7;
  invitation.inviter_id = 1;
  invitation.invitee_id = 20;
  invitation.creation_date = 1000;
  const GroupInvitationReply accept{.invitation_id = 1,
                                    .status = RequestStatus::kAccepted,
                                    .reason = std::nullopt,
                                    .now_millis = 2000,
                                    .expired_before = 0};
  testing::expectAFailedAcceptLeavesNeitherTheMemberNorTheAnswer(
      &Store::groupInvitations, invitation, accept, 20, [](GroupInvitationRepository& invitations) {
        return invitations.findReceivedVersion(20).value();
      });
}

}  // namespace
}  // namespace parley
