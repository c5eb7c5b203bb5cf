#include <gtest/gtest.h>

#include "store/relationship_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::RelationshipRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, RelationshipRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
