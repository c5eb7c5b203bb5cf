#include "online/blocklist.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "online/in_process_blocklist_store.h"

namespace parley {
namespace {

using Seen = std::vector<std::pair<BlockTarget, std::string>>;

class BlocklistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    blocklist_.onBlocked(
        [this](BlockTarget target, const std::string& id) { seen_.emplace_back(target, id); });
  }

  void block(BlockTarget target, std::vector<std::string> ids, int64_t until) {
    ASSERT_TRUE(blocklist_.block(target, ids, until).ok());
  }

  InProcessBlocklistStore store_;
  Blocklist blocklist_{store_};
  Seen seen_;
};

TEST_F(BlocklistTest, ABlockHoldsUntilItsEnd) {
  block(BlockTarget::kIp, {"192.0.2.1"}, 1000);
  block(BlockTarget::kUser, {"7"}, 2000);
  EXPECT_EQ(blocklist_.blockedUntil(BlockTarget::kIp, "192.0.2.1", 999), 1000);
  EXPECT_FALSE(blocklist_.blockedUntil(BlockTarget::kIp, "192.0.2.1", 1000));
  EXPECT_FALSE(blocklist_.blockedUntil(BlockTarget::kIp, "192.0.2.2", 0));
  EXPECT_TRUE(blocklist_.isUserBlocked(7, 1999));
  EXPECT_FALSE(blocklist_.isUserBlocked(7, 2000));
  // The kinds are apart: an IP-shaped id is not a user.
  EXPECT_FALSE(blocklist_.isUserBlocked(8, 0));
  EXPECT_EQ(seen_, (Seen{{BlockTarget::kIp, "192.0.2.1"}, {BlockTarget::kUser, "7"}}));
}

TEST_F(BlocklistTest, ALongerBlockExtendsAndAShorterOneChangesNothing) {
  block(BlockTarget::kUser, {"7"}, 2000);
  block(BlockTarget::kUser, {"7"}, 1000);
  EXPECT_TRUE(blocklist_.isUserBlocked(7, 1500));
  block(BlockTarget::kUser, {"7"}, 3000);
  EXPECT_TRUE(blocklist_.isUserBlocked(7, 2500));
  // Told twice: the first block and the extension.
  EXPECT_EQ(seen_.size(), 2u);
}

TEST_F(BlocklistTest, UnblockLiftsAtOnce) {
  block(BlockTarget::kUser, {"7", "8"}, 2000);
  ASSERT_TRUE(blocklist_.unblock(BlockTarget::kUser, std::vector<std::string>{"7"}).ok());
  EXPECT_FALSE(blocklist_.isUserBlocked(7, 0));
  EXPECT_TRUE(blocklist_.isUserBlocked(8, 0));
  ASSERT_TRUE(blocklist_.unblockAll(BlockTarget::kUser).ok());
  EXPECT_FALSE(blocklist_.isUserBlocked(8, 0));
}

TEST_F(BlocklistTest, SyncBringsInWhatAnotherWriterBlockedAndUnblocked) {
  Blocklist other(store_);
  ASSERT_TRUE(other.block(BlockTarget::kIp, std::vector<std::string>{"192.0.2.9"}, 5000).ok());
  EXPECT_FALSE(blocklist_.blockedUntil(BlockTarget::kIp, "192.0.2.9", 0));
  ASSERT_TRUE(blocklist_.sync(0).ok());
  EXPECT_EQ(blocklist_.blockedUntil(BlockTarget::kIp, "192.0.2.9", 0), 5000);
  EXPECT_EQ(seen_, (Seen{{BlockTarget::kIp, "192.0.2.9"}}));
  // A second sync with nothing new tells nothing.
  ASSERT_TRUE(blocklist_.sync(1).ok());
  EXPECT_EQ(seen_.size(), 1u);

  ASSERT_TRUE(other.unblock(BlockTarget::kIp, std::vector<std::string>{"192.0.2.9"}).ok());
  ASSERT_TRUE(blocklist_.sync(2).ok());
  EXPECT_FALSE(blocklist_.blockedUntil(BlockTarget::kIp, "192.0.2.9", 2));
  EXPECT_EQ(blocklist_.size(BlockTarget::kIp), 0u);
}

TEST_F(BlocklistTest, SyncDropsExpiredEntriesFromTheStore) {
  block(BlockTarget::kUser, {"7"}, 1000);
  block(BlockTarget::kUser, {"8"}, 3000);
  ASSERT_TRUE(blocklist_.sync(2000).ok());
  EXPECT_EQ(blocklist_.size(BlockTarget::kUser), 1u);
  auto stored = store_.read(2000);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->entries[1], (std::vector<BlockedClient>{{"8", 3000}}));
}

}  // namespace
}  // namespace parley
