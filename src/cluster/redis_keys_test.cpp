#include "cluster/redis_keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley {
namespace {

TEST(Crc16, MatchesRedisCheckValue) {
  // The check value in Redis's crc16.c and the Cluster specification.
  EXPECT_EQ(crc16("123456789"), 0x31C3);
  EXPECT_EQ(crc16(""), 0);
}

TEST(HashTag, FollowsRedisClusterRules) {
  EXPECT_EQ(hashTag("{user1000}.following"), "user1000");
  EXPECT_EQ(hashTag("foo{}{bar}"), "foo{}{bar}");  // empty first tag: the whole key
  EXPECT_EQ(hashTag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(hashTag("foo{bar}{zap}"), "bar");  // only the first tag
  EXPECT_EQ(hashTag("foo{"), "foo{");
  EXPECT_EQ(hashTag("foo}{bar}"), "bar");
  EXPECT_EQ(hashTag("plain"), "plain");
  EXPECT_EQ(hashTag(""), "");
}

// Pinned from `redis-cli cluster keyslot <key>` against redis-server 7.0.15 started with
// --cluster-enabled yes; no server is needed to run this test.
TEST(KeySlot, MatchesRedisServer) {
  struct Case {
    std::string key;
    uint16_t slot;
  };
  const std::vector<Case> cases{
      {"123456789", 12739},  // 0x31C3
      {"im:seq:{u:42}", 8980},
      {"im:sess:{u:42}", 8980},
      {"{user1000}.following", 3443},
      {"{user1000}.followers", 3443},
      {"foo{}{bar}", 8363},
      {"foo{{bar}}zap", 4015},
      {"{bar", 4015},
      {"foo{bar}{zap}", 5061},
      {"bar", 5061},
      {"foo}{bar}", 5061},
      {"foo{", 7673},
      {"a{b}c", 3300},
      {"{}", 15257},
      {"", 0},
      {"im:sess:{u:0}", 12277},
      {"im:sess:{u:-1}", 10908},
      {"im:sess:{u:7290392158302253056}", 15992},
      {"im:seq:{g:123456789}", 3979},
      {"im:seq:{p:1:2}", 5918},
      {"im:nodes:{cluster}", 14041},
      {"im:node:{cluster}:node-a", 14041},
  };
  for (const Case& c : cases) EXPECT_EQ(keySlot(c.key), c.slot) << c.key;
}

TEST(KeySlot, AlwaysBelow16384) {
  std::string key;
  for (int i = 0; i < 5000; ++i) {
    key = "k" + std::to_string(i * 7919);
    ASSERT_LT(keySlot(key), kClusterSlotCount) << key;
  }
  const std::string binary("\xff\x00{\x80}", 5);
  EXPECT_LT(keySlot(binary), kClusterSlotCount);
}

TEST(RedisKeys, Names) {
  EXPECT_EQ(redis_keys::session(42), "im:sess:{u:42}");
  EXPECT_EQ(redis_keys::session(-7), "im:sess:{u:-7}");
  EXPECT_EQ(redis_keys::groupSequence(123456789), "im:seq:{g:123456789}");
  EXPECT_EQ(redis_keys::privateSequence(2, 1), "im:seq:{p:1:2}");
  EXPECT_EQ(redis_keys::privateSequence(-5, 3), "im:seq:{p:-5:3}");
  EXPECT_EQ(redis_keys::nodes(), "im:nodes:{cluster}");
  EXPECT_EQ(redis_keys::node("node-a"), "im:node:{cluster}:node-a");
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
