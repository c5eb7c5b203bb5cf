#include <gtest/gtest.h>

#include "store/group_type_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupTypeRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupTypeRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
