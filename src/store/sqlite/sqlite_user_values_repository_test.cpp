#include <gtest/gtest.h>

#include "store/user_values_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::UserValuesRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, UserValuesRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
