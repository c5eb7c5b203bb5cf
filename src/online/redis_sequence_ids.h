#pragma once
// SequenceIds on Redis: one counter per conversation, key redis_keys::sequence(key)
// ("im:seq:{g:<group>}" / "im:seq:{p:<lo>:<hi>}"), a hash {v: last id handed out, lim: the lease
// bound, srv: the Redis server process that holds it}, used by one atomic script.
//
// Why ids cannot repeat or go backwards, whatever state Redis comes back in (docs/cluster.md,
// "Sequence ids", has the full argument):
//   - Leases. The counter hands out ids only up to `lim`, and `lim` is a bound recorded durably
//     first (SequenceLeaseRepository: MongoDB or SQLite): every id ever handed out is at most the
//     conversation's durable bound. A counter that runs out asks for a new lease.
//   - Trust. A counter is used only if `srv` names the server process running the script (its
//     INFO run_id, passed by the connection: ScriptArgs::kServerIdFirst). A counter that is
//     missing (FLUSHALL, a restart without persistence, a new shard layout), or that another
//     process wrote (a restart from an older AOF or RDB, a failover to a lagging replica, data
//     copied between servers), may be behind ids already handed out: it is not used until it
//     has taken a new lease, and a new lease over an untrusted counter restarts it at the
//     lease's start, above everything handed out before. A conversation that never had a lease
//     never handed out an id, so its first id is 1 (or its stored maximum + 1 after an upgrade).
//   - Layout changes. Once per conversation and process, before using a trusted counter, a node
//     compares its lease with the durable bound: a counter whose lease ends below the bound was
//     left behind while leases were taken elsewhere (under another shard layout) and is not
//     trusted either.
//   - One leaser at a time. The node that finds the lease used up takes a short lock beside the
//     counter (same slot) and extends the durable bound; the others wait for it, so concurrent
//     nodes do not all write to the durable store at once.
// Ids skipped this way (the rest of a lease when Redis lost its counter) are gaps; clients
// tolerate gaps, not repeats.
//
// A counter left by an earlier Parley (a plain string) is converted by the script into an
// untrusted hash, so it is re-leased above the stored maximum. Lua numbers are doubles: ids are
// exact up to 2^53, far beyond any conversation's length.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "core/result.h"
#include "online/sequence_ids.h"

namespace parley {

namespace redis {
class RedisDeployment;
}
class SequenceLeaseRepository;

struct RedisSequenceIdsOptions {
  // Ids per durable lease: at most this many are skipped when Redis loses a counter, and a
  // conversation writes its durable bound once per this many messages.
  int64_t lease_size = 100;
  // How long a caller that found another one extending the lease waits for it, and how long the
  // lock is held at most (a crashed leaser's lock expires by then).
  int64_t lease_wait_millis = 5000;
  // Conversations whose counter this process has checked against the durable bound; when full,
  // the set starts over (each conversation then pays one more read).
  size_t checked_cache_entries = 100'000;
};

struct RedisSequenceIdsStats {
  uint64_t bound_checks = 0;    // durable bounds read to check a counter (first use per process)
  uint64_t leases = 0;          // durable bounds raised by this node
  uint64_t stale_counters = 0;  // leases taken over a missing or untrusted counter
  uint64_t lease_waits = 0;     // calls that waited for another caller's lease
};

class RedisSequenceIds final : public SequenceIds {
 public:
  RedisSequenceIds(redis::RedisDeployment& redis, SequenceLeaseRepository& leases,
                   RedisSequenceIdsOptions options = {});

  // Thread-safe; blocks on Redis (and on the durable store when a lease runs out).
  // kServerUnavailable when Redis or the store fails.
  Result<int64_t> next(const ConversationKey& key) override;

  RedisSequenceIdsStats stats() const;

 private:
  bool checked(const ConversationKey& key);
  void markChecked(const ConversationKey& key);

  redis::RedisDeployment& redis_;
  SequenceLeaseRepository& leases_;
  const RedisSequenceIdsOptions options_;
  std::mutex checked_mutex_;
  std::unordered_set<ConversationKey, ConversationKeyHash> checked_;
  struct Counters;
  std::shared_ptr<Counters> counters_;
};

}  // namespace parley
