#include <gtest/gtest.h>

#include "store/sequence_lease_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::SequenceLeaseRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, SequenceLeaseRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
