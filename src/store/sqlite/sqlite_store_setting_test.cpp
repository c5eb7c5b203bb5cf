#include <gtest/gtest.h>

#include "store/shared_setting_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::SharedSettingContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, SharedSettingContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
