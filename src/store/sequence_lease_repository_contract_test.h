#pragma once
// The behaviour every SequenceLeaseRepository must have (store_test_env.h explains the set-up).
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class SequenceLeaseRepositoryContractTest : public StoreContractTest {
 protected:
  SequenceLeaseRepository& leases() { return store_->sequenceLeases(); }

  SequenceLease extendOk(const ConversationKey& key, int64_t count) {
    auto lease = leases().extend(key, count);
    EXPECT_TRUE(lease.ok()) << (lease.ok() ? "" : lease.status().reason);
    return lease.ok() ? *lease : SequenceLease{};
  }
};

TEST_P(SequenceLeaseRepositoryContractTest, ANewConversationStartsAtZeroAndRangesFollowEachOther) {
  const auto key = ConversationKey::groupOf(7);
  const SequenceLease first = extendOk(key, 100);
  EXPECT_EQ(first.from, 0);
  EXPECT_EQ(first.to, 100);
  const SequenceLease second = extendOk(key, 30);
  EXPECT_EQ(second.from, 100);
  EXPECT_EQ(second.to, 130);
  // Another conversation has a bound of its own.
  EXPECT_EQ(extendOk(ConversationKey::groupOf(8), 5).to, 5);
}

TEST_P(SequenceLeaseRepositoryContractTest, TheBoundIsWhatTheLastExtensionReached) {
  const auto key = ConversationKey::privateOf(3, 4);
  auto none = leases().bound(key);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  extendOk(key, 25);
  extendOk(ConversationKey{false, 4, 3}, 5);
  auto bound = leases().bound(ConversationKey{false, 4, 3});
  ASSERT_TRUE(bound.ok());
  EXPECT_EQ(*bound, 30);
}

TEST_P(SequenceLeaseRepositoryContractTest, PrivateConversationsAreUnordered) {
  EXPECT_EQ(extendOk(ConversationKey{false, 9, 4}, 10).to, 10);
  EXPECT_EQ(extendOk(ConversationKey::privateOf(4, 9), 10).from, 10);
}

// Messages stored before bounds existed (an upgrade, an import) are below the first range.
TEST_P(SequenceLeaseRepositoryContractTest, TheFirstBoundStartsAboveStoredMessages) {
  MessageRecord message;
  message.id = 1;
  message.sender_id = 1;
  message.target_id = 2;
  message.sequence_id = 42;
  message.delivery_date = 1'700'000'000'000;
  ASSERT_TRUE(store_->messages().insert(message).ok());
  const SequenceLease lease = extendOk(ConversationKey::privateOf(2, 1), 10);
  EXPECT_EQ(lease.from, 42);
  EXPECT_EQ(lease.to, 52);
}

TEST_P(SequenceLeaseRepositoryContractTest, BoundsSurviveARestart) {
  const auto key = ConversationKey::privateOf(1, 2);
  ASSERT_EQ(extendOk(key, 100).to, 100);
  reopen();
  EXPECT_EQ(extendOk(key, 100).from, 100);
}

TEST_P(SequenceLeaseRepositoryContractTest, ConcurrentExtensionsGetDisjointRanges) {
  const auto key = ConversationKey::groupOf(3);
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::vector<SequenceLease>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(extendOk(key, 10));
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<SequenceLease> all;
  for (const auto& leases : got) all.insert(all.end(), leases.begin(), leases.end());
  std::sort(all.begin(), all.end(),
            [](const SequenceLease& x, const SequenceLease& y) { return x.from < y.from; });
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].from, static_cast<int64_t>(i) * 10);
    EXPECT_EQ(all[i].to, static_cast<int64_t>(i + 1) * 10);
  }
}

TEST_P(SequenceLeaseRepositoryContractTest, RefusesAnEmptyRange) {
  auto lease = leases().extend(ConversationKey::groupOf(1), 0);
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code, StatusCode::kIllegalArgument);
}

}  // namespace parley::contract
