#include <gtest/gtest.h>

#include "store/user_settings_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::UserSettingsRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, UserSettingsRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
