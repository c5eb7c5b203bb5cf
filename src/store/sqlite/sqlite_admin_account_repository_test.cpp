#include <gtest/gtest.h>

#include <string>

#include "store/admin_account_repository_contract_test.h"
#include "store/sqlite/sqlite_admin_account_repository.h"
#include "testing/sqlite_store_test_env.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

using contract::AdminAccountRepositoryContractTest;

// The admin_account table alone, and the store a node opens.
INSTANTIATE_TEST_SUITE_P(
    SqliteSchema, AdminAccountRepositoryContractTest,
    ::testing::Values(testing::sqliteSchemaContractParam(sqlite::kAdminAccountSchema)),
    contract::storeContractName);
INSTANTIATE_TEST_SUITE_P(SqliteStore, AdminAccountRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

// A role this version does not know (edited by hand, or written by a newer version) may only
// read.
TEST(SqliteAdminAccountRepositoryTest, AnUnknownStoredRoleReadsAsReadOnly) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "parley.db").string();
  const sqlite::Migration schema[] = {{1, "admin accounts", sqlite::kAdminAccountSchema}};
  sqlite::Database db(path);
  db.migrate(schema);
  ASSERT_TRUE(db.exec("INSERT INTO admin_account VALUES (1, 'ops', 'h', 'Ops', 9, 0)").ok());
  sqlite::ReaderPool readers(db);
  sqlite::SqliteAdminAccountRepository accounts(db, readers);
  EXPECT_EQ(accounts.findByLoginName("ops").value()->role, AdminRole::kReadOnly);
}

}  // namespace
}  // namespace parley
