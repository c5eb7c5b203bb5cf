#pragma once
// A real Redis Cluster for the tests labelled `redis`: N primaries (by default without replicas)
// on free loopback ports, each a RedisServerProcess with --cluster-enabled, joined by
// `redis-cli --cluster create` ($PARLEY_REDIS_CLI, else the one on PATH). Also a blocking RESP
// helper and slot migration, so tests can provoke MOVED and ASK, and for the chaos harness
// (bench/chaos) replicas, persistence and a primary killed so that its replica takes over.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_server_process.h"
#include "redis/resp.h"

namespace parley::redis::testing {

// One command to 127.0.0.1:port over a fresh connection; the reply, Redis errors included.
// Throws std::runtime_error when the server cannot be reached or the reply does not arrive
// within 10 s.
RespValue syncCommand(uint16_t port, const std::vector<std::string>& args);

struct RedisClusterOptions {
  int primaries = 3;
  int replicas_per_primary = 0;
  // How long a node may stay unreachable before the others count it as failed and one of its
  // replicas takes over (cluster-node-timeout).
  int node_timeout_millis = 5000;
  RedisPersistence persistence = RedisPersistence::kNone;
};

class RedisClusterProcess {
 public:
  // Starts the servers, creates the cluster and waits until every node reports cluster_state:ok
  // and agrees on the slot owners, and every replica is in sync with its primary. Throws
  // std::runtime_error with the reason.
  explicit RedisClusterProcess(int primaries = 3);
  explicit RedisClusterProcess(const RedisClusterOptions& options);
  ~RedisClusterProcess();
  RedisClusterProcess(const RedisClusterProcess&) = delete;
  RedisClusterProcess& operator=(const RedisClusterProcess&) = delete;

  // Every node's port, replicas included, in the order the nodes were started.
  std::vector<uint16_t> ports() const;
  // The nodes that are primaries now (running ones only, asked with ROLE): which they are
  // changes when a replica takes over.
  std::vector<size_t> primaryIndexes() const;
  std::vector<uint16_t> primaryPorts() const;
  // redis+cluster://127.0.0.1:<port> for every node.
  std::vector<std::string> seedUris() const;
  RedisServerProcess& node(size_t index) { return *nodes_[index]; }
  size_t size() const { return nodes_.size(); }

  // The port of the node serving slot, as that node (the first one) sees it.
  uint16_t ownerOf(uint16_t slot) const;
  std::string nodeId(uint16_t port) const;

  // The first half of a migration: target IMPORTING, source MIGRATING. Keys of the slot that
  // the source no longer has are answered with ASK from then on.
  void beginSlotMigration(uint16_t slot, uint16_t from_port, uint16_t to_port);
  // Moves the slot's keys still on the source (MIGRATE) and assigns the slot to the target on
  // every node, then waits until every node agrees: from then on the source answers MOVED.
  void finishSlotMigration(uint16_t slot, uint16_t from_port, uint16_t to_port);
  void migrateSlot(uint16_t slot, uint16_t from_port, uint16_t to_port) {
    beginSlotMigration(slot, from_port, to_port);
    finishSlotMigration(slot, from_port, to_port);
  }

  // Until every running node reports cluster_state:ok and all agree on the slot owners (after a
  // node was restarted: it rejoins from its nodes.conf). Throws after 60 s.
  void waitUntilConsistent() const;
  // Until every running replica reports its link to its primary up (a full resync done).
  // Throws after 60 s.
  void waitUntilReplicasInSync() const;

  // SIGKILL to a primary, then waits until one of its replicas owns its slots and the cluster is
  // consistent again (about node_timeout_millis plus an election). Returns the promoted node's
  // index. Throws after 60 s, or when `index` is not a running primary.
  size_t killPrimaryAndAwaitFailover(size_t index);
  // Starts a node that was killed after its replica took over: it rejoins from its nodes.conf as
  // a replica of the node that took its slots. Returns once it is one, in sync, and the cluster
  // is consistent. Throws after 60 s.
  void restartAsReplica(size_t index);

 private:
  // Empty when every running node reports cluster_state:ok and all agree on the slot owners;
  // else what is wrong.
  std::string consistencyProblem() const;
  // Empty when every running node sees the same config epoch for each primary that serves slots,
  // and no two such primaries share one; else what is wrong.
  std::string epochProblem() const;
  // A migration's target takes a new config epoch without the cluster's consensus. Unless every
  // node already agrees on distinct epochs, two primaries can end up with the same epoch; Redis
  // then raises one of them, and a stale claim of that primary to a slot it gave away can win
  // over the slot's real owner, leaving the slot owned differently in different views for good.
  // So migrations start and end here. Throws after 60 s.
  void waitUntilEpochsSettled() const;

  std::vector<std::unique_ptr<RedisServerProcess>> nodes_;
};

}  // namespace parley::redis::testing
