#include "online/redis_keys.h"
#include "redis/key_slot.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley {
namespace {

TEST(RedisKeys, Names) {
  EXPECT_EQ(redis_keys::session(42), "im:sess:{u:42}");
  EXPECT_EQ(redis_keys::session(-7), "im:sess:{u:-7}");
  EXPECT_EQ(redis_keys::groupSequence(123456789), "im:seq:{g:123456789}");
  EXPECT_EQ(redis_keys::privateSequence(2, 1), "im:seq:{p:1:2}");
  EXPECT_EQ(redis_keys::privateSequence(-5, 3), "im:seq:{p:-5:3}");
  EXPECT_EQ(redis_keys::nodes(), "im:nodes:{cluster}");
  EXPECT_EQ(redis_keys::node("node-a"), "im:node:{cluster}:node-a");
  EXPECT_EQ(redis_keys::nodeFigures("node-a"), "im:node-figures:{cluster}:node-a");
}

TEST(RedisKeys, ConversationKeysAreUnordered) {
  EXPECT_EQ(redis_keys::privateSequence(1, 2), redis_keys::privateSequence(2, 1));
  EXPECT_EQ(redis_keys::sequence(ConversationKey::privateOf(9, 4)),
            redis_keys::privateSequence(4, 9));
  EXPECT_EQ(redis_keys::sequence(ConversationKey::privateOf(4, 9)),
            redis_keys::privateSequence(9, 4));
  EXPECT_EQ(redis_keys::sequence(ConversationKey::groupOf(77)), redis_keys::groupSequence(77));
}

TEST(RedisKeys, EachTagIsOneSlotWhateverTheKeyName) {
  // What the tags are for: keys of one user / conversation can go into one script.
  EXPECT_EQ(keySlot(redis_keys::session(42)), keySlot("im:anything:{u:42}"));
  EXPECT_EQ(keySlot(redis_keys::groupSequence(9)), keySlot("im:other:{g:9}:x"));
  EXPECT_EQ(keySlot(redis_keys::nodes()), keySlot(redis_keys::node("n1")));
  // Braces in a node id come after the tag, so they cannot move the key to another slot.
  EXPECT_EQ(keySlot(redis_keys::node("{weird}")), keySlot(redis_keys::nodes()));
  // Every node's figures in one slot: one MGET reads them all.
  EXPECT_EQ(keySlot(redis_keys::nodeFigures("{weird}")), keySlot(redis_keys::nodes()));
}

TEST(RedisKeys, UsersSpreadOverSlots) {
  std::vector<int> per_slot(kClusterSlotCount, 0);
  for (int64_t user = 1; user <= 100'000; ++user) ++per_slot[keySlot(redis_keys::session(user))];
  int used = 0;
  for (const int count : per_slot) used += count > 0;
  // 100,000 keys over 16384 slots leave about 16384 * e^-6.1 ≈ 37 slots empty when uniform.
  EXPECT_GT(used, 16000);
}

}  // namespace
}  // namespace parley
