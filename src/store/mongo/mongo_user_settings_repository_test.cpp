#include <gtest/gtest.h>

#include "store/user_settings_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::UserSettingsRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, UserSettingsRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
