#include <gtest/gtest.h>

#include <string>

#include "store/group_type_repository_contract_test.h"
#include "store/sqlite/sqlite_group_repository.h"
#include "store/sqlite/sqlite_group_type_repository.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_store_test_env.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

using contract::GroupTypeRepositoryContractTest;

// The group_type table alone (its migration adds the DEFAULT row), and the store a node opens.
INSTANTIATE_TEST_SUITE_P(
    SqliteSchema, GroupTypeRepositoryContractTest,
    ::testing::Values(testing::sqliteSchemaContractParam(sqlite::kGroupTypeSchema)),
    contract::storeContractName);
INSTANTIATE_TEST_SUITE_P(SqliteStore, GroupTypeRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

// A database of an earlier version, with groups already in it, gets the DEFAULT type (the type of
// those groups) when the migration runs.
TEST(SqliteGroupTypeRepositoryTest, MigrationAddsTheDefaultTypeToAnExistingDatabase) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "parley.db").string();
  const sqlite::Migration before[] = {{1, "groups as migration 3 made them", sqlite::kGroupSchema}};
  const sqlite::Migration after[] = {before[0], {2, "group types", sqlite::kGroupTypeSchema}};
  {
    sqlite::Database db(path);
    db.migrate(before);
    ASSERT_TRUE(db.exec("INSERT INTO group_info VALUES "
                        "(1, 0, 1, 1, 'g', '', '', 0, NULL, 10, NULL, 10, 10, 1)")
                    .ok());
  }
  sqlite::Database db(path);
  db.migrate(after);
  sqlite::ReaderPool readers(db);
  sqlite::SqliteGroupTypeRepository types(db, readers);
  EXPECT_EQ(types.findById(kDefaultGroupTypeId).value(), defaultGroupType());
  EXPECT_EQ(types.count().value(), 1);
  sqlite::SqliteGroupRepository groups(db, readers);
  EXPECT_EQ(groups.findById(1).value()->type_id, kDefaultGroupTypeId);
}

}  // namespace
}  // namespace parley
