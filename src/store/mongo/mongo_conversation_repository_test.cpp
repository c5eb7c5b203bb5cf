#include <gtest/gtest.h>

#include "store/conversation_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::ConversationRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, ConversationRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
