#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

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

// Each lease starts where the last ended while the rows of earlier ones commit behind it: a bound
// leaving memory (its row committed) at any moment is still seen. Leases spaced about as far apart
// as commits give the commits many chances to land in the middle of an extend.
TEST(SqliteSequenceLeaseTest, LeasesFollowEachOtherWhileTheirRowsCommit) {
  testing::SqliteStoreTestEnv env;
  std::unique_ptr<Store> store = env.open();
  auto& leases = store->sequenceLeases();
  const auto key = ConversationKey::privateOf(3, 4);
  int64_t last = 0;
  int overlaps = 0;
  std::mt19937 random(7);
  std::uniform_int_distribution<int> pause_micros(0, 1500);
  for (int i = 0; i < 2000 && overlaps < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(pause_micros(random)));
    auto lease = leases.extend(key, 1);
    ASSERT_TRUE(lease.ok()) << lease.status().reason;
    if (lease->from != last) {
      ++overlaps;
      ADD_FAILURE() << "lease " << i << " starts at " << lease->from << ", the last ended at "
                    << last;
    }
    last = std::max(last, lease->to);
  }
}

}  // namespace
}  // namespace parley
