#include <gtest/gtest.h>

#include "store/group_join_request_repository_contract_test.h"
#include "store/sqlite/sqlite_group_request_test_util.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::GroupJoinRequestRepositoryContractTest;

// The whole store: accepting adds a member and moves the group's and users' versions.
INSTANTIATE_TEST_SUITE_P(Sqlite, GroupJoinRequestRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

TEST(SqliteGroupJoinRequestRepositoryTest, AFailedAcceptLeavesNeitherTheMemberNorTheAnswer) {
  GroupJoinRequestRecord request;
  request.id = 1;
  request.group_id = 7;
  request.requester_id = 20;
  request.creation_date = 1000;
  const GroupJoinRequestReply accept{.request_id = 1,
                                     .status = RequestStatus::kAccepted,
                                     .responder_id = 1,
                                     .reason = std::nullopt,
                                     .now_millis = 2000,
                                     .expired_before = 0};
  testing::expectAFailedAcceptLeavesNeitherTheMemberNorTheAnswer(
      &Store::groupJoinRequests, request, accept, 20,
      [](GroupJoinRequestRepository& requests) { return requests.findSentVersion(20).value(); });
}

}  // namespace
}  // namespace parley
