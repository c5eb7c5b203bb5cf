#include <gtest/gtest.h>

#include "store/admin_account_repository_contract_test.h"
#include "store/sqlite/sqlite_admin_account_repository.h"
#include "testing/sqlite_store_test_env.h"

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

}  // namespace
}  // namespace parley
