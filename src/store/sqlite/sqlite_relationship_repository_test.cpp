#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "store/relationship_group_repository_contract_test.h"
#include "store/relationship_repository_contract_test.h"
#include "store/sqlite/sqlite_friend_request_repository.h"
#include "store/sqlite/sqlite_relationship_group_repository.h"
#include "store/sqlite/sqlite_relationship_repository.h"
#include "testing/sqlite_store_test_env.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

using contract::RelationshipGroupRepositoryContractTest;
using contract::RelationshipRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, RelationshipRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);
INSTANTIATE_TEST_SUITE_P(Sqlite, RelationshipGroupRepositoryContractTest,
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
  ASSERT_EQ(store->relationships().insertMany(batch, 1).value(), 20'000);
  auto found = store->relationships().query(filter);
  ASSERT_TRUE(found.ok()) << found.status().reason;
  EXPECT_EQ(found->size(), 20'000u);
}

// Migration 12 moves each relationship's one group (a column until then) into a membership, so
// a database from before keeps every relationship where it was.
TEST(SqliteRelationshipRepositoryTest, MigrationKeepsEachRelationshipInItsGroup) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "parley.db").string();
  const sqlite::Migration before[] = {
      {1, "user_relationship as migration 4 made it", sqlite::kRelationshipSchema},
      {2, "user_version as migration 11 made it", sqlite::kFriendRequestSchema},
  };
  const sqlite::Migration after[] = {
      before[0],
      before[1],
      {3, "relationship groups", sqlite::kRelationshipGroupSchema},
  };
  {
    sqlite::Database db(path);
    db.migrate(before);
    ASSERT_TRUE(db.exec("INSERT INTO user_relationship VALUES (1, 2, NULL, 0, 10, 'a'), "
                        "(1, 3, 20, 5, 11, 'b'), (4, 1, NULL, 7, 12, '')")
                    .ok());
  }
  sqlite::Database db(path);
  db.migrate(after);
  sqlite::ReaderPool readers(db);
  sqlite::SqliteRelationshipRepository relationships(db, readers);
  EXPECT_EQ(relationships.find(1, 2).value()->group_indexes, std::vector<int32_t>{0});
  const RelationshipRecord blocked = *relationships.find(1, 3).value();
  EXPECT_EQ(blocked.group_indexes, std::vector<int32_t>{5});
  EXPECT_EQ(blocked.block_date, std::optional<int64_t>(20));
  EXPECT_EQ(blocked.name, "b");
  EXPECT_EQ(relationships.find(4, 1).value()->group_indexes, std::vector<int32_t>{7});
  RelationshipFilter in_five;
  in_five.owner_id = 1;
  in_five.group_indexes = {5};
  ASSERT_EQ(relationships.query(in_five).value().size(), 1u);
}

}  // namespace
}  // namespace parley
