#pragma once
// Everything one chaos run starts: a FerretDB, the Redis topology and the Parley nodes sharing
// them, all on loopback and free ports, each node in a directory of its own under the run's work
// dir (one subdirectory, with its log, per start). Stopped by pid when this goes away.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "chaos/chaos_options.h"
#include "chaos/chaos_redis.h"
#include "chaos/node_directory.h"

namespace parley::testing {
class FerretDbProcess;
class ParleyProcess;
}  // namespace parley::testing

namespace parley::chaos {

class Deployment {
 public:
  // Starts FerretDB, Redis and options.nodes nodes (in turn, so that only the first seeds the
  // demo data). Throws std::runtime_error when something does not start.
  Deployment(const Options& options, std::filesystem::path work_dir);
  // Nodes first (SIGTERM), then Redis and FerretDB.
  ~Deployment();
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  NodeDirectory& nodes() { return directory_; }
  ChaosRedis& redis() { return *redis_; }
  testing::FerretDbProcess& ferretDb() { return *ferretdb_; }
  static const char* adminPassword();

  // SIGKILL, as a crash; the directory shows the node down before the signal is sent.
  void killNode(size_t index);
  // A new process for the node (same id and worker id, new ports, a new log). A killed node's
  // membership entry lives until node-stale-after, and meanwhile a new process refuses its id:
  // this retries until heal_deadline_seconds. Throws when the node does not start by then.
  void startNode(size_t index);
  // Starts every node that is down.
  void repairNodes();
  // The log of the node's latest process.
  std::filesystem::path logPath(size_t index) const;

 private:
  std::vector<std::string> nodeArgs(size_t index) const;

  const Options& options_;
  std::filesystem::path work_dir_;
  std::unique_ptr<testing::FerretDbProcess> ferretdb_;
  std::unique_ptr<ChaosRedis> redis_;
  NodeDirectory directory_;
  std::vector<std::unique_ptr<testing::ParleyProcess>> processes_;
  std::vector<int> starts_;  // per node: how many processes it has had
};

}  // namespace parley::chaos
