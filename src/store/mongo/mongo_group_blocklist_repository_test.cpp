#include <gtest/gtest.h>

#include "store/group_blocklist_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupBlocklistRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupBlocklistRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
