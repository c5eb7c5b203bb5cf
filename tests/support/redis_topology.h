#pragma once
// The Redis a test's parley nodes share, in any of the three topologies redis.session.uris
// accepts: one server, several standalone shards, or a three-primary Redis Cluster. Real
// redis-server processes on loopback, without persistence, stopped when this object goes away.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace parley::redis::testing {
class RedisClusterProcess;
class RedisServerProcess;
}  // namespace parley::redis::testing

namespace parley::testing {

enum class RedisTopologyKind { kSingle, kSharded, kCluster };

// For gtest's messages and test names ("Single", "Sharded", "Cluster").
const char* topologyName(RedisTopologyKind kind);
inline void PrintTo(RedisTopologyKind kind, std::ostream* out) { *out << topologyName(kind); }

class RedisTopology {
 public:
  // kSingle: one server; kSharded: `shards` standalone servers; kCluster: three primaries.
  // Throws std::runtime_error when a server does not start.
  explicit RedisTopology(RedisTopologyKind kind, size_t shards = 3);
  ~RedisTopology();
  RedisTopology(const RedisTopology&) = delete;
  RedisTopology& operator=(const RedisTopology&) = delete;

  RedisTopologyKind kind() const { return kind_; }

  // The value of --redis-session-uris: every server, comma-separated (cluster: every seed).
  std::string sessionUris() const;
  // Standalone topologies only: the first `count` servers, for a shard-count change.
  std::string sessionUris(size_t count) const;

  // FLUSHALL on every server (every primary of the cluster): all sessions, sequence counters
  // and membership entries are gone at once. Throws when a server refuses.
  void flushAll();

  // Standalone topologies only: stop and start every server on its port. Nothing is persisted,
  // so the data is gone, as after a restart of a Redis that persists nothing.
  void restartWithoutPersistence();
  // Standalone topologies only: stop every server (an outage) / start them again, empty.
  void stop();
  void start();
  // Standalone topologies only: stop one server (an outage of one shard) / start it again, empty.
  void stopServer(size_t index);
  void startServer(size_t index);

  std::vector<uint16_t> ports() const;

 private:
  void requireStandalone(const char* what) const;

  RedisTopologyKind kind_;
  std::vector<std::unique_ptr<redis::testing::RedisServerProcess>> servers_;  // standalone
  std::unique_ptr<redis::testing::RedisClusterProcess> cluster_;
};

}  // namespace parley::testing
