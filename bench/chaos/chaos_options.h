#pragma once
// What one parley-chaos run does: the topology, the faults, how many trials, and the timing of
// the nodes and of each trial. Defaults are the values bench/chaos.sh and the ctest use unless
// told otherwise.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::chaos {

// The Redis deployment the nodes share. cluster3r1: three primaries, one replica each.
enum class Topology { kSingle, kShards3, kCluster3r1 };

enum class Fault {
  kNone,                   // control: traffic and checks with no fault (checks the harness)
  kNodeKill,               // kill -9 of a Parley node, then start it again
  kFlushAll,               // FLUSHALL on every server (every primary of the cluster)
  kRedisRestartEmpty,      // every server (primary) restarted with its data files deleted
  kRedisRestartOlderCopy,  // every server (primary) killed and restarted from an older copy
  kClusterFailover,        // a cluster primary killed, its replica promoted, then it rejoins
  kFerretDbRestart,        // FerretDB stopped, then started again on the same data
};

std::string_view topologyName(Topology topology);
std::optional<Topology> parseTopology(std::string_view name);
std::string_view faultName(Fault fault);
std::optional<Fault> parseFault(std::string_view name);
const std::vector<Fault>& allFaults();
// Why a fault makes no sense on a topology, or empty when it does.
std::string_view whyNotApplicable(Fault fault, Topology topology);

struct Options {
  Topology topology = Topology::kSingle;
  std::vector<Fault> faults = allFaults();
  int trials = 3;  // per fault; faults take turns, so each one's trials spread over the run
  int nodes = 3;
  int users = 24;
  double messages_per_second = 20;  // every sender together
  double group_share = 0.25;        // of the messages, those sent to a group
  uint64_t seed = 1;

  // Node settings. The session TTL is short so that "no user shown online without a session after
  // one TTL" is checked within each trial; clients heartbeat every ttl/5.
  int session_ttl_seconds = 10;
  int heartbeat_millis = 1000;  // cluster.heartbeat-interval-millis
  int stale_after_millis = 3000;
  int redis_timeout_millis = 1000;
  int cluster_node_timeout_millis = 2000;  // Redis Cluster: a primary's failover starts after this

  // Each trial: traffic for warmup, the fault, traffic until settle after the fault ended, then
  // the checks. Bounded waits are generous for a loaded two-core machine: they are deadlines,
  // not expectations.
  int warmup_millis = 2000;
  int older_copy_age_millis = 1500;  // traffic between the copy of Redis' files and the restart
  int settle_millis = 3000;
  int ferretdb_outage_millis = 2000;
  int heal_deadline_seconds = 30;
  int push_wait_millis = 5000;
  int request_timeout_millis = 10000;

  std::string work_dir;       // node dirs and logs; empty: a fresh dir under /tmp, removed after
  std::string parley_binary;  // empty: this build's parley
  std::vector<std::string> parley_args;  // more flags for every node, after the harness' own
  std::string json_out;                  // one JSON document with every trial and the summary
  bool verbose = false;
};

}  // namespace parley::chaos
