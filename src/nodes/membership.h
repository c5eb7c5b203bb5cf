#pragma once
// Which Parley nodes are alive, kept in Redis (upstream's turms-server-common cluster discovery
// keeps members in MongoDB; Parley keeps the same rules in Redis, which every cluster already
// has):
//
//   redis_keys::nodes()    ZSET  node id → last heartbeat, epoch milliseconds
//   redis_keys::node(id)   HASH  host, port, started, incarnation, written; PEXPIRE'd to
//                                stale_after
//
// Every heartbeat is one script: write self, prune nodes whose heartbeat is older than
// stale_after, and read back the live ones, so one round trip both proves this node alive and
// refreshes its view. Redis losing the data (FLUSHALL, restart without persistence) is noticed
// when a heartbeat finds this node's own entry gone: the heartbeat writes it again, and the
// nodes seen before are not declared dead because their entries vanished with the rest. They
// stay in the view until they write themselves back (their next heartbeat) or their last
// heartbeat seen grows stale. A node whose RPC connection is healthy counts as heard from at
// every heartbeat, in Redis or not (it may be unable to write its own heartbeat for a moment).
// While this node's own heartbeats fail (Redis down, a Cluster failing over), the others cannot
// write theirs either: the view is judged as of the last heartbeat that worked, and once one works
// again the time Redis was silent is not counted against anyone. A heartbeat that is late (still
// waiting for Redis) does not age the view either: it is judged no later than when that
// heartbeat was due. A node another node's data names
// (a session on it) but this view does not know is looked up in Redis again before it is treated as
// dead (confirmAlive).
//
// Heartbeats are stamped with each node's own Clock, not Redis's TIME: nodes' clocks are assumed
// NTP-synced, and a skew well under stale_after (seconds) does no harm. Reads are served from a
// cached view and are thread-safe; join/heartbeat/leave block on Redis and belong on the
// maintenance thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace parley::redis {
class RedisDeployment;
}

namespace parley::nodes {

struct NodeInfo {
  std::string id;
  // What peers dial to reach this node's RpcServer: a routable address, never a wildcard.
  std::string rpc_host;
  uint16_t rpc_port = 0;
  int64_t started_at_millis = 0;
  int64_t heartbeat_millis = 0;
  // When the node last began a refresh that wrote every session it holds to Redis (its start
  // before the first); INT64_MAX for a node that does not say (an earlier version).
  int64_t sessions_written_millis = 0;
};

struct MembershipOptions {
  std::chrono::milliseconds heartbeat_interval{5000};
  // A node whose last heartbeat is older than this is dead, in Redis and in the cached view.
  std::chrono::milliseconds stale_after{15000};
};

class Membership {
 public:
  Membership(redis::RedisDeployment& redis, NodeInfo self, MembershipOptions options,
             const Clock& clock);
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

  // Start-up registration. Fails with kIllegalArgument naming the holder when a live node (fresh
  // heartbeat) already uses this id, as Turms aborts start-up on a duplicate member; a crashed
  // node's id is free again after stale_after. Retrying after an ambiguous failure is safe: the
  // check recognises this process's own earlier write.
  VoidResult join();
  // The maintenance tick (every heartbeat_interval). On failure the error is returned and logged
  // once per outage; the view keeps the nodes live at the last heartbeat that worked.
  VoidResult heartbeat();
  // A node announced (over RPC) that it has just joined: it counts as live from now on, without
  // waiting for the next heartbeat to read it from Redis.
  void noteJoined(NodeInfo node);
  // Graceful shutdown: removes this node so that peers stop routing to it at once.
  void leave();

  // Reachability of peers over RPC (a connected client): a reachable peer counts as heard from
  // at each heartbeat, whether Redis lists it or not. Set once the RPC clients exist.
  void setReachability(std::function<bool(std::string_view node_id)> reachable);

  // Reads of the cached view; the local node is always alive.
  bool isAlive(std::string_view node_id) const;
  // isAlive, else reads that node's entry from Redis (blocking; at most once per second per
  // node, answering from the last read in between) and adds it to the view when fresh: a node
  // this view lost or has not heard of yet.
  bool confirmAlive(std::string_view node_id);
  // The last known details of a node, live or not (isAlive tells).
  std::optional<NodeInfo> find(std::string_view node_id) const;
  // The live nodes, this one included, in id order.
  std::vector<NodeInfo> liveNodes() const;
  // No other live node: routing can skip registry lookups.
  bool alone() const;
  // This node's sessions were all written to Redis by a refresh that began at `millis`; told to
  // the others with the next heartbeat.
  void noteSessionsWritten(int64_t millis);
  // Whether every live node (this one included) has written all its sessions to Redis since
  // `since_millis` (a Redis server's clock; node clocks may differ by up to kClockSkewMillis):
  // entries Redis lost at that moment are all back.
  bool allSessionsWrittenSince(int64_t since_millis) const;
  // How far node clocks and Redis's may differ (NTP-synced); comparisons across them allow it.
  static constexpr int64_t kClockSkewMillis = 1000;
  const NodeInfo& self() const { return self_; }
  const MembershipOptions& options() const { return options_; }

 private:
  // confirmAlive reads a node's entry at most this often.
  static constexpr int64_t kConfirmIntervalMillis = 1000;

  VoidResult registerSelf(bool joining);
  bool fresh(const NodeInfo& node, int64_t now_millis) const;
  // The moment the view is judged at: now, but no later than when the next heartbeat was due,
  // and while heartbeats fail the last one that worked (nobody could heartbeat since). mutex_
  // held.
  int64_t judgedNowLocked(int64_t now_millis) const;
  // Adds node to others_ (in id order) or replaces its entry; true when added. mutex_ held.
  bool upsertLocked(const NodeInfo& node);

  redis::RedisDeployment& redis_;
  const NodeInfo self_;
  const MembershipOptions options_;
  const Clock& clock_;
  // Random per process: tells this process's own registration apart from another holder's.
  const std::string incarnation_;

  mutable std::shared_mutex mutex_;
  std::vector<NodeInfo> others_;       // guarded by mutex_; as last read from Redis
  int64_t self_heartbeat_millis_ = 0;  // guarded by mutex_
  std::atomic<int64_t> self_sessions_written_millis_;
  // When a heartbeat last found this node's own entry gone (Redis lost data) or worked again
  // after failing; 0 = never. Nodes missing from Redis are kept for a while after.
  int64_t disturbed_at_millis_ = 0;                  // guarded by mutex_
  std::function<bool(std::string_view)> reachable_;  // guarded by mutex_
  // confirmAlive's last read per node: when, and whether the node was live then.
  std::unordered_map<std::string, std::pair<int64_t, bool>> confirmed_;  // guarded by mutex_
  std::atomic<bool> failing_{false};                                     // logs an outage once
};

}  // namespace parley::nodes
