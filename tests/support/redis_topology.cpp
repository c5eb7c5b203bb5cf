#include "support/redis_topology.h"

#include <stdexcept>

#include "redis/redis_cluster_process.h"
#include "redis/redis_server_process.h"
#include "redis/resp.h"

namespace parley::testing {

namespace {

std::string join(const std::vector<std::string>& uris) {
  std::string joined;
  for (const auto& uri : uris) {
    if (!joined.empty()) joined += ',';
    joined += uri;
  }
  return joined;
}

}  // namespace

const char* topologyName(RedisTopologyKind kind) {
  switch (kind) {
    case RedisTopologyKind::kSingle:
      return "Single";
    case RedisTopologyKind::kSharded:
      return "Sharded";
    case RedisTopologyKind::kCluster:
      return "Cluster";
  }
  return "?";
}

RedisTopology::RedisTopology(RedisTopologyKind kind, size_t shards) : kind_(kind) {
  switch (kind) {
    case RedisTopologyKind::kSingle:
      servers_.push_back(std::make_unique<redis::testing::RedisServerProcess>());
      break;
    case RedisTopologyKind::kSharded:
      for (size_t i = 0; i < shards; ++i) {
        servers_.push_back(std::make_unique<redis::testing::RedisServerProcess>());
      }
      break;
    case RedisTopologyKind::kCluster:
      cluster_ = std::make_unique<redis::testing::RedisClusterProcess>(3);
      break;
  }
}

RedisTopology::~RedisTopology() = default;

std::string RedisTopology::sessionUris() const {
  if (cluster_) return join(cluster_->seedUris());
  return sessionUris(servers_.size());
}

std::string RedisTopology::sessionUris(size_t count) const {
  requireStandalone("sessionUris(count)");
  if (count == 0 || count > servers_.size()) {
    throw std::invalid_argument("RedisTopology::sessionUris: no such number of servers");
  }
  std::vector<std::string> uris;
  for (size_t i = 0; i < count; ++i) uris.push_back(servers_[i]->uri());
  return join(uris);
}

void RedisTopology::flushAll() {
  for (const uint16_t port : ports()) {
    const redis::RespValue reply = redis::testing::syncCommand(port, {"FLUSHALL"});
    if (reply.isError()) {
      throw std::runtime_error("FLUSHALL on port " + std::to_string(port) + ": " + reply.str);
    }
  }
}

void RedisTopology::restartWithoutPersistence() {
  requireStandalone("restartWithoutPersistence");
  stop();
  start();
}

void RedisTopology::stop() {
  requireStandalone("stop");
  for (auto& server : servers_) server->stop();
}

void RedisTopology::start() {
  requireStandalone("start");
  for (auto& server : servers_) {
    if (!server->running()) server->start();
  }
}

void RedisTopology::stopServer(size_t index) {
  requireStandalone("stopServer");
  servers_.at(index)->stop();
}

void RedisTopology::startServer(size_t index) {
  requireStandalone("startServer");
  if (!servers_.at(index)->running()) servers_.at(index)->start();
}

std::vector<uint16_t> RedisTopology::ports() const {
  if (cluster_) return cluster_->ports();
  std::vector<uint16_t> ports;
  for (const auto& server : servers_) ports.push_back(server->port());
  return ports;
}

void RedisTopology::requireStandalone(const char* what) const {
  if (cluster_) {
    throw std::logic_error(std::string("RedisTopology::") + what +
                           ": only for standalone servers, not a cluster");
  }
}

}  // namespace parley::testing
