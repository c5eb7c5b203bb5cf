#pragma once
// Client-side sharding over several standalone Redis deployments (config lists N URIs): which
// of the N holds a user's session hash, a group's or a private conversation's sequence counter.
//
// Every node, and any other program sharing the deployments, must compute the same index, so the
// function is fixed and specified here; changing it moves data and is a breaking change.
// Upstream's range partition (slot * span) is out of range when N does not divide 65536; this
// one is valid for every N >= 1, and growing N to N + 1 moves only about 1/(N + 1) of the keys,
// all of them to the new shard, which keeps the self-healing re-registration small.
//
// The exact formula (all arithmetic on unsigned 64-bit integers, wrapping; ids are int64
// reinterpreted as uint64 two's complement):
//
//   mix(x):  z = x + 0x9E3779B97F4A7C15
//            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//            z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//            return z ^ (z >> 31)                  (SplitMix64's output for state x)
//
//   jump(key, n):                                   (Lamping & Veach 2014, "A Fast, Minimal
//            b = -1, j = 0                          Memory, Consistent Hash Algorithm", verbatim;
//            while j < n:                           the division and product are IEEE 754
//              b = j                                double operations, j truncates toward 0)
//              key = key * 2862933555777941757 + 1
//              j = int64((b + 1) * (double(2^31) / double((key >> 33) + 1)))
//            return b
//
//   user u:                      jump(mix(u), n)
//   group g:                     jump(mix(g), n)
//   private pair {a, b}:         lo = min(a, b), hi = max(a, b) (signed comparison)
//                                jump(mix(mix(lo) ^ hi), n)
//   verification digest d:       jump(mix(d), n), d = the digest's first 8 bytes as the tag
//                                writes them (16 hex digits, a big-endian uint64)
//
// Known answers are pinned in sharding_algorithm_test.cpp.
#include <cstdint>

namespace parley {

class ShardingAlgorithm {
 public:
  // shard_count >= 1; throws std::invalid_argument otherwise (start-up only, from config).
  explicit ShardingAlgorithm(int32_t shard_count);

  int32_t shardCount() const { return shard_count_; }

  // All results are in [0, shardCount()).
  int32_t shardOfUser(int64_t user_id) const { return jump(mix(toKey(user_id)), shard_count_); }
  int32_t shardOfGroup(int64_t group_id) const { return jump(mix(toKey(group_id)), shard_count_); }
  // The pair is unordered: (a, b) and (b, a) are the same conversation.
  int32_t shardOfPrivateConversation(int64_t user1, int64_t user2) const;
  // A password verification cache entry (online/redis_verification_cache.h), by its digest.
  int32_t shardOfVerification(uint64_t digest_prefix) const {
    return jump(mix(digest_prefix), shard_count_);
  }

  // The building blocks, public so tests and tools can pin them.
  static uint64_t mix(uint64_t x);
  // shard_count < 1 is treated as 1 (the constructor already rejects it).
  static int32_t jump(uint64_t key, int32_t shard_count);

 private:
  static uint64_t toKey(int64_t id) { return static_cast<uint64_t>(id); }

  int32_t shard_count_;
};

}  // namespace parley
