// The password verification cache shared through Redis (issue 14): a node lets in, without
// Argon2, a user another node verified; the users of a node killed with SIGKILL log in on the
// other without Argon2; Redis holds digests only; and a Redis shard holding the cache that is
// down costs a full verification, not a login. Two parley nodes over one FerretDB database and
// real redis-servers, as in cluster_e2e_test.cpp. No timing assertions: waits are bounded polls.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis/redis_cluster_process.h"
#include "redis/sharding_algorithm.h"
#include "support/backend.h"
#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/redis_topology.h"
#include "support/test_helpers.h"
#include "testing/eventually.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;
using requests::loggedIn;

constexpr int kDemoUsers = 30;

struct TwoNodes {
  TwoNodes(RedisTopologyKind kind, std::vector<std::string> extra_args = {})
      : redis(kind), database(uniqueDatabaseName("pwcache")) {
    a = std::make_unique<ParleyProcess>(options("node-a", extra_args));
    b = std::make_unique<ParleyProcess>(options("node-b", extra_args));
  }

  ParleyOptions options(const std::string& node_id, std::vector<std::string> extra_args) {
    std::vector<std::string> args = {"--node-id=" + node_id,
                                     "--redis-session-uris=" + redis.sessionUris(),
                                     "--rpc-port=0",
                                     "--rpc-bind=127.0.0.1",
                                     "--cluster-heartbeat-interval-millis=200",
                                     "--node-stale-after-millis=1500",
                                     "--redis-timeout-ms=1000"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return onBackend(Backend::kMongo,
                     ParleyOptions{.extra_args = args, .demo_user_count = kDemoUsers}, database);
  }

  // Every verification cache key, on whichever server holds it.
  std::vector<std::pair<uint16_t, std::string>> cacheKeys() {
    std::vector<std::pair<uint16_t, std::string>> keys;
    for (const uint16_t port : redis.ports()) {
      for (const auto& key : redis::testing::syncCommand(port, {"KEYS", "im:pwv:*"}).elements) {
        keys.emplace_back(port, key.str);
      }
    }
    return keys;
  }

  RedisTopology redis;
  std::string database;
  std::unique_ptr<ParleyProcess> a;
  std::unique_ptr<ParleyProcess> b;
};

int64_t metric(const ParleyProcess& node, const std::string& name) {
  return metricValue(node.adminPort(), name);
}
int64_t fullVerifications(const ParleyProcess& node) {
  return metric(node, "parley_password_full_verifications_total");
}

class ClusterVerificationCacheTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && nodes_) {
      std::cerr << "---- node A log ----\n"
                << nodes_->a->log() << "---- node B log ----\n"
                << nodes_->b->log();
    }
  }
  std::unique_ptr<TwoNodes> nodes_;
};

TEST_F(ClusterVerificationCacheTest, ANodeLetsInWithoutArgon2AUserAnotherNodeVerified) {
  nodes_ = std::make_unique<TwoNodes>(RedisTopologyKind::kSingle);
  auto on_a = loggedIn(*nodes_->a, 11);
  EXPECT_EQ(fullVerifications(*nodes_->a), 1);
  ASSERT_TRUE(eventually([&] { return nodes_->cacheKeys().size() == 1; }));

  auto on_b = loggedIn(*nodes_->b, 11, pb::ANDROID);
  EXPECT_EQ(fullVerifications(*nodes_->b), 0) << "B found A's verification in Redis";
  EXPECT_EQ(metric(*nodes_->b, "parley_password_shared_cache_hits_total"), 1);

  // Redis holds a keyed digest: a fixed-size name and "1", nothing of the password or its hash.
  const auto [port, key] = nodes_->cacheKeys().front();
  EXPECT_TRUE(key.starts_with("im:pwv:{v:")) << key;
  EXPECT_EQ(key.size(), std::string("im:pwv:{v:}").size() + 64) << key;
  EXPECT_EQ(redis::testing::syncCommand(port, {"GET", key}).str, "1");
  EXPECT_GT(redis::testing::syncCommand(port, {"PTTL", key}).integer, 0);
  for (const char* text : {"123", "argon2", "$"}) {
    EXPECT_EQ(key.find(text, std::string("im:pwv:{v:").size()), std::string::npos) << text;
  }
}

TEST_F(ClusterVerificationCacheTest, UsersOfADeadNodeLogInOnTheOtherWithoutArgon2) {
  // Every user with a hash of its own, as real users: each needs its own verification.
  nodes_ = std::make_unique<TwoNodes>(
      RedisTopologyKind::kSingle, std::vector<std::string>{"--demo-distinct-password-hashes=true"});
  constexpr int kUsers = 12;
  std::vector<std::unique_ptr<TurmsClient>> sessions;
  for (int64_t user = 1; user <= kUsers; ++user) sessions.push_back(loggedIn(*nodes_->b, user));
  EXPECT_EQ(fullVerifications(*nodes_->b), kUsers);
  ASSERT_TRUE(eventually([&] { return nodes_->cacheKeys().size() == kUsers; }));

  nodes_->b->kill9();
  for (auto& session : sessions) EXPECT_TRUE(waitForSocketClose(*session));
  sessions.clear();
  for (int64_t user = 1; user <= kUsers; ++user) sessions.push_back(loggedIn(*nodes_->a, user));
  EXPECT_EQ(fullVerifications(*nodes_->a), 0) << "every user of B was verified by B";
  EXPECT_EQ(metric(*nodes_->a, "parley_password_shared_cache_hits_total"), kUsers);
  auto stranger = connectTo(*nodes_->a, Transport::kTcp);
  EXPECT_EQ(stranger->login(1, "1234", pb::IOS, 10s).code(), 2011);
}

TEST_F(ClusterVerificationCacheTest, ACacheShardThatIsDownCostsAFullVerificationNotALogin) {
  // The in-memory level forgets after a second, so the next login asks Redis again.
  nodes_ = std::make_unique<TwoNodes>(RedisTopologyKind::kSharded,
                                      std::vector<std::string>{"--verification-cache-seconds=1"});
  auto first = loggedIn(*nodes_->a, 11);
  ASSERT_TRUE(eventually([&] { return nodes_->cacheKeys().size() == 1; }));
  // Demo users share one hash, so one entry serves them all; it lives on one shard.
  const uint16_t cache_port = nodes_->cacheKeys().front().first;
  const std::vector<uint16_t> ports = nodes_->redis.ports();
  const size_t cache_shard =
      static_cast<size_t>(std::find(ports.begin(), ports.end(), cache_port) - ports.begin());
  // A user whose session lives on another shard, so its login can succeed.
  const ShardingAlgorithm sharding(static_cast<int32_t>(ports.size()));
  int64_t user = 12;
  while (static_cast<size_t>(sharding.shardOfUser(user)) == cache_shard) ++user;
  ASSERT_LE(user, kDemoUsers);

  nodes_->redis.stopServer(cache_shard);
  const int64_t full_before = fullVerifications(*nodes_->a);
  std::this_thread::sleep_for(1500ms);  // the in-memory entry expires
  auto second = loggedIn(*nodes_->a, user);
  EXPECT_EQ(fullVerifications(*nodes_->a), full_before + 1);
  EXPECT_GE(metric(*nodes_->a, "parley_password_shared_cache_unavailable_total"), 1);
  EXPECT_NE(nodes_->a->log().find("password verification cache: Redis does not answer"),
            std::string::npos);
  nodes_->redis.startServer(cache_shard);
}

}  // namespace
}  // namespace parley::testing
