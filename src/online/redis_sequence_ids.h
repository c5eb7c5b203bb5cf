#pragma once
// SequenceIds on Redis (issue 6 item 4): one counter per conversation, key
// redis_keys::sequence(key) ("im:seq:{g:<group>}" / "im:seq:{p:<lo>:<hi>}"), allocated by one
// atomic script: INCR, never going below a floor the caller passes.
//
// Why a floor. Redis may lose a counter (FLUSHALL, a restart without persistence, a failover to a
// lagging replica) or roll it back (an older snapshot). Ids must still never repeat or go
// backwards, so each call passes:
//   - floor: the highest id this node allocated for the conversation; the script never answers
//     at or below it (INCR result <= floor → floor + 1, written back).
//   - reseed: used only when the counter is missing or was rolled back below the floor. After a
//     (re)connect (RedisDeployment::connectGeneration changed) or for a conversation not seen
//     yet, the conversation is "unverified": the durable maximum (MessageRepository::
//     maxSequenceId) is read and floor = max(local high, durable max), reseed = durable max +
//     reseed_gap (when durable max > 0). The gap is needed because ids are allocated before the
//     message is stored: when Redis loses a counter, ids above the durable maximum may have been
//     issued (by this or another node) to messages still in flight, and re-seeding at the durable
//     maximum would hand them out again. reseed_gap bounds how many can be in flight per
//     conversation; a gap in the sequence is harmless, a repeat is not.
//   - Verified conversations cost no storage read: floor = local high and the script reports a
//     missing counter (0) instead of creating it; the caller then re-verifies and retries once.
//     This catches a FLUSHALL that did not drop the connection.
// Lua numbers are doubles: ids are exact up to 2^53, far beyond any conversation's length.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "core/result.h"
#include "online/sequence_ids.h"

namespace parley {

namespace redis {
class RedisDeployment;
}
class MessageRepository;

struct RedisSequenceIdsOptions {
  int64_t reseed_gap = 100;
  // Conversations whose local high and verification are remembered; when full, the cache is
  // cleared (the next call of each conversation pays one storage read to re-verify).
  size_t verified_cache_entries = 100000;
};

class RedisSequenceIds final : public SequenceIds {
 public:
  RedisSequenceIds(redis::RedisDeployment& redis, MessageRepository& durable,
                   RedisSequenceIdsOptions options = {});

  // Thread-safe; blocks on Redis (and on storage when unverified). kServerUnavailable when Redis
  // or storage fails.
  Result<int64_t> next(const ConversationKey& key) override;

 private:
  struct Known {
    int64_t high = 0;                  // highest id allocated here
    uint64_t verified_generation = 0;  // connectGeneration() + 1 when verified; 0 = never
  };
  struct KeyHash {
    size_t operator()(const ConversationKey& key) const;
  };
  struct KeyEqual {
    bool operator()(const ConversationKey& x, const ConversationKey& y) const {
      return x.is_group == y.is_group && x.a == y.a && x.b == y.b;
    }
  };

  // One script call. reseed < 0: report a missing counter as 0 instead of creating it.
  Result<int64_t> allocate(const ConversationKey& key, int64_t floor, int64_t reseed);
  void remember(const ConversationKey& key, int64_t value, uint64_t verified_generation);

  redis::RedisDeployment& redis_;
  MessageRepository& durable_;
  const RedisSequenceIdsOptions options_;

  std::mutex mutex_;
  std::unordered_map<ConversationKey, Known, KeyHash, KeyEqual> known_;
};

}  // namespace parley
