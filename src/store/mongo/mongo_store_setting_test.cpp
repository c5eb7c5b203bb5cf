#include <gtest/gtest.h>

#include "store/shared_setting_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::SharedSettingContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, SharedSettingContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
