#pragma once
// Test support for the online_redis_test suites: a RedisDeployment over real redis-server
// processes in one of the three topologies, with io threads of its own, plus helpers to flush
// and restart it. Header-only, over parley_redis_test_support (cluster and nodes Redis tests).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/tls_context.h"
#include "redis/redis_cluster_process.h"
#include "redis/redis_deployment.h"
#include "redis/redis_server_process.h"
#include "testing/io_threads.h"

namespace parley::testing {

// kSingleOverTls: one server spoken to over TLS only (rediss://, with a client certificate).
enum class TestTopology { kSingle, kSharded, kCluster, kSingleOverTls };

inline std::string topologyName(const ::testing::TestParamInfo<TestTopology>& info) {
  switch (info.param) {
    case TestTopology::kSingle:
      return "single";
    case TestTopology::kSharded:
      return "sharded";
    case TestTopology::kCluster:
      return "cluster";
    case TestTopology::kSingleOverTls:
      return "single_over_tls";
  }
  return "unknown";
}

// The topologies the suites run on.
inline std::vector<TestTopology> testTopologies() {
  return {TestTopology::kSingle, TestTopology::kSharded, TestTopology::kCluster};
}

class RedisTestDeployment {
 public:
  explicit RedisTestDeployment(TestTopology topology) : topology_(topology) {
    std::vector<std::string> uris;
    if (topology == TestTopology::kCluster) {
      cluster_ = std::make_unique<redis::testing::RedisClusterProcess>(3);
      uris = cluster_->seedUris();
      for (size_t i = 0; i < cluster_->size(); ++i) servers_.push_back(&cluster_->node(i));
    } else {
      const int servers = topology == TestTopology::kSharded ? 3 : 1;
      const auto transport = topology == TestTopology::kSingleOverTls
                                 ? redis::testing::RedisTransport::kTls
                                 : redis::testing::RedisTransport::kPlain;
      for (int i = 0; i < servers; ++i) {
        owned_servers_.push_back(std::make_unique<redis::testing::RedisServerProcess>(
            std::vector<std::string>{}, redis::testing::RedisPorts::kClient,
            redis::testing::RedisPersistence::kNone, transport));
        servers_.push_back(owned_servers_.back().get());
        uris.push_back(servers_.back()->uri());
      }
    }
    auto client_options = options();
    if (topology == TestTopology::kSingleOverTls) {
      const auto& files = servers_.front()->certificates();
      client_options.tls = net::TlsContext::forClient(
          {files.ca_file, files.client_cert_file, files.client_key_file});
    }
    auto opened = redis::RedisDeployment::open(io_.contexts(), uris, client_options);
    if (!opened.ok()) {
      ADD_FAILURE() << "cannot open the deployment: " << opened.status().reason;
      return;
    }
    deployment_ = std::move(opened).value();
  }

  // The deployment closes before the io threads stop.
  ~RedisTestDeployment() { deployment_.reset(); }

  static redis::RedisClientOptions options() {
    using namespace std::chrono_literals;
    redis::RedisClientOptions options;
    options.connect_timeout = 500ms;
    options.command_timeout = 1000ms;
    options.reconnect_min_delay = 20ms;
    options.reconnect_max_delay = 200ms;
    return options;
  }

  redis::RedisDeployment& redis() { return *deployment_; }
  bool ok() const { return deployment_ != nullptr; }
  TestTopology topology() const { return topology_; }

  void flushAll() {
    for (const redis::ServerReply& server : deployment_->commandOnEveryServerSync({"FLUSHALL"})) {
      ASSERT_TRUE(server.reply.ok() && !server.reply->isError()) << server.server;
    }
  }

  // Every server stops and starts again on its port, empty (nothing is persisted; cluster nodes
  // rejoin with their slots from nodes.conf).
  void restartAll() {
    stopAll();
    startAll();
  }
  void stopAll() {
    for (auto* server : servers_) server->stop();
  }
  void startAll() {
    for (auto* server : servers_) server->start();
    if (cluster_) cluster_->waitUntilConsistent();
  }

 private:
  TestTopology topology_;
  std::unique_ptr<redis::testing::RedisClusterProcess> cluster_;
  std::vector<std::unique_ptr<redis::testing::RedisServerProcess>> owned_servers_;
  std::vector<redis::testing::RedisServerProcess*> servers_;
  IoThreads io_{2};
  std::unique_ptr<redis::RedisDeployment> deployment_;
};

}  // namespace parley::testing
