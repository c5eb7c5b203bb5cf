// RedisDeployment against real servers (ctest label `redis`): one routing suite run over a single
// redis-server, three standalone shards and a three-primary Redis Cluster, each checked against
// where the keys really are; then the cluster's MOVED and ASK handling, and a shard outage.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "online/redis_keys.h"
#include "redis/key_slot.h"
#include "redis/redis_cluster_process.h"
#include "redis/redis_deployment.h"
#include "redis/redis_server_process.h"
#include "redis/sharding_algorithm.h"
#include "testing/eventually.h"
#include "testing/io_threads.h"

namespace parley::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using parley::testing::IoThreads;
using testing::RedisClusterProcess;
using testing::RedisServerProcess;
using testing::syncCommand;

RedisClientOptions fastOptions() {
  RedisClientOptions options;
  options.connect_timeout = 1000ms;
  options.command_timeout = 1000ms;
  options.reconnect_min_delay = 20ms;
  options.reconnect_max_delay = 200ms;
  return options;
}

std::string replyText(const Result<RespValue>& reply) {
  return reply.ok() ? toDebugString(*reply) : "failed: " + reply.status().reason;
}

std::unique_ptr<RedisDeployment> openOrDie(IoThreads& io, std::vector<std::string> uris) {
  auto deployment = RedisDeployment::open(io.contexts(), uris, fastOptions());
  EXPECT_TRUE(deployment.ok()) << deployment.status().reason;
  return deployment.ok() ? std::move(*deployment) : nullptr;
}

// Until the connections are up (they connect in the background).
Result<RespValue> untilOk(RedisDeployment& deployment, std::string_view key,
                          std::vector<std::string> args) {
  Result<RespValue> reply = error(StatusCode::kServerUnavailable, "test: not sent");
  parley::testing::eventually([&] {
    reply = deployment.commandSync(key, args);
    return reply.ok() && !reply->isError();
  });
  return reply;
}

// The async API used from an io thread, as request handlers do.
Result<RespValue> commandOnIoThread(asio::io_context& io, RedisDeployment& deployment,
                                    std::string key, std::vector<std::string> args) {
  auto promise = std::make_shared<std::promise<Result<RespValue>>>();
  auto future = promise->get_future();
  asio::post(io, [&deployment, promise, key = std::move(key), args = std::move(args)]() mutable {
    auto inside = std::make_shared<std::atomic<bool>>(true);
    deployment.command(key, std::move(args), [promise, inside](Result<RespValue> reply) {
      // done never runs inside command().
      if (inside->load()) reply = error(StatusCode::kServerInternalError, "callback inside call");
      promise->set_value(std::move(reply));
    });
    inside->store(false);
  });
  if (future.wait_for(30s) != std::future_status::ready) {
    return error(StatusCode::kServerUnavailable, "test: no callback");
  }
  return future.get();
}

// Where the suite's keys must be: the test checks each against the servers themselves.
using KeyLocator = std::function<void(const std::string& key, const std::string& value)>;

constexpr int kUsers = 60;

// commandOnServerSync addresses the servers of commandOnEveryServerSync in the same order, and a
// SCAN loop per server (small COUNT: many pages) sees every key written exactly once.
void checkPerServerScan(RedisDeployment& deployment,
                        const std::vector<std::pair<std::string, std::string>>& written) {
  const size_t servers = deployment.serverCount();
  const auto sizes = deployment.commandOnEveryServerSync({"DBSIZE"});
  ASSERT_EQ(sizes.size(), servers);
  std::multiset<std::string> seen;
  for (size_t server = 0; server < servers; ++server) {
    auto size = deployment.commandOnServerSync(server, {"DBSIZE"});
    ASSERT_TRUE(size.ok()) << replyText(size);
    EXPECT_EQ(*size, *sizes[server].reply) << sizes[server].server;
    std::string cursor = "0";
    int pages = 0;
    do {
      auto page = deployment.commandOnServerSync(server, {"SCAN", cursor, "COUNT", "10"});
      ASSERT_TRUE(page.ok()) << replyText(page);
      ASSERT_EQ(page->type, RespType::kArray) << replyText(page);
      ASSERT_EQ(page->elements.size(), 2u);
      cursor = page->elements[0].str;
      for (const RespValue& key : page->elements[1].elements) seen.insert(key.str);
      ASSERT_LT(++pages, 10'000) << "SCAN never ended";
    } while (cursor != "0");
  }
  std::multiset<std::string> expected;
  for (const auto& [key, value] : written) expected.insert(key);
  EXPECT_EQ(seen, expected);

  auto past_end = deployment.commandOnServerSync(servers, {"PING"});
  ASSERT_FALSE(past_end.ok());
  EXPECT_EQ(past_end.status().code, StatusCode::kIllegalArgument);
}

// Writes and reads keys of many users, groups and private conversations through the
// deployment, sync and async, plus a script; locate checks where each key really lives.
void runRoutingSuite(IoThreads& io, RedisDeployment& deployment, const KeyLocator& locate) {
  ASSERT_TRUE(untilOk(deployment, redis_keys::session(0), {"PING"}).ok());
  std::vector<std::pair<std::string, std::string>> written;
  for (int64_t user = 0; user < kUsers; ++user) {
    const std::string key = redis_keys::session(user);
    const std::string value = "session-" + std::to_string(user);
    Result<RespValue> reply = user % 2 == 0
                                  ? deployment.commandSync(key, {"SET", key, value})
                                  : commandOnIoThread(io.context(user % io.contexts().size()),
                                                      deployment, key, {"SET", key, value});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::simpleString("OK")) << key;
    written.emplace_back(key, value);
  }
  for (int64_t group = 1; group <= 20; ++group) {
    const std::string key = redis_keys::groupSequence(group * 1000);
    auto reply = deployment.commandSync(key, {"INCRBY", key, std::to_string(group)});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::fromInteger(group));
    written.emplace_back(key, std::to_string(group));
  }
  for (int64_t pair = 1; pair <= 20; ++pair) {
    const std::string key = redis_keys::privateSequence(pair, -pair * 7);
    // Either order names the same counter.
    ASSERT_EQ(key, redis_keys::privateSequence(-pair * 7, pair));
    auto reply = deployment.commandSync(key, {"INCR", key});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::fromInteger(1));
    written.emplace_back(key, "1");
  }
  // A script over two keys of one user: same batch, one server.
  const RedisScript script(
      "redis.call('SET', KEYS[2], ARGV[1]); return redis.call('GET', KEYS[1])");
  for (int64_t user = 0; user < kUsers; user += 3) {
    const std::string session = redis_keys::session(user);
    const std::string extra = "im:extra:{u:" + std::to_string(user) + "}";
    ASSERT_EQ(deployment.batchOf(session), deployment.batchOf(extra));
    auto reply = deployment.evalshaSync(script, {session, extra}, {"x" + std::to_string(user)});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::bulk("session-" + std::to_string(user)));
    written.emplace_back(extra, "x" + std::to_string(user));
  }
  for (const auto& [key, value] : written) {
    auto reply = deployment.commandSync(key, {"GET", key});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::bulk(value)) << key;
    locate(key, value);
  }
  // Every key written is on exactly one server.
  int64_t total = 0;
  for (const auto& reply : deployment.commandOnEveryServerSync({"DBSIZE"})) {
    ASSERT_TRUE(reply.reply.ok()) << reply.server << ": " << replyText(reply.reply);
    total += reply.reply->integer;
  }
  EXPECT_EQ(total, static_cast<int64_t>(written.size()));
  checkPerServerScan(deployment, written);

  // Blocking on an io thread would deadlock: refused.
  std::promise<Result<RespValue>> refused;
  std::promise<Result<RespValue>> refused_per_server;
  asio::post(io.context(0), [&] {
    refused.set_value(deployment.commandSync(redis_keys::session(1), {"PING"}));
    refused_per_server.set_value(deployment.commandOnServerSync(0, {"PING"}));
  });
  for (auto* promise : {&refused, &refused_per_server}) {
    auto on_io = promise->get_future().get();
    ASSERT_FALSE(on_io.ok());
    EXPECT_EQ(on_io.status().code, StatusCode::kServerInternalError);
  }

  const auto stats = deployment.stats();
  EXPECT_GT(stats.commands, written.size());
  EXPECT_GE(stats.connects, 1u);
  EXPECT_GE(deployment.stats().connects, 1u);
}

// What ASK relies on: the commands of a pipeline reach the server back to back.
TEST(RedisClientPipelineTest, DeliversTheLastReply) {
  RedisServerProcess server;
  IoThreads io(1);
  RedisClient client(io.context(0), *parseRedisUri(server.uri()), fastOptions());
  std::promise<Result<RespValue>> promise;
  client.pipeline({{"MULTI"}, {"INCR", "n"}, {"INCRBY", "n", "4"}, {"EXEC"}},
                  [&](Result<RespValue> reply) { promise.set_value(std::move(reply)); });
  auto reply = promise.get_future().get();
  ASSERT_TRUE(reply.ok()) << replyText(reply);
  EXPECT_EQ(*reply, RespValue::array({RespValue::fromInteger(1), RespValue::fromInteger(5)}));
  EXPECT_EQ(client.stats().commands, 4u);
}

TEST(RedisDeploymentTest, SingleServer) {
  RedisServerProcess server;
  IoThreads io(2);
  auto deployment = openOrDie(io, {server.uri()});
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->topology(), RedisTopology::kSingle);
  EXPECT_EQ(deployment->describe(), "single 127.0.0.1:" + std::to_string(server.port()) + "/0");
  EXPECT_EQ(deployment->batchOf(redis_keys::session(5)), 0u);
  EXPECT_EQ(deployment->batchOf(redis_keys::groupSequence(9)), 0u);
  runRoutingSuite(io, *deployment, [&](const std::string& key, const std::string&) {
    EXPECT_EQ(syncCommand(server.port(), {"EXISTS", key}), RespValue::fromInteger(1)) << key;
  });
}

class ThreeShards {
 public:
  ThreeShards() {
    for (int i = 0; i < 3; ++i) servers.push_back(std::make_unique<RedisServerProcess>());
  }
  std::vector<std::string> uris() const {
    std::vector<std::string> uris;
    for (const auto& server : servers) uris.push_back(server->uri());
    return uris;
  }
  // The shard each key must be on, by ShardingAlgorithm directly from the ids.
  static int32_t expectedShard(const std::string& key, const ShardingAlgorithm& sharding) {
    const std::string_view tag = hashTag(key);
    const auto id = [](std::string_view text) { return std::stoll(std::string(text)); };
    if (tag.substr(0, 2) == "u:") return sharding.shardOfUser(id(tag.substr(2)));
    if (tag.substr(0, 2) == "g:") return sharding.shardOfGroup(id(tag.substr(2)));
    if (tag.substr(0, 2) == "p:") {
      const std::string_view ids = tag.substr(2);
      const size_t colon = ids.find(':');
      return sharding.shardOfPrivateConversation(id(ids.substr(0, colon)),
                                                 id(ids.substr(colon + 1)));
    }
    return 0;
  }

  std::vector<std::unique_ptr<RedisServerProcess>> servers;
};

TEST(RedisDeploymentTest, ThreeStandaloneShards) {
  ThreeShards shards;
  IoThreads io(2);
  auto deployment = openOrDie(io, shards.uris());
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->topology(), RedisTopology::kSharded);
  EXPECT_EQ(deployment->describe().substr(0, 9), "3 shards:");
  const ShardingAlgorithm sharding(3);
  std::set<int32_t> shards_used;
  runRoutingSuite(io, *deployment, [&](const std::string& key, const std::string&) {
    const int32_t expected = ThreeShards::expectedShard(key, sharding);
    shards_used.insert(expected);
    EXPECT_EQ(deployment->batchOf(key), static_cast<uint32_t>(expected)) << key;
    for (int32_t shard = 0; shard < 3; ++shard) {
      EXPECT_EQ(syncCommand(shards.servers[shard]->port(), {"EXISTS", key}),
                RespValue::fromInteger(shard == expected ? 1 : 0))
          << key << " on shard " << shard << ", expected on " << expected;
    }
  });
  EXPECT_EQ(shards_used.size(), 3u);
  // Keys without a user, group or conversation tag live on shard 0.
  ASSERT_TRUE(
      deployment->commandSync(redis_keys::nodes(), {"ZADD", redis_keys::nodes(), "1", "n"}).ok());
  EXPECT_EQ(syncCommand(shards.servers[0]->port(), {"EXISTS", redis_keys::nodes()}),
            RespValue::fromInteger(1));

  // commandOnEveryServerSync and commandOnServerSync: every shard, in configuration order.
  const auto pings = deployment->commandOnEveryServerSync({"PING"});
  ASSERT_EQ(pings.size(), 3u);
  ASSERT_EQ(deployment->serverCount(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(pings[i].server, "127.0.0.1:" + std::to_string(shards.servers[i]->port()) + "/0");
    EXPECT_EQ(*pings[i].reply, RespValue::simpleString("PONG"));
    auto port = deployment->commandOnServerSync(i, {"CONFIG", "GET", "port"});
    ASSERT_TRUE(port.ok()) << replyText(port);
    ASSERT_EQ(port->elements.size(), 2u) << replyText(port);
    EXPECT_EQ(port->elements[1].str, std::to_string(shards.servers[i]->port()));
  }
}

TEST(RedisDeploymentTest, ShardDownFailsItsKeysOnlyAndRecovers) {
  ThreeShards shards;
  IoThreads io(2);
  auto deployment = openOrDie(io, shards.uris());
  ASSERT_TRUE(deployment);
  const ShardingAlgorithm sharding(3);
  int64_t on_down = -1;
  int64_t on_up = -1;
  for (int64_t user = 0; on_down < 0 || on_up < 0; ++user) {
    (sharding.shardOfUser(user) == 1 ? on_down : on_up) = user;
  }
  const std::string down_key = redis_keys::session(on_down);
  const std::string up_key = redis_keys::session(on_up);
  ASSERT_TRUE(untilOk(*deployment, down_key, {"SET", down_key, "a"}).ok());
  ASSERT_TRUE(untilOk(*deployment, up_key, {"SET", up_key, "b"}).ok());
  const uint64_t generation = deployment->stats().connects;

  shards.servers[1]->stop();
  // The first command may still find the old connection; from then on it fails fast.
  Result<RespValue> failed = RespValue::null();
  for (int i = 0; i < 100 && failed.ok(); ++i) {
    failed = deployment->commandSync(down_key, {"GET", down_key});
  }
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kServerUnavailable);
  auto other = deployment->commandSync(up_key, {"GET", up_key});
  ASSERT_TRUE(other.ok()) << replyText(other);
  EXPECT_EQ(*other, RespValue::bulk("b"));
  // Per server likewise: the down shard fails, the others answer.
  auto down = deployment->commandOnServerSync(1, {"DBSIZE"});
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code, StatusCode::kServerUnavailable);
  auto up =
      deployment->commandOnServerSync(static_cast<size_t>(sharding.shardOfUser(on_up)), {"DBSIZE"});
  ASSERT_TRUE(up.ok()) << replyText(up);
  EXPECT_EQ(up->integer, 1);

  shards.servers[1]->start();
  auto back = untilOk(*deployment, down_key, {"SET", down_key, "again"});
  ASSERT_TRUE(back.ok()) << replyText(back);
  EXPECT_EQ(*deployment->commandSync(down_key, {"GET", down_key}), RespValue::bulk("again"));
  // The restart is visible to callers that cache what Redis holds.
  EXPECT_GT(deployment->stats().connects, generation);
}

TEST(RedisDeploymentTest, OpenFailsWithoutAnyClusterSeed) {
  IoThreads io(2);
  RedisServerProcess placeholder;  // a port that is then free again
  const uint16_t port = placeholder.port();
  placeholder.stop();
  auto deployment = RedisDeployment::open(
      io.contexts(), std::vector<std::string>{"redis+cluster://127.0.0.1:" + std::to_string(port)},
      fastOptions());
  ASSERT_FALSE(deployment.ok());
  EXPECT_EQ(deployment.status().code, StatusCode::kServerUnavailable);
  auto bad = RedisDeployment::open(io.contexts(),
                                   std::vector<std::string>{"redis://a:1", "redis+cluster://b:2"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code, StatusCode::kIllegalArgument);
}

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new RedisClusterProcess(3); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    for (uint16_t port : cluster_->ports()) {
      ASSERT_EQ(syncCommand(port, {"FLUSHALL"}), RespValue::simpleString("OK"));
    }
  }
  // A user whose session slot is owned by the given node.
  static int64_t userOn(uint16_t port, int64_t from) {
    for (int64_t user = from;; ++user) {
      if (cluster_->ownerOf(keySlot(redis_keys::session(user))) == port) return user;
    }
  }

  static RedisClusterProcess* cluster_;
};

RedisClusterProcess* ClusterTest::cluster_ = nullptr;

TEST_F(ClusterTest, RoutingSuite) {
  IoThreads io(2);
  auto deployment = openOrDie(io, {cluster_->seedUris()[1]});
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->topology(), RedisTopology::kCluster);
  EXPECT_EQ(deployment->describe().substr(0, 22), "cluster of 3 primaries");
  std::set<uint16_t> owners_used;
  runRoutingSuite(io, *deployment, [&](const std::string& key, const std::string&) {
    EXPECT_EQ(deployment->batchOf(key), keySlot(key));
    const uint16_t owner = cluster_->ownerOf(keySlot(key));
    owners_used.insert(owner);
    EXPECT_EQ(syncCommand(owner, {"EXISTS", key}), RespValue::fromInteger(1)) << key;
  });
  EXPECT_EQ(owners_used.size(), 3u);
  // No slot moved: no redirection was needed.
  EXPECT_EQ(deployment->stats().moved, 0u);
  EXPECT_EQ(deployment->stats().asked, 0u);

  // commandOnEveryServerSync reaches every primary once, in a stable order.
  const auto ids = deployment->commandOnEveryServerSync({"CLUSTER", "MYID"});
  ASSERT_EQ(ids.size(), 3u);
  std::set<std::string> expected_ids;
  std::set<std::string> servers;
  for (uint16_t port : cluster_->ports()) expected_ids.insert(cluster_->nodeId(port));
  std::set<std::string> got_ids;
  for (const auto& reply : ids) {
    ASSERT_TRUE(reply.reply.ok()) << replyText(reply.reply);
    got_ids.insert(reply.reply->str);
    servers.insert(reply.server);
  }
  EXPECT_EQ(got_ids, expected_ids);
  EXPECT_EQ(servers.size(), 3u);
  const auto again = deployment->commandOnEveryServerSync({"CLUSTER", "MYID"});
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(again[i].server, ids[i].server);
  // commandOnServerSync: the same primaries in the same order.
  ASSERT_EQ(deployment->serverCount(), 3u);
  for (size_t i = 0; i < ids.size(); ++i) {
    auto id = deployment->commandOnServerSync(i, {"CLUSTER", "MYID"});
    ASSERT_TRUE(id.ok()) << replyText(id);
    EXPECT_EQ(id->str, ids[i].reply->str) << ids[i].server;
  }
}

TEST_F(ClusterTest, MovedUpdatesTheMapAndAskDoesNot) {
  IoThreads io(2);
  auto deployment = openOrDie(io, cluster_->seedUris());
  ASSERT_TRUE(deployment);
  const auto ports = cluster_->ports();

  // MOVED: a slot migrated completely after the deployment read the map.
  const int64_t moved_user = userOn(ports[0], 0);
  const std::string moved_key = redis_keys::session(moved_user);
  const uint16_t moved_slot = keySlot(moved_key);
  ASSERT_TRUE(untilOk(*deployment, moved_key, {"SET", moved_key, "before"}).ok());
  cluster_->migrateSlot(moved_slot, ports[0], ports[1]);
  const uint64_t refreshes_before_moved = deployment->stats().slot_map_refreshes;
  auto moved = deployment->commandSync(moved_key, {"GET", moved_key});
  ASSERT_TRUE(moved.ok()) << replyText(moved);
  EXPECT_EQ(*moved, RespValue::bulk("before"));
  EXPECT_EQ(deployment->stats().moved, 1u);
  // The map was updated: later commands, from either io thread, go straight to the new owner.
  for (int i = 0; i < 20; ++i) {
    auto reply = i % 2 == 0 ? deployment->commandSync(moved_key, {"GET", moved_key})
                            : commandOnIoThread(io.context(i % 2), *deployment, moved_key,
                                                {"GET", moved_key});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::bulk("before"));
  }
  EXPECT_EQ(deployment->stats().moved, 1u);
  // The MOVED also scheduled a full refresh of the map (at most every 100 ms). Had it not run
  // yet, it could read the map after the migration below ends, and the MOVED counted there
  // would not come.
  for (int i = 0; i < 1000 && deployment->stats().slot_map_refreshes == refreshes_before_moved;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(deployment->stats().slot_map_refreshes, refreshes_before_moved);

  // ASK: a migration in progress. Keys the source still has are served there; keys it no longer
  // has are asked of the target, once each, without touching the map.
  const int64_t ask_user = userOn(ports[2], 0);
  const std::string kept = redis_keys::session(ask_user);
  const std::string fresh = "im:fresh:{u:" + std::to_string(ask_user) + "}";
  const std::string counter = "im:counter:{u:" + std::to_string(ask_user) + "}";
  const uint16_t ask_slot = keySlot(kept);
  ASSERT_TRUE(deployment->commandSync(kept, {"SET", kept, "on-source"}).ok());
  cluster_->beginSlotMigration(ask_slot, ports[2], ports[0]);

  auto set_fresh = deployment->commandSync(fresh, {"SET", fresh, "on-target"});
  ASSERT_TRUE(set_fresh.ok()) << replyText(set_fresh);
  EXPECT_EQ(*set_fresh, RespValue::simpleString("OK"));
  const uint64_t asked_after_set = deployment->stats().asked;
  EXPECT_GE(asked_after_set, 1u);
  auto get_fresh = commandOnIoThread(io.context(1), *deployment, fresh, {"GET", fresh});
  ASSERT_TRUE(get_fresh.ok()) << replyText(get_fresh);
  EXPECT_EQ(*get_fresh, RespValue::bulk("on-target"));
  EXPECT_GT(deployment->stats().asked, asked_after_set);
  // A script over a key the source does not have goes to the target too.
  const RedisScript incr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto scripted = deployment->evalshaSync(incr, {counter}, {"5"});
  ASSERT_TRUE(scripted.ok()) << replyText(scripted);
  EXPECT_EQ(*scripted, RespValue::fromInteger(5));
  auto kept_reply = deployment->commandSync(kept, {"GET", kept});
  ASSERT_TRUE(kept_reply.ok()) << replyText(kept_reply);
  EXPECT_EQ(*kept_reply, RespValue::bulk("on-source"));
  EXPECT_EQ(deployment->stats().moved, 1u);  // ASK left the map alone

  cluster_->finishSlotMigration(ask_slot, ports[2], ports[0]);
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {kept, "on-source"}, {fresh, "on-target"}, {counter, "5"}}) {
    EXPECT_EQ(syncCommand(ports[0], {"GET", key}), RespValue::bulk(value)) << key;
    auto reply = deployment->commandSync(key, {"GET", key});
    ASSERT_TRUE(reply.ok()) << replyText(reply);
    EXPECT_EQ(*reply, RespValue::bulk(value)) << key;
  }
  EXPECT_EQ(deployment->stats().moved, 2u);

  // Put both slots back for the other tests.
  cluster_->migrateSlot(moved_slot, ports[1], ports[0]);
  cluster_->migrateSlot(ask_slot, ports[0], ports[2]);
}

std::string runIdAt(uint16_t port) {
  const std::string info = syncCommand(port, {"INFO", "server"}).str;
  const size_t at = info.find("run_id:");
  return at == std::string::npos ? "" : info.substr(at + 7, 40);
}

// A script that asks for the server's identity gets the identity of the server that runs it, also
// after a MOVED or through ASK (where the client sends it to another server than first chosen).
TEST_F(ClusterTest, ServerIdScriptsGetTheIdOfTheServerThatRunsThem) {
  IoThreads io(2);
  auto deployment = openOrDie(io, cluster_->seedUris());
  ASSERT_TRUE(deployment);
  const auto ports = cluster_->ports();
  const RedisScript whoami("redis.call('SET', KEYS[1], ARGV[2]) return ARGV[1]",
                           ScriptArgs::kServerIdFirst);
  const int64_t user = userOn(ports[0], 0);
  const std::string key = redis_keys::session(user);
  auto at_home = untilOk(*deployment, key, {"PING"});
  ASSERT_TRUE(at_home.ok());
  auto first = deployment->evalshaSync(whoami, {key}, {"1"});
  ASSERT_TRUE(first.ok()) << replyText(first);
  EXPECT_EQ(first->str, runIdAt(ports[0]));

  const uint16_t slot = keySlot(key);
  cluster_->migrateSlot(slot, ports[0], ports[1]);
  auto moved = deployment->evalshaSync(whoami, {key}, {"2"});
  ASSERT_TRUE(moved.ok()) << replyText(moved);
  EXPECT_EQ(deployment->stats().moved, 1u);
  EXPECT_EQ(moved->str, runIdAt(ports[1]));

  // The slot half-way back: a key the source no longer has is run on the target, after ASKING.
  cluster_->beginSlotMigration(slot, ports[1], ports[2]);
  const std::string absent = "im:absent:{u:" + std::to_string(user) + "}";
  auto asked = deployment->evalshaSync(whoami, {absent}, {"3"});
  ASSERT_TRUE(asked.ok()) << replyText(asked);
  EXPECT_GE(deployment->stats().asked, 1u);
  EXPECT_EQ(asked->str, runIdAt(ports[2]));
  cluster_->finishSlotMigration(slot, ports[1], ports[2]);
  cluster_->migrateSlot(slot, ports[2], ports[0]);
}

TEST_F(ClusterTest, KeyBesideLivesInTheSlotOfItsKey) {
  IoThreads io(1);
  auto deployment = openOrDie(io, cluster_->seedUris());
  ASSERT_TRUE(deployment);
  for (int64_t user = 0; user < 2000; ++user) {
    const std::string key = redis_keys::session(user);
    const std::string beside = deployment->keyBeside(key, "im:mark");
    ASSERT_EQ(keySlot(beside), keySlot(key)) << beside;
    ASSERT_EQ(beside.rfind("im:mark{", 0), 0u) << beside;
  }
  // One per slot: users of one slot share it.
  EXPECT_EQ(deployment->keyBeside("{u:1}a", "m"), deployment->keyBeside("{u:1}b", "m"));
}

// Last in the suite: it restarts a node, which loses that node's data.
TEST_F(ClusterTest, PrimaryDownFailsItsKeysAndRecovers) {
  IoThreads io(2);
  auto deployment = openOrDie(io, cluster_->seedUris());
  ASSERT_TRUE(deployment);
  const auto ports = cluster_->ports();
  const std::string down_key = redis_keys::session(userOn(ports[2], 0));
  ASSERT_TRUE(untilOk(*deployment, down_key, {"SET", down_key, "a"}).ok());
  const uint64_t generation = deployment->stats().connects;

  cluster_->node(2).stop();
  Result<RespValue> failed = RespValue::null();
  for (int i = 0; i < 100 && failed.ok(); ++i) {
    failed = deployment->commandSync(down_key, {"GET", down_key});
  }
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kServerUnavailable);

  cluster_->node(2).start();
  cluster_->waitUntilConsistent();
  auto back = untilOk(*deployment, down_key, {"SET", down_key, "again"});
  ASSERT_TRUE(back.ok()) << replyText(back);
  EXPECT_EQ(*deployment->commandSync(down_key, {"GET", down_key}), RespValue::bulk("again"));
  EXPECT_GT(deployment->stats().connects, generation);
}

}  // namespace
}  // namespace parley::redis
