// The message suite covers MongoSequenceIds too (its SequenceIds* tests).
#include <gtest/gtest.h>

#include "store/message_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::MessageRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, MessageRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
