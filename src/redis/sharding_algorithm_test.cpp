#include "redis/sharding_algorithm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace parley {
namespace {

constexpr int kIdCount = 100'000;
constexpr int32_t kMaxShards = 16;

// Sequential ids and Snowflake-shaped ids (time << 22 | worker << 12 | sequence, see
// core/snowflake.h), whose low bits repeat: the mapping must spread both.
std::vector<int64_t> sampleIds() {
  std::vector<int64_t> ids;
  ids.reserve(2 * kIdCount);
  for (int64_t i = 1; i <= kIdCount; ++i) ids.push_back(i);
  for (int64_t i = 0; i < kIdCount; ++i) {
    const int64_t millis = 60'000'000'000 + i / 8;
    const int64_t worker = 3;
    ids.push_back((millis << 22) | (worker << 12) | (i % 8));
  }
  return ids;
}

// The values below were computed once from the formula in sharding_algorithm.h with an
// independent Python implementation. If one of these fails, the mapping changed: every
// deployment with several shards would look for its data on the wrong shard.
TEST(ShardingAlgorithm, MixIsSplitMix64) {
  EXPECT_EQ(ShardingAlgorithm::mix(0), 0xE220A8397B1DCDAFULL);  // SplitMix64's first output
  EXPECT_EQ(ShardingAlgorithm::mix(1), 0x910A2DEC89025CC1ULL);
  EXPECT_EQ(ShardingAlgorithm::mix(42), 0xBDD732262FEB6E95ULL);
  EXPECT_EQ(ShardingAlgorithm::mix(~uint64_t{0}), 0xE4D971771B652C20ULL);
}

TEST(ShardingAlgorithm, JumpMatchesPublishedAnswers) {
  // The answers ClickHouse's jumpConsistentHash pins (tests/queries/0_stateless/
  // 00580_consistent_hashing_functions), an independent implementation of the same paper.
  EXPECT_EQ(ShardingAlgorithm::jump(1, 1), 0);
  EXPECT_EQ(ShardingAlgorithm::jump(42, 57), 43);
  EXPECT_EQ(ShardingAlgorithm::jump(256, 1024), 520);
  EXPECT_EQ(ShardingAlgorithm::jump(3735883980ULL, 1), 0);
  EXPECT_EQ(ShardingAlgorithm::jump(3735883980ULL, 666), 361);
  EXPECT_EQ(ShardingAlgorithm::jump(16045690984833335023ULL, 255), 237);
}

TEST(ShardingAlgorithm, UserKnownAnswers) {
  struct Vector {
    int64_t user_id;
    std::vector<int32_t> expected;  // for the shard counts below
  };
  const std::vector<int32_t> counts{1, 2, 3, 5, 7, 10, 16, 1000};
  const std::vector<Vector> vectors{
      {0, {0, 1, 2, 3, 3, 8, 8, 258}},
      {1, {0, 0, 0, 3, 3, 9, 15, 527}},
      {42, {0, 0, 0, 0, 0, 0, 0, 151}},
      {-1, {0, 0, 2, 3, 3, 3, 3, 650}},
      {7290392158302253056, {0, 0, 2, 4, 6, 6, 10, 188}},
      {INT64_MAX, {0, 1, 1, 1, 1, 1, 12, 515}},
  };
  for (const Vector& v : vectors) {
    for (size_t i = 0; i < counts.size(); ++i) {
      EXPECT_EQ(ShardingAlgorithm(counts[i]).shardOfUser(v.user_id), v.expected[i])
          << "user " << v.user_id << ", " << counts[i] << " shards";
      EXPECT_EQ(ShardingAlgorithm(counts[i]).shardOfGroup(v.user_id), v.expected[i])
          << "group " << v.user_id << ", " << counts[i] << " shards";
    }
  }
}

TEST(ShardingAlgorithm, PrivateConversationKnownAnswers) {
  struct Vector {
    int64_t a;
    int64_t b;
    std::vector<int32_t> expected;
  };
  const std::vector<int32_t> counts{2, 3, 7, 16};
  const std::vector<Vector> vectors{
      {1, 2, {1, 1, 4, 4}},
      {42, 7, {1, 1, 5, 15}},
      {-5, 9, {0, 2, 3, 14}},
  };
  for (const Vector& v : vectors) {
    for (size_t i = 0; i < counts.size(); ++i) {
      const ShardingAlgorithm sharding(counts[i]);
      EXPECT_EQ(sharding.shardOfPrivateConversation(v.a, v.b), v.expected[i])
          << v.a << "-" << v.b << ", " << counts[i] << " shards";
    }
  }
}

TEST(ShardingAlgorithm, RejectsFewerThanOneShard) {
  EXPECT_THROW(ShardingAlgorithm(0), std::invalid_argument);
  EXPECT_THROW(ShardingAlgorithm(-3), std::invalid_argument);
  EXPECT_EQ(ShardingAlgorithm::jump(123, 0), 0);
}

TEST(ShardingAlgorithm, EveryShardCountMapsIntoRange) {
  const std::vector<int64_t> ids = sampleIds();
  for (int32_t n = 1; n <= kMaxShards; ++n) {
    const ShardingAlgorithm sharding(n);
    for (size_t i = 0; i < ids.size(); i += 7) {
      const int64_t id = ids[i];
      for (const int32_t shard : {sharding.shardOfUser(id), sharding.shardOfGroup(-id),
                                  sharding.shardOfPrivateConversation(id, id + 1),
                                  sharding.shardOfPrivateConversation(id, id)}) {
        ASSERT_GE(shard, 0) << "id " << id << ", " << n << " shards";
        ASSERT_LT(shard, n) << "id " << id << ", " << n << " shards";
      }
    }
  }
}

TEST(ShardingAlgorithm, DistributionIsWithinFivePercentOfUniform) {
  const std::vector<int64_t> all = sampleIds();
  // Each half separately: sequential ids, then Snowflake-shaped ids.
  for (const auto& [first, label] :
       {std::pair{size_t{0}, "sequential"}, std::pair{size_t{kIdCount}, "snowflake"}}) {
    for (int32_t n = 1; n <= kMaxShards; ++n) {
      const ShardingAlgorithm sharding(n);
      std::vector<int> users(n, 0);
      std::vector<int> pairs(n, 0);
      for (size_t i = first; i < first + kIdCount; ++i) {
        ++users[sharding.shardOfUser(all[i])];
        ++pairs[sharding.shardOfPrivateConversation(all[i], all[(i * 7919) % all.size()])];
      }
      const double expected = static_cast<double>(kIdCount) / n;
      for (int32_t shard = 0; shard < n; ++shard) {
        EXPECT_LT(std::abs(users[shard] - expected), 0.05 * expected)
            << label << " users, " << n << " shards, shard " << shard << ": " << users[shard];
        EXPECT_LT(std::abs(pairs[shard] - expected), 0.05 * expected)
            << label << " pairs, " << n << " shards, shard " << shard << ": " << pairs[shard];
      }
    }
  }
}

TEST(ShardingAlgorithm, GrowingByOneMovesAboutOneInNPlusOneOnlyToTheNewShard) {
  const std::vector<int64_t> ids = sampleIds();
  for (int32_t n = 1; n < kMaxShards; ++n) {
    const ShardingAlgorithm before(n);
    const ShardingAlgorithm after(n + 1);
    int moved = 0;
    for (const int64_t id : ids) {
      const int32_t old_shard = before.shardOfUser(id);
      const int32_t new_shard = after.shardOfUser(id);
      if (old_shard == new_shard) continue;
      ++moved;
      ASSERT_EQ(new_shard, n) << "id " << id << " moved from " << old_shard << " to " << new_shard
                              << " going from " << n << " to " << n + 1;
    }
    const double expected = static_cast<double>(ids.size()) / (n + 1);
    EXPECT_LT(std::abs(moved - expected), 0.05 * expected)
        << n << " -> " << n + 1 << " shards moved " << moved << " of " << ids.size();
  }
}

TEST(ShardingAlgorithm, PrivateConversationIsUnordered) {
  const std::vector<int64_t> ids = sampleIds();
  for (int32_t n = 1; n <= kMaxShards; ++n) {
    const ShardingAlgorithm sharding(n);
    for (size_t i = 0; i + 1 < ids.size(); i += 101) {
      const int64_t a = ids[i];
      const int64_t b = -ids[i + 1];  // mixed signs exercise the signed ordering
      const int32_t shard = sharding.shardOfPrivateConversation(a, b);
      ASSERT_EQ(sharding.shardOfPrivateConversation(b, a), shard) << a << ", " << b;
    }
  }
}

}  // namespace
}  // namespace parley
