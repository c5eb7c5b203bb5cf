#include <gtest/gtest.h>

#include "store/group_blocklist_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::GroupBlocklistRepositoryContractTest;

// The whole store: blocking removes members and moves the group's versions.
INSTANTIATE_TEST_SUITE_P(Sqlite, GroupBlocklistRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
