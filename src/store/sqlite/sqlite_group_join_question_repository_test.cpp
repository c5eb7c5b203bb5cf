#include <gtest/gtest.h>

#include "store/group_join_question_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::GroupJoinQuestionRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, GroupJoinQuestionRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract, which MongoDB cannot keep without transactions: a refused insert moves no
// version either.
class SqliteGroupJoinQuestionRepositoryTest : public GroupJoinQuestionRepositoryContractTest {};

TEST_P(SqliteGroupJoinQuestionRepositoryTest, ARefusedInsertMovesNoVersion) {
  insert({makeQuestion(1, kGroup)});
  const std::vector<GroupJoinQuestionRecord> refused{
      makeQuestion(2, kOtherGroup), makeQuestion(3, kGroup), makeQuestion(1, kGroup)};
  const VoidResult inserted = questions().insertMany(refused, kT0 + 10);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(version(), kT0);
  EXPECT_EQ(version(kOtherGroup), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteGroupJoinQuestionRepositoryTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
