#include "chaos/deployment.h"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/parley_process.h"
#include "testing/ferretdb_process.h"

namespace parley::chaos {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> nodeIds(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("chaos-" + std::to_string(i + 1));
  return ids;
}

}  // namespace

Deployment::Deployment(const Options& options, std::filesystem::path work_dir)
    : options_(options), work_dir_(std::move(work_dir)), directory_(nodeIds(options.nodes)) {
  ferretdb_ = std::make_unique<testing::FerretDbProcess>();
  redis_ = std::make_unique<ChaosRedis>(options.topology, work_dir_ / "redis-copies",
                                        options.cluster_node_timeout_millis);
  processes_.resize(static_cast<size_t>(options.nodes));
  starts_.resize(processes_.size(), 0);
  for (size_t i = 0; i < processes_.size(); ++i) startNode(i);
}

Deployment::~Deployment() {
  for (size_t i = 0; i < processes_.size(); ++i) {
    if (!processes_[i]) continue;
    directory_.markDown(i);
    processes_[i]->terminate();
  }
}

const char* Deployment::adminPassword() { return testing::ParleyProcess::kAdminPassword; }

std::vector<std::string> Deployment::nodeArgs(size_t index) const {
  const Options& o = options_;
  std::vector<std::string> args = {
      "--node-id=" + directory_.get(index).node_id,
      // Distinct per node: it is part of every message id.
      "--worker-id=" + std::to_string(index + 1),
      "--redis-session-uris=" + redis_->sessionUris(),
      "--mongo-uri=" + ferretdb_->uri(),
      "--mongo-database=chaos",
      "--rpc-port=0",
      "--rpc-bind=127.0.0.1",
      // Loopback would allow none, but the nodes under test should run the RPC handshake as a
      // production cluster does (every connection the chaos kills is re-authenticated).
      std::string("--cluster-secret=") + testing::ParleyProcess::kClusterSecret,
      "--cluster-heartbeat-interval-millis=" + std::to_string(o.heartbeat_millis),
      "--node-stale-after-millis=" + std::to_string(o.stale_after_millis),
      "--close-idle-session-after-seconds=" + std::to_string(o.session_ttl_seconds),
      "--redis-timeout-ms=" + std::to_string(o.redis_timeout_millis),
  };
  args.insert(args.end(), o.parley_args.begin(), o.parley_args.end());
  return args;
}

void Deployment::killNode(size_t index) {
  directory_.markDown(index);
  if (processes_.at(index)) processes_[index]->kill9();
}

void Deployment::startNode(size_t index) {
  directory_.markDown(index);
  if (processes_.at(index)) processes_[index]->kill9();
  processes_[index].reset();
  const auto deadline = Clock::now() + std::chrono::seconds(options_.heal_deadline_seconds);
  std::string last_failure;
  while (Clock::now() < deadline) {
    const int start = ++starts_[index];
    const auto dir =
        work_dir_ / ("node-" + std::to_string(index + 1)) / ("start-" + std::to_string(start));
    std::filesystem::create_directories(dir);
    try {
      processes_[index] = std::make_unique<testing::ParleyProcess>(testing::ParleyOptions{
          .extra_args = nodeArgs(index),
          .demo_data = true,
          // Users 1..10 hold the demo messages; the harness uses the ones after them.
          .demo_user_count = 10 + options_.users,
          .data_dir = dir.string(),
          .binary = options_.parley_binary,
          .death_signal = SIGKILL,
      });
      const auto& process = *processes_[index];
      directory_.markUp(index, process.wsPort(), process.tcpPort(), process.adminPort());
      return;
    } catch (const std::exception& e) {
      last_failure = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  throw std::runtime_error("node " + directory_.get(index).node_id + " did not start within " +
                           std::to_string(options_.heal_deadline_seconds) +
                           " s; last failure: " + last_failure);
}

void Deployment::repairNodes() {
  for (size_t i = 0; i < processes_.size(); ++i) {
    if (!directory_.isUp(i)) startNode(i);
  }
}

std::filesystem::path Deployment::logPath(size_t index) const {
  return work_dir_ / ("node-" + std::to_string(index + 1)) /
         ("start-" + std::to_string(starts_.at(index))) / "parley.log";
}

}  // namespace parley::chaos
