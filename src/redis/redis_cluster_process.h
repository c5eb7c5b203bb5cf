#pragma once
// A real Redis Cluster for the tests labelled `redis`: N primaries (no replicas) on free loopback
// ports, each a RedisServerProcess with --cluster-enabled, joined by `redis-cli --cluster create`
// ($PARLEY_REDIS_CLI, else the one on PATH). Also a blocking RESP helper and slot migration, so
// tests can provoke MOVED and ASK.
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

class RedisClusterProcess {
 public:
  // Starts the servers, creates the cluster and waits until every node reports cluster_state:ok
  // and agrees on the slot owners. Throws std::runtime_error with the reason.
  explicit RedisClusterProcess(int primaries = 3);
  ~RedisClusterProcess();
  RedisClusterProcess(const RedisClusterProcess&) = delete;
  RedisClusterProcess& operator=(const RedisClusterProcess&) = delete;

  std::vector<uint16_t> ports() const;
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

  // Until every node reports cluster_state:ok and all agree on the slot owners (after a node was
  // restarted: it rejoins from its nodes.conf). Throws after 60 s.
  void waitUntilConsistent() const;

 private:
  std::vector<std::unique_ptr<RedisServerProcess>> nodes_;
};

}  // namespace parley::redis::testing
