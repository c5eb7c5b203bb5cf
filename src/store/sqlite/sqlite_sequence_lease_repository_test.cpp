#include <gtest/gtest.h>

#include "store/sequence_lease_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::SequenceLeaseRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, SequenceLeaseRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
