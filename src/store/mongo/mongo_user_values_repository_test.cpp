#include <gtest/gtest.h>

#include "store/user_values_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::UserValuesRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, UserValuesRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
