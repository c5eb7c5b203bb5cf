#pragma once
// What a node needs when Redis is configured (redis.session.uris): the Redis deployments, the
// Redis session registry and sequence ids, membership, node-to-node RPC, push routing, and the
// user locations, and the maintenance loop that keeps all of it alive (membership heartbeat,
// session TTL refresh, re-registration and location write-back after Redis lost data). Without
// Redis a node uses none of this.
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"

namespace parley {

class Clock;
class Gateway;
class Metrics;
class SequenceIds;
class SessionControl;
class SessionRegistry;
class Store;
class UserLocations;
namespace net {
class IoPool;
}
namespace nodes {
struct NodeInfo;
}
namespace redis {
class RedisDeployment;
}

// One Redis server of the online state, as the admin API's GET /cluster shows it.
struct RedisServerStatus {
  std::string purpose;  // "sessions", "sequence ids" or "locations"
  std::string server;   // host:port/db, never a password
  bool reachable = false;
  // "aof", "rdb" (snapshots only), "none", or "unknown" when CONFIG GET is refused (managed
  // Redis often renames it) or the server is unreachable.
  std::string persistence = "unknown";
};

class ClusterNode {
 public:
  // nullptr when redis.session.uris is empty. Throws std::runtime_error with the config key and
  // the reason when the URIs are invalid or Redis cannot be reached at start-up. The pool's io
  // threads must already be running (a Redis Cluster's slot map is fetched here).
  static std::unique_ptr<ClusterNode> open(const Config& config, net::IoPool& pool, Store& store,
                                           const Clock& clock, Metrics& metrics);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  SessionRegistry& registry();
  SequenceIds& sequenceIds();
  // On redis.location.uris (the session deployment when empty); null when location.enabled is
  // off. Its entries are written back by the maintenance loop after a Redis loss.
  UserLocations* locations();
  // The deployment of redis.session.uris, for other shared state kept beside the sessions (the
  // password verification cache).
  redis::RedisDeployment& sessionRedis();
  // Reaches sessions on every node; valid after start().
  SessionControl& routing();

  // Starts the RPC server, joins the membership (fails when a live node has the same id) and
  // starts the maintenance loop. gateway serves pushes and closes for this node's sessions.
  void start(Gateway& gateway);
  // Leaves the membership, then stops the loop and the RPC server. Call after the gateway has
  // closed its sessions (they unregister through Redis) and before the io pool stops.
  void stop();

  uint16_t rpcPort() const;
  // The live nodes, this one included, in id order (the membership's cached view); empty before
  // start().
  std::vector<nodes::NodeInfo> liveNodes() const;
  // Every server of each Redis deployment: a PING and its persistence settings. Blocking, one
  // round trip per server and command: call it off the io threads (the admin API's thread).
  std::vector<RedisServerStatus> redisStatus() const;

 private:
  struct Impl;
  explicit ClusterNode(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley
