#include "core/digest_lru.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

VerificationDigest digestOf(int seed) {
  VerificationDigest digest{};
  digest[0] = static_cast<unsigned char>(seed);
  digest[20] = static_cast<unsigned char>(seed * 3);
  return digest;
}

TEST(DigestLruTest, EntriesLiveTheirTtlFromTheLastAdd) {
  DigestLru lru(1000, 10);
  lru.add(digestOf(1), kNow);
  EXPECT_TRUE(lru.contains(digestOf(1), kNow + 999));
  lru.add(digestOf(1), kNow + 900);
  EXPECT_TRUE(lru.contains(digestOf(1), kNow + 1899));
  EXPECT_FALSE(lru.contains(digestOf(1), kNow + 1900));
  EXPECT_EQ(lru.size(), 0u) << "the expired entry was dropped when met";
}

TEST(DigestLruTest, FullEvictsTheEntryClosestToExpiring) {
  DigestLru lru(1000, 2);
  lru.add(digestOf(1), kNow);
  lru.add(digestOf(2), kNow + 1);
  lru.add(digestOf(1), kNow + 2);  // renewed: now the newest
  lru.add(digestOf(3), kNow + 3);
  EXPECT_TRUE(lru.contains(digestOf(1), kNow + 3));
  EXPECT_FALSE(lru.contains(digestOf(2), kNow + 3));
  EXPECT_TRUE(lru.contains(digestOf(3), kNow + 3));
}

TEST(DigestLruTest, RestoredEntriesKeepTheirExpiryButNeverMoreThanTheTtl) {
  DigestLru lru(1000, 10);
  lru.restore(digestOf(1), kNow + 300, kNow);
  lru.restore(digestOf(2), kNow + 50'000, kNow);  // written under a longer TTL or a later clock
  EXPECT_TRUE(lru.contains(digestOf(1), kNow + 299));
  EXPECT_FALSE(lru.contains(digestOf(1), kNow + 300));
  EXPECT_TRUE(lru.contains(digestOf(2), kNow + 999));
  EXPECT_FALSE(lru.contains(digestOf(2), kNow + 1000));
}

TEST(DigestLruTest, AClockThatWentBackwardsDoesNotExtendEntries) {
  DigestLru lru(1000, 10);
  lru.add(digestOf(1), kNow);
  EXPECT_FALSE(lru.contains(digestOf(1), kNow - 1));
}

}  // namespace
}  // namespace parley
