#include "redis/key_slot.h"

#include <gtest/gtest.h>

#include <string>

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

TEST(SlotTag, LandsInItsSlot) {
  for (uint32_t slot = 0; slot < kClusterSlotCount; ++slot) {
    const std::string key = "im:mark:{" + std::string(slotTag(static_cast<uint16_t>(slot))) + "}";
    ASSERT_EQ(keySlot(key), slot) << key;
  }
}

}  // namespace
}  // namespace parley
