#include "chaos/chaos_redis.h"

#include <algorithm>
#include <stdexcept>

#include "redis/redis_cluster_process.h"
#include "redis/redis_server_process.h"
#include "redis/resp.h"

namespace parley::chaos {
namespace {

using redis::testing::RedisClusterOptions;
using redis::testing::RedisClusterProcess;
using redis::testing::RedisPersistence;
using redis::testing::RedisPorts;
using redis::testing::RedisServerProcess;
using redis::testing::syncCommand;

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty()) joined += separator;
    joined += part;
  }
  return joined;
}

}  // namespace

ChaosRedis::ChaosRedis(Topology topology, std::filesystem::path copies_dir,
                       int cluster_node_timeout_millis)
    : topology_(topology), copies_dir_(std::move(copies_dir)) {
  switch (topology) {
    case Topology::kSingle:
    case Topology::kShards3: {
      const int count = topology == Topology::kSingle ? 1 : 3;
      for (int i = 0; i < count; ++i) {
        servers_.push_back(std::make_unique<RedisServerProcess>(
            std::vector<std::string>{}, RedisPorts::kClient, RedisPersistence::kAppendOnly));
      }
      break;
    }
    case Topology::kCluster3r1:
      cluster_ = std::make_unique<RedisClusterProcess>(
          RedisClusterOptions{.primaries = 3,
                              .replicas_per_primary = 1,
                              .node_timeout_millis = cluster_node_timeout_millis,
                              .persistence = RedisPersistence::kAppendOnly});
      break;
  }
}

ChaosRedis::~ChaosRedis() = default;

std::string ChaosRedis::sessionUris() const {
  std::vector<std::string> uris;
  if (cluster_) {
    uris = cluster_->seedUris();
  } else {
    for (const auto& server : servers_) uris.push_back(server->uri());
  }
  return join(uris, ",");
}

std::string ChaosRedis::describe() const {
  if (!cluster_) {
    return std::to_string(servers_.size()) + " standalone server" +
           (servers_.size() == 1 ? "" : "s") + " (AOF everysec)";
  }
  return "Redis Cluster, 3 primaries with 1 replica each (AOF everysec)";
}

std::vector<RedisServerProcess*> ChaosRedis::faultTargets() {
  std::vector<RedisServerProcess*> targets;
  if (cluster_) {
    for (const size_t index : cluster_->primaryIndexes()) targets.push_back(&cluster_->node(index));
  } else {
    for (const auto& server : servers_) targets.push_back(server.get());
  }
  return targets;
}

void ChaosRedis::flushAll() {
  for (RedisServerProcess* server : faultTargets()) {
    const redis::RespValue reply = syncCommand(server->port(), {"FLUSHALL"});
    if (reply.isError()) {
      throw std::runtime_error("FLUSHALL on port " + std::to_string(server->port()) + ": " +
                               reply.str);
    }
  }
}

void ChaosRedis::restartEmpty() {
  const std::vector<size_t> primaries_before =
      cluster_ ? cluster_->primaryIndexes() : std::vector<size_t>{};
  // One after the other, each as fast as it goes: a cluster primary back within the node timeout
  // stays the primary, and its replica then copies its empty data set (what a Redis that
  // persists nothing does to its replicas).
  for (RedisServerProcess* server : faultTargets()) {
    server->stop();
    server->removeDataFiles();
    server->start();
  }
  if (cluster_) awaitCluster(primaries_before);
}

void ChaosRedis::copyData() {
  copies_.clear();
  for (RedisServerProcess* server : faultTargets()) {
    const auto dir = copies_dir_ / std::to_string(server->port());
    server->copyDataFiles(dir);
    copies_.emplace_back(server->port(), dir);
  }
}

void ChaosRedis::restartFromCopy() {
  if (copies_.empty()) throw std::logic_error("restartFromCopy without copyData");
  const std::vector<size_t> primaries_before =
      cluster_ ? cluster_->primaryIndexes() : std::vector<size_t>{};
  for (RedisServerProcess* server : faultTargets()) {
    const auto copy = std::find_if(copies_.begin(), copies_.end(), [&](const auto& entry) {
      return entry.first == server->port();
    });
    if (copy == copies_.end()) {
      notes_ += "port " + std::to_string(server->port()) + " became a primary after the copy; ";
      continue;
    }
    server->kill();
    server->restoreDataFiles(copy->second);
    server->start();
  }
  copies_.clear();
  if (cluster_) awaitCluster(primaries_before);
}

void ChaosRedis::killPrimaryUntilReplicaTakesOver() {
  if (!cluster_) throw std::logic_error("killPrimaryUntilReplicaTakesOver needs a cluster");
  const std::vector<size_t> primaries = cluster_->primaryIndexes();
  if (primaries.empty()) throw std::runtime_error("the cluster has no running primary");
  const size_t victim = primaries[next_failover_victim_++ % primaries.size()];
  const size_t promoted = cluster_->killPrimaryAndAwaitFailover(victim);
  notes_ += "port " + std::to_string(cluster_->node(promoted).port()) + " took over from " +
            std::to_string(cluster_->node(victim).port()) + "; ";
}

void ChaosRedis::repair() {
  if (!cluster_) {
    for (auto& server : servers_) {
      if (!server->running()) server->start();
    }
    return;
  }
  for (size_t i = 0; i < cluster_->size(); ++i) {
    if (!cluster_->node(i).running()) cluster_->restartAsReplica(i);
  }
  cluster_->waitUntilConsistent();
  cluster_->waitUntilReplicasInSync();
}

void ChaosRedis::awaitCluster(const std::vector<size_t>& primaries_before) {
  cluster_->waitUntilConsistent();
  cluster_->waitUntilReplicasInSync();
  if (cluster_->primaryIndexes() != primaries_before) {
    notes_ += "a restarted primary came back after the node timeout: its replica took over; ";
  }
}

std::string ChaosRedis::takeNotes() {
  std::string notes = std::move(notes_);
  notes_.clear();
  return notes;
}

}  // namespace parley::chaos
