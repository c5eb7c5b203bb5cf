#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "store/relationship_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::RelationshipRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, RelationshipRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

TEST(SqliteRelationshipRepositoryTest, AQueryOfManyIdsIsOneStatement) {
  // Ids travel as one JSON array, so a long list neither hits SQLite's parameter limit nor
  // prepares a statement per list length.
  testing::SqliteStoreTestEnv env;
  auto store = env.open();
  std::vector<RelationshipRecord> batch;
  RelationshipFilter filter;
  filter.owner_id = 1;
  for (int64_t id = 2; id <= 40'001; ++id) {
    RelationshipRecord relationship;
    relationship.owner_id = 1;
    relationship.related_user_id = id;
    relationship.establishment_date = id;
    if (id % 2 == 0) batch.push_back(relationship);
    filter.related_user_ids.push_back(id);
  }
  ASSERT_EQ(store->relationships().insertMany(batch).value(), 20'000);
  auto found = store->relationships().query(filter);
  ASSERT_TRUE(found.ok()) << found.status().reason;
  EXPECT_EQ(found->size(), 20'000u);
}

}  // namespace
}  // namespace parley
