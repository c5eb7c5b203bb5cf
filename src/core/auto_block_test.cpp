#include "core/auto_block.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

// Upstream's default levels.
const std::vector<AutoBlockLevel> kLevels = {
    {600'000, 60'000, 5}, {1'800'000, 60'000, 1}, {3'600'000, 60'000, 1}};

TEST(AutoBlocker, TheFifthOffenceBlocksForTenMinutes) {
  UserAutoBlocker blocker(kLevels);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(blocker.offend(int64_t{7}, 1000)) << i;
  EXPECT_EQ(blocker.offend(int64_t{7}, 1000), 600'000);
  // Another client is counted apart.
  EXPECT_FALSE(blocker.offend(int64_t{8}, 1000));
}

TEST(AutoBlocker, FurtherOffencesClimbTheLevelsThenRenewTheLast) {
  IpAutoBlocker blocker(kLevels);
  for (int i = 0; i < 5; ++i) (void)blocker.offend(std::string_view("192.0.2.1"), 0);
  EXPECT_EQ(blocker.offend(std::string_view("192.0.2.1"), 1000), 1'800'000);
  EXPECT_EQ(blocker.offend(std::string_view("192.0.2.1"), 2000), 3'600'000);
  EXPECT_EQ(blocker.offend(std::string_view("192.0.2.1"), 3000), 3'600'000);
}

TEST(AutoBlocker, OneOffenceIsForgivenPerQuietInterval) {
  UserAutoBlocker blocker(kLevels);
  for (int i = 0; i < 4; ++i) (void)blocker.offend(int64_t{7}, 0);
  // Two quiet minutes forgive two: this is the third, not the fifth.
  EXPECT_FALSE(blocker.offend(int64_t{7}, 120'000));
  EXPECT_FALSE(blocker.offend(int64_t{7}, 120'000));
  EXPECT_EQ(blocker.offend(int64_t{7}, 120'000), 600'000);
}

TEST(AutoBlocker, ALevelIsRememberedForAnHourAfterItsBlock) {
  UserAutoBlocker blocker(kLevels);
  for (int i = 0; i < 5; ++i) (void)blocker.offend(int64_t{7}, 0);
  const int64_t block_end = 600'000;
  // Back within the hour: straight to the next level.
  EXPECT_EQ(blocker.offend(int64_t{7}, block_end + 1000), 1'800'000);

  UserAutoBlocker later(kLevels);
  for (int i = 0; i < 5; ++i) (void)later.offend(int64_t{7}, 0);
  const int64_t forgotten_at = block_end + UserAutoBlocker::kRememberLevelMillis + 1;
  EXPECT_EQ(later.prune(forgotten_at), 0u);
  EXPECT_FALSE(later.offend(int64_t{7}, forgotten_at));  // counted from the start again
}

TEST(AutoBlocker, PruneKeepsClientsStillCounted) {
  UserAutoBlocker blocker(kLevels);
  (void)blocker.offend(int64_t{7}, 0);
  (void)blocker.offend(int64_t{8}, 0);
  (void)blocker.offend(int64_t{8}, 0);
  // After one minute user 7's single offence is forgiven, user 8 still has one.
  EXPECT_EQ(blocker.prune(60'000), 1u);
  EXPECT_EQ(blocker.prune(120'000), 0u);
}

TEST(AutoBlocker, NoLevelsNeverBlocks) {
  UserAutoBlocker blocker({});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(blocker.offend(int64_t{7}, i));
}

}  // namespace
}  // namespace parley
