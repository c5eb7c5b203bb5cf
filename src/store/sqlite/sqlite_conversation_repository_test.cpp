#include <gtest/gtest.h>

#include "store/conversation_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::ConversationRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, ConversationRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
