#pragma once
// Which Redis Cluster primary serves each of the 16384 slots, and the MOVED / ASK redirections
// that tell a client its map is out of date.
//
// Input is a plain struct mirroring the CLUSTER SLOTS reply, so this code stays independent of
// the RESP reader; everything in it came from the network and is validated, never asserted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley {

struct RedisNodeAddress {
  std::string host;
  uint16_t port = 0;

  // "host:port", the form used in MOVED and in logs.
  std::string toString() const;
  bool operator==(const RedisNodeAddress&) const = default;
};

// One node of a CLUSTER SLOTS entry, as decoded from RESP: the preferred endpoint (a NULL bulk
// string is passed as ""), and the port as the integer it was on the wire.
struct ClusterSlotsNode {
  std::string endpoint;
  int64_t port = 0;
};

// One entry of the CLUSTER SLOTS reply: slots start..end (inclusive), the primary serving them
// (the first node of the entry) and its replicas (the rest).
struct ClusterSlotsEntry {
  int64_t start = 0;
  int64_t end = 0;
  ClusterSlotsNode primary;
  std::vector<ClusterSlotsNode> replicas;
};

class ClusterSlotMap {
 public:
  // Every slot unassigned.
  ClusterSlotMap();

  // queried_host is the host the CLUSTER SLOTS command was sent to: a node whose endpoint is
  // NULL, "" or "?" (unknown endpoint, or a node that does not know its own address) is reached
  // there, on the port from the reply, as the Redis documentation prescribes. Fails with
  // kServerUnavailable on a slot outside 0..16383, start > end, a port outside 1..65535, or two
  // entries claiming one slot. Slots absent from the reply stay unassigned.
  static Result<ClusterSlotMap> fromClusterSlots(std::span<const ClusterSlotsEntry> reply,
                                                 std::string_view queried_host);

  // nullptr when the slot is unassigned or not a slot (>= 16384).
  const RedisNodeAddress* primaryOf(uint16_t slot) const;
  // Empty when the slot is unassigned or has no replica.
  std::span<const RedisNodeAddress> replicasOf(uint16_t slot) const;
  const RedisNodeAddress* primaryOfKey(std::string_view key) const;

  // A cluster with unassigned slots answers CLUSTERDOWN for them; callers report it once.
  size_t unassignedSlotCount() const;
  bool coversAllSlots() const { return unassignedSlotCount() == 0; }

  // The distinct primaries that serve at least one slot, in order of their first slot: the
  // connections a client needs.
  std::vector<RedisNodeAddress> primaries() const;

  // After a MOVED, the slot belongs to primary from now on (without replicas known until the
  // next full refresh). ASK must not be applied: it is a one-off redirection during migration.
  void reassign(uint16_t slot, const RedisNodeAddress& primary);

 private:
  struct Shard {
    RedisNodeAddress primary;
    std::vector<RedisNodeAddress> replicas;
  };
  static constexpr uint16_t kUnassigned = 0xFFFF;

  const Shard* shardOf(uint16_t slot) const;
  // The index of the shard with this primary, adding one if needed.
  uint16_t shardIndexOf(const RedisNodeAddress& primary);
  void dropIdleShards();

  std::vector<Shard> shards_;
  // Index into shards_ per slot, or kUnassigned. A vector rather than an array keeps moves cheap.
  std::vector<uint16_t> slot_to_shard_;
};

enum class RedirectKind { kMoved, kAsk };

struct ClusterRedirect {
  RedirectKind kind = RedirectKind::kMoved;
  uint16_t slot = 0;
  RedisNodeAddress address;

  bool operator==(const ClusterRedirect&) const = default;
};

// Parses "MOVED <slot> <endpoint>:<port>" or "ASK <slot> <endpoint>:<port>", the error message
// as the RESP reader hands it over (without the leading '-'). The endpoint may be an IPv6
// address (split at the last ':') or empty, which means the node that replied (replying_host)
// on the given port. nullopt for any other error, or a malformed redirection.
std::optional<ClusterRedirect> parseClusterRedirect(std::string_view error_message,
                                                    std::string_view replying_host);

}  // namespace parley
