#include <gtest/gtest.h>

#include "store/group_repository_contract_test.h"
#include "store/sqlite/sqlite_group_repository.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::GroupRepositoryContractTest;

// The group tables alone: they reference no other table, so the contract runs without the rest
// of the store (the handler tests cover the full migration list through openSqliteStore).
INSTANTIATE_TEST_SUITE_P(
    Sqlite, GroupRepositoryContractTest,
    ::testing::Values(testing::sqliteSchemaContractParam(sqlite::kGroupSchema)),
    contract::storeContractName);

}  // namespace
}  // namespace parley
