#include <gtest/gtest.h>

#include "store/sequence_lease_repository_contract_test.h"
#include "store/sqlite/sqlite_sequence_lease_repository.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::SequenceLeaseRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, SequenceLeaseRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley

namespace parley {
namespace {

// The bound is written behind: held in memory until its batch commits, then by the row alone.
TEST(SqliteSequenceLeaseTest, ABoundLeavesMemoryOnceItsRowIsCommitted) {
  testing::SqliteStoreTestEnv env;
  std::unique_ptr<Store> opened = env.open();
  auto* store = dynamic_cast<sqlite::SqliteStore*>(opened.get());
  ASSERT_NE(store, nullptr);
  auto& leases = dynamic_cast<sqlite::SqliteSequenceLeaseRepository&>(store->sequenceLeases());
  const auto key = ConversationKey::groupOf(9);
  auto first = leases.extend(key, 10);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->to, 10);
  auto bound = leases.bound(key);
  ASSERT_TRUE(bound.ok());
  EXPECT_EQ(*bound, 10);  // from memory or from the row, whichever holds it now
  store->db().waitForQueuedWrites();
  EXPECT_EQ(leases.pendingBounds(), 0u);
  EXPECT_EQ(leases.bound(key).value(), 10);
  EXPECT_EQ(leases.extend(key, 10)->from, 10);
}

}  // namespace
}  // namespace parley
