#include "redis/sharding_algorithm.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace parley {

ShardingAlgorithm::ShardingAlgorithm(int32_t shard_count) : shard_count_(shard_count) {
  if (shard_count < 1) {
    throw std::invalid_argument("ShardingAlgorithm: the number of shards must be at least 1, got " +
                                std::to_string(shard_count));
  }
}

int32_t ShardingAlgorithm::shardOfPrivateConversation(int64_t user1, int64_t user2) const {
  const int64_t lo = std::min(user1, user2);
  const int64_t hi = std::max(user1, user2);
  // Ordering first makes the pair unordered. Upstream's plain lo ^ hi sends every pair with the
  // same XOR to one shard (all self-pairs to one); mixing lo first makes both ids count apart.
  return jump(mix(mix(toKey(lo)) ^ toKey(hi)), shard_count_);
}

uint64_t ShardingAlgorithm::mix(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int32_t ShardingAlgorithm::jump(uint64_t key, int32_t shard_count) {
  // Kept exactly as published, including the double arithmetic, so that other implementations
  // (Guava's consistentHash is a different generator and does not match) can reproduce it.
  int64_t b = -1;
  int64_t j = 0;
  while (j < shard_count) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<int64_t>(static_cast<double>(b + 1) * (static_cast<double>(int64_t{1} << 31) /
                                                           static_cast<double>((key >> 33) + 1)));
  }
  return b < 0 ? 0 : static_cast<int32_t>(b);
}

}  // namespace parley
