#pragma once
// UserLocations on Redis, shared by every node: GEO sets as upstream keeps them
// (turms-server-common SessionLocationService, GEOADD / GEOSEARCH), sharded by user id, plus who
// wrote each entry (key layout: redis_keys.h, im:loc*).
//
// Sharding. A user's entry lives in one of B buckets, chosen from the user id with the
// ShardingAlgorithm over B: one bucket on a single server, one per server on standalone shards
// (the bucket is then the user's shard, as for sessions), kClusterBuckets on a Redis Cluster
// (one GEO key per bucket, spread over slots and so over primaries). A search asks every bucket
// at once (one call each, in parallel) and keeps the nearest: unlike upstream, which searches
// only the requester's shard, nobody is missed because they hash elsewhere.
//
// Self-healing. This node keeps a copy of the entries its sessions wrote and still own (added
// before the write is sent, dropped when the session removes it). refresh(), called every
// maintenance tick, checks per bucket a mark that says which Redis server process this node last
// wrote all its entries to; when the mark is missing (FLUSHALL, a restart without persistence)
// or names another process (a restart from an older copy, a failover), it writes them all back
// in the same script that sets the mark, keeping any entry a later login wrote meanwhile. A write
// that failed marks its bucket for the same rewrite; a removal that failed is retried.
//
// Every call blocks on Redis (never call from one of the deployment's io threads). Failures are
// kServerUnavailable with a reason.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include "online/user_locations.h"
#include "redis/sharding_algorithm.h"

namespace parley {

namespace redis {
class RedisDeployment;
}

struct RedisUserLocationsOptions {
  std::string node_id;
  bool per_device = false;  // location.treat-user-id-and-device-type-as-unique-user
};

struct LocationRefreshReport {
  size_t rewritten = 0;         // entries written back to buckets that had lost them
  size_t retried_removals = 0;  // removals sent again (and done)
  size_t failed_buckets = 0;
  std::string first_error;
};

class RedisUserLocations final : public UserLocations {
 public:
  // Buckets of a Redis Cluster. Every node must use the same number: it is part of the key
  // layout (changing it loses the entries until their sessions send them again).
  static constexpr int32_t kClusterBuckets = 16;

  RedisUserLocations(redis::RedisDeployment& redis, RedisUserLocationsOptions options);

  // Called by the node's maintenance thread every tick.
  LocationRefreshReport refresh();
  // Entries this node's sessions wrote and own.
  size_t localEntryCount() const;

  VoidResult upsert(const LocationSession& session, GeoPosition position) override;
  VoidResult remove(const LocationSession& session) override;
  Result<std::vector<LocatedUser>> search(GeoPosition center, double radius_meters,
                                          int count) override;
  VoidResult removeStale(std::span<const LocatedUser> entries) override;

 private:
  struct LocalEntry {
    int32_t bucket = 0;
    GeoPosition position;
    std::string writer;
  };
  struct PendingRemoval {
    int32_t bucket = 0;
    std::string writer;
  };

  int32_t bucketOf(int64_t user_id) const { return buckets_.shardOfUser(user_id); }
  // Sends the removal of (member, writer) pairs of one bucket; returns how many went.
  Result<size_t> sendRemovals(int32_t bucket,
                              const std::vector<std::pair<std::string, std::string>>& removals);
  // Writes every local entry of the bucket back and sets this node's mark; false on failure.
  bool rewriteBucket(int32_t bucket, LocationRefreshReport& report);

  redis::RedisDeployment& redis_;
  const RedisUserLocationsOptions options_;
  const ShardingAlgorithm buckets_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, LocalEntry> local_;                 // member → entry
  std::unordered_map<std::string, PendingRemoval> pending_removals_;  // member → removal
  std::set<int32_t> dirty_buckets_;  // a write failed there: rewrite at the next refresh
};

}  // namespace parley
