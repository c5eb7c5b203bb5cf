#include <gtest/gtest.h>

#include <vector>

#include "store/group_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: without transactions, a write the client retries after a lost
// acknowledgement (or after a failure between a member write and its version writes) must
// complete rather than fail or leave the versions behind.
class MongoGroupRepositoryTest : public GroupRepositoryContractTest {};

TEST_P(MongoGroupRepositoryTest, RetriedGroupInsertIsAcceptedButAnotherGroupIsNot) {
  const GroupRecord group = makeGroup(5);
  ASSERT_TRUE(groups().insert(group).ok());
  addMembers({makeMember(5, 10, kGroupRoleOwner, kT0 + 50)});  // moves the members version
  EXPECT_TRUE(groups().insert(group).ok());

  GroupRecord other = group;
  other.name = "another";
  const VoidResult again = groups().insert(other);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
}

TEST_P(MongoGroupRepositoryTest, RetriedMemberInsertMovesTheVersionsAgain) {
  ASSERT_TRUE(groups().insert(makeGroup(5)).ok());
  addMembers({makeMember(5, 10, kGroupRoleOwner, kT0 + 50), makeMember(5, 11)});
  const int64_t members_version = membersVersion(5);
  const std::optional<int64_t> joined_10 = joinedVersion(10);
  const std::optional<int64_t> joined_11 = joinedVersion(11);

  auto retried = members().insertMany(
      std::vector<GroupMemberRecord>{makeMember(5, 10, kGroupRoleOwner, kT0 + 50)});
  ASSERT_TRUE(retried.ok()) << retried.status().reason;
  EXPECT_EQ(retried.value(), 0);
  EXPECT_GT(membersVersion(5), members_version);
  ASSERT_TRUE(joinedVersion(10).has_value());
  EXPECT_GT(*joinedVersion(10), *joined_10);
  EXPECT_EQ(joinedVersion(11), joined_11);
}

TEST_P(MongoGroupRepositoryTest, OneUserJoiningSeveralGroupsInOneBatch) {
  for (const int64_t id : {5, 6}) ASSERT_TRUE(groups().insert(makeGroup(id)).ok());
  addMembers({makeMember(5, 10, kGroupRoleMember, kT0 + 50)});
  const std::optional<int64_t> joined = joinedVersion(10);
  addMembers({makeMember(6, 10, kGroupRoleMember, kT0 + 50), makeMember(5, 10)});
  ASSERT_TRUE(joinedVersion(10).has_value());
  EXPECT_GT(*joinedVersion(10), *joined);
  EXPECT_EQ(joinedGroupIds(10), (std::vector<int64_t>{5, 6}));
}

TEST_P(MongoGroupRepositoryTest, UpdateWithNothingToSetStillCountsAMember) {
  ASSERT_TRUE(groups().insert(makeGroup(5)).ok());
  addMembers({makeMember(5, 10)});
  const int64_t version = membersVersion(5);
  auto updated = members().update(5, 10, GroupMemberUpdate{}, kT0);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated.value());
  EXPECT_GT(membersVersion(5), version);
  auto missing = members().update(5, 404, GroupMemberUpdate{}, kT0);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value());
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoGroupRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
