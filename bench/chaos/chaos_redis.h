#pragma once
// The Redis deployment of one chaos run, persisting as docs/redis.conf recommends (AOF,
// everysec), and the Redis faults the harness injects into it. Every server runs on loopback in a
// temp dir of its own and is stopped by pid (RedisServerProcess).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "chaos/chaos_options.h"

namespace parley::redis::testing {
class RedisClusterProcess;
class RedisServerProcess;
}  // namespace parley::redis::testing

namespace parley::chaos {

class ChaosRedis {
 public:
  // Starts the servers of `topology`; throws std::runtime_error when one does not start.
  ChaosRedis(Topology topology, std::filesystem::path copies_dir, int cluster_node_timeout_millis);
  ~ChaosRedis();
  ChaosRedis(const ChaosRedis&) = delete;
  ChaosRedis& operator=(const ChaosRedis&) = delete;

  // The value of --redis-session-uris (cluster: every node as a seed).
  std::string sessionUris() const;
  // e.g. "3 standalone servers" or "cluster: primaries 7001 7003 7005, replicas ...".
  std::string describe() const;

  // Each fault throws std::runtime_error when the deployment does not come back; the harness
  // records that as a failed trial and tries repair().

  void flushAll();
  // Every server (every primary) stopped, its data files deleted, started again.
  void restartEmpty();
  // The data files of every server (every primary) copied aside, as they are now ...
  void copyData();
  // ... and later: every one of them killed, its files replaced by that copy, started again.
  void restartFromCopy();
  // Cluster only: SIGKILL to one primary (they take turns), then back once a replica owns its
  // slots. The killed node stays down until repair().
  void killPrimaryUntilReplicaTakesOver();

  // Whatever is down is started again (a killed cluster primary rejoins as a replica), then
  // waits until the cluster is consistent and its replicas are in sync. Throws when that fails.
  void repair();
  // What happened besides the fault itself during the last one, e.g. a primary restarted too
  // slowly so that its replica took over instead.
  std::string takeNotes();

 private:
  // The servers a fault hits: every standalone server, or every current cluster primary.
  std::vector<redis::testing::RedisServerProcess*> faultTargets();
  // After a cluster node was restarted: consistent, replicas in sync; notes a failover.
  void awaitCluster(const std::vector<size_t>& primaries_before);

  Topology topology_;
  std::filesystem::path copies_dir_;
  std::vector<std::unique_ptr<redis::testing::RedisServerProcess>> servers_;  // standalone
  std::unique_ptr<redis::testing::RedisClusterProcess> cluster_;
  // Ports whose data files copyData() saved, with the copy's directory.
  std::vector<std::pair<uint16_t, std::filesystem::path>> copies_;
  size_t next_failover_victim_ = 0;
  std::string notes_;
};

}  // namespace parley::chaos
