// Routing of pushes and closes across nodes, without sockets or Redis: an in-process session
// registry, a recording local gateway and NodeClients, and a Membership whose Redis answers the
// heartbeat script with a canned list of live nodes.
#include "nodes/cluster_session_control.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "nodes/membership.h"
#include "nodes/node_clients.h"
#include "online/session_registry.h"
#include "redis/redis_deployment.h"
#include "testing/manual_clock.h"

namespace parley::nodes {
namespace {

using redis::RespValue;

constexpr int64_t kNow = 1'700'000'000'000;

// Answers every script with {1, 0, then id, heartbeat, host, port, started, written per node}.
class CannedRedis final : public redis::RedisDeployment {
 public:
  std::vector<std::pair<std::string, int64_t>> nodes;  // id, heartbeat
  int64_t written = 0;                                 // every node's "sessions written" time
  bool fail = false;

  redis::RedisTopology topology() const override { return redis::RedisTopology::kSingle; }
  std::string describe() const override { return "canned"; }
  uint32_t batchOf(std::string_view) const override { return 0; }
  std::string keyBeside(std::string_view, std::string_view name) const override {
    return std::string(name);
  }
  void command(std::string_view, std::vector<std::string>, redis::RedisClient::Callback) override {}
  void evalsha(const redis::RedisScript&, std::vector<std::string>, std::vector<std::string>,
               redis::RedisClient::Callback) override {}
  Result<RespValue> commandSync(std::string_view, std::vector<std::string>) override {
    return RespValue::fromInteger(1);
  }
  Result<RespValue> evalshaSync(const redis::RedisScript&, std::vector<std::string>,
                                std::vector<std::string>) override {
    if (fail) return error(StatusCode::kServerUnavailable, "redis down");
    std::vector<RespValue> out{RespValue::fromInteger(1), RespValue::fromInteger(0)};
    for (const auto& [id, heartbeat] : nodes) {
      out.push_back(RespValue::bulk(id));
      out.push_back(RespValue::bulk(std::to_string(heartbeat)));
      out.push_back(RespValue::bulk("10.0.0.1"));
      out.push_back(RespValue::bulk("7510"));
      out.push_back(RespValue::bulk("1"));
      out.push_back(RespValue::bulk(std::to_string(written)));
    }
    return RespValue::array(std::move(out));
  }
  std::vector<redis::ServerReply> commandOnEveryServerSync(std::vector<std::string>) override {
    return {};
  }
  size_t serverCount() const override { return 1; }
  Result<RespValue> commandOnServerSync(size_t, std::vector<std::string>) override {
    return RespValue::fromInteger(1);
  }
  redis::RedisDeploymentStats stats() const override { return {}; }
};

struct Push {
  std::string node;  // "" for the local gateway
  std::vector<int64_t> users;
  std::shared_ptr<const std::string> notification;
  int64_t except_user_id = 0;
  int32_t except_device_type = -1;
};
struct Close {
  std::string node;
  int64_t user_id = 0;
  std::vector<int32_t> device_types;
};

class RecordingLocal final : public SessionControl {
 public:
  void pushToUsers(std::span<const int64_t> user_ids,
                   std::shared_ptr<const std::string> notification, int64_t except_user_id,
                   int32_t except_device_type) override {
    pushes.push_back(Push{"",
                          {user_ids.begin(), user_ids.end()},
                          std::move(notification),
                          except_user_id,
                          except_device_type});
  }
  void closeUserSessions(int64_t user_id, std::span<const int32_t> device_types, int32_t,
                         StatusCode, const std::string&) override {
    closes.push_back(Close{"", user_id, {device_types.begin(), device_types.end()}});
  }
  std::vector<Push> pushes;
  std::vector<Close> closes;
};

class RecordingClients final : public NodeClients {
 public:
  void push(const std::string& node_id, std::span<const int64_t> user_ids,
            std::shared_ptr<const std::string> notification, int64_t except_user_id,
            int32_t except_device_type) override {
    pushes.push_back(Push{node_id,
                          {user_ids.begin(), user_ids.end()},
                          std::move(notification),
                          except_user_id,
                          except_device_type});
  }
  void closeSessionsAsync(const std::string& node_id, int64_t user_id,
                          std::span<const int32_t> device_types, int32_t, StatusCode,
                          const std::string&, CloseCallback done) override {
    closes.push_back(Close{node_id, user_id, {device_types.begin(), device_types.end()}});
    done(close_status);
  }
  Status closeSessions(const std::string&, int64_t, std::span<const int32_t>, int32_t, StatusCode,
                       const std::string&) override {
    return close_status;
  }
  NodeClientsStats stats() const override { return {}; }

  std::vector<Push> pushes;
  std::vector<Close> closes;
  Status close_status;
};

class ClusterSessionControlTest : public ::testing::Test {
 protected:
  ClusterSessionControlTest()
      : clock_(kNow),
        membership_(redis_, NodeInfo{"a", "10.0.0.1", 7510, kNow, 0}, MembershipOptions{}, clock_),
        registry_(makeInProcessSessionRegistry()),
        routing_("a", local_, *registry_, membership_, clients_) {}

  void liveNodes(std::vector<std::string> ids) {
    redis_.nodes.clear();
    for (auto& id : ids) redis_.nodes.emplace_back(id, kNow);
    ASSERT_TRUE(membership_.heartbeat().ok());
  }
  void online(int64_t user, DeviceType device, const std::string& node) {
    ASSERT_TRUE(registry_->registerDevice(user, device, kUserStatusAvailable, node, kNow).ok());
  }

  CannedRedis redis_;
  testing::ManualClock clock_;
  Membership membership_;
  std::unique_ptr<SessionRegistry> registry_;
  RecordingLocal local_;
  RecordingClients clients_;
  ClusterSessionControl routing_;
};

std::vector<int64_t> sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_F(ClusterSessionControlTest, AloneNodePushesLocallyWithoutALookup) {
  // Users registered elsewhere would be routed remotely if the registry were consulted.
  online(1, 0, "b");
  auto note = std::make_shared<const std::string>("n");
  const int64_t users[] = {1, 2};
  routing_.pushToUsers(users, note, 1, 2);
  ASSERT_EQ(local_.pushes.size(), 1u);
  EXPECT_EQ(local_.pushes[0].users, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(local_.pushes[0].except_user_id, 1);
  EXPECT_EQ(local_.pushes[0].except_device_type, 2);
  EXPECT_TRUE(clients_.pushes.empty());
}

TEST_F(ClusterSessionControlTest, OnePushPerNodeWithItsUsersAndLocalUsersServedLocally) {
  liveNodes({"a", "b", "c"});
  online(1, 0, "a");
  online(2, 0, "b");
  online(3, 0, "b");
  online(4, 0, "c");
  online(5, 0, "b");
  online(5, 1, "b");  // two devices on one node: pushed once
  online(6, 0, "a");
  online(6, 1, "c");  // on two nodes: pushed to both
  auto note = std::make_shared<const std::string>("bytes");
  const int64_t users[] = {1, 2, 3, 4, 5, 6};
  routing_.pushToUsers(users, note, 6, 1);

  ASSERT_EQ(local_.pushes.size(), 1u);
  EXPECT_EQ(sorted(local_.pushes[0].users), (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(local_.pushes[0].notification, note);
  std::map<std::string, Push> by_node;
  for (const auto& push : clients_.pushes) {
    EXPECT_FALSE(by_node.count(push.node)) << "two pushes to node " << push.node;
    by_node[push.node] = push;
  }
  ASSERT_EQ(by_node.size(), 2u);
  EXPECT_EQ(sorted(by_node["b"].users), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_EQ(sorted(by_node["c"].users), (std::vector<int64_t>{4, 6}));
  for (const auto& [node, push] : by_node) {
    EXPECT_EQ(push.notification, note);  // the same bytes, not a copy per node
    EXPECT_EQ(push.except_user_id, 6);
    EXPECT_EQ(push.except_device_type, 1);
  }
  EXPECT_EQ(routing_.stats().remote_pushes, 2u);
}

TEST_F(ClusterSessionControlTest, OfflineUsersAreOfferedToTheLocalGatewayOnly) {
  liveNodes({"a", "b"});
  const int64_t users[] = {7};
  routing_.pushToUsers(users, std::make_shared<const std::string>("n"));
  ASSERT_EQ(local_.pushes.size(), 1u);
  EXPECT_EQ(local_.pushes[0].users, (std::vector<int64_t>{7}));
  EXPECT_TRUE(clients_.pushes.empty());
}

TEST_F(ClusterSessionControlTest, PushesToDeadNodesAreCountedUndeliverable) {
  liveNodes({"a", "b"});
  online(1, 0, "b");
  online(2, 0, "gone");  // registered by a node that is no longer a member (nor in Redis)
  const int64_t users[] = {1, 2};
  routing_.pushToUsers(users, std::make_shared<const std::string>("n"));
  ASSERT_EQ(clients_.pushes.size(), 1u);
  EXPECT_EQ(clients_.pushes[0].node, "b");
  EXPECT_EQ(routing_.stats().undeliverable, 1u);

  // b stops heartbeating: once a heartbeat finds it stale it is dead.
  clock_.advance(MembershipOptions{}.stale_after.count() + 1);
  ASSERT_NO_FATAL_FAILURE(liveNodes({"a", "b"}));  // both still stamped kNow in Redis
  EXPECT_TRUE(membership_.alone());
  routing_.pushToUsers(users, std::make_shared<const std::string>("n"));
  EXPECT_EQ(clients_.pushes.size(), 1u);
}

// The in-process registry with some users flagged as a Redis registry flags them right after a
// data loss (their entries may be missing), or failing lookups as a Redis that is down does.
class IncompleteFor final : public SessionRegistry {
 public:
  IncompleteFor(SessionRegistry& real, std::vector<int64_t> users)
      : real_(real), users_(std::move(users)) {}
  bool fail = false;
  Result<DeviceRegistration> registerDevice(int64_t u, DeviceType d, UserStatus s,
                                            const std::string& n, int64_t t) override {
    return real_.registerDevice(u, d, s, n, t);
  }
  VoidResult unregisterDevice(int64_t u, DeviceType d, const std::string& n, int64_t t) override {
    return real_.unregisterDevice(u, d, n, t);
  }
  Result<bool> setStatus(int64_t u, UserStatus s) override { return real_.setStatus(u, s); }
  Result<std::vector<UserOnlineInfo>> query(std::span<const int64_t> ids) override {
    if (fail) return error(StatusCode::kServerUnavailable, "Redis is unreachable");
    auto infos = real_.query(ids);
    if (!infos.ok()) return infos;
    for (auto& info : *infos) {
      info.may_be_incomplete =
          std::find(users_.begin(), users_.end(), info.user_id) != users_.end();
    }
    return infos;
  }
  Result<std::vector<UserOnlineInfo>> listOnline(int64_t after, int limit) override {
    return real_.listOnline(after, limit);
  }
  Result<int64_t> countOnlineUsers() override { return real_.countOnlineUsers(); }

 private:
  SessionRegistry& real_;
  std::vector<int64_t> users_;
};

TEST_F(ClusterSessionControlTest, UsersWhoseEntriesMayBeLostAreOfferedToEveryLiveNode) {
  liveNodes({"a", "b", "c"});
  online(1, 0, "b");
  online(2, 0, "c");  // flagged too: its entry may be incomplete (other devices lost)
  IncompleteFor registry(*registry_, {2, 3});
  ClusterSessionControl routing("a", local_, registry, membership_, clients_);
  const int64_t users[] = {1, 2, 3};
  routing.pushToUsers(users, std::make_shared<const std::string>("n"));
  std::map<std::string, std::vector<int64_t>> by_node;
  for (const auto& push : clients_.pushes) by_node[push.node] = sorted(push.users);
  EXPECT_EQ(by_node["b"], (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(by_node["c"], (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(clients_.pushes.size(), 2u) << "one push per node";
  ASSERT_EQ(local_.pushes.size(), 1u);
  EXPECT_EQ(sorted(local_.pushes[0].users), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(routing.stats().offered_to_all, 2u);
}

TEST_F(ClusterSessionControlTest, ClosesLocallyAndOnTheNodesHoldingMatchingDevices) {
  liveNodes({"a", "b", "c"});
  online(1, 0, "a");
  online(1, 1, "b");
  online(1, 2, "c");
  const int32_t types[] = {1};
  routing_.closeUserSessions(1, types, 0, StatusCode::kOk, "bye");
  ASSERT_EQ(local_.closes.size(), 1u);
  ASSERT_EQ(clients_.closes.size(), 1u);
  EXPECT_EQ(clients_.closes[0].node, "b");
  EXPECT_EQ(clients_.closes[0].device_types, (std::vector<int32_t>{1}));

  // All device types: every node holding any device, asked for all of them.
  clients_.closes.clear();
  routing_.closeUserSessions(1, {}, 0, StatusCode::kOk, "bye");
  ASSERT_EQ(clients_.closes.size(), 2u);
  for (const auto& close : clients_.closes) EXPECT_TRUE(close.device_types.empty());
}

TEST_F(ClusterSessionControlTest, CloseOnNodeTargetsOneNode) {
  liveNodes({"a", "b"});
  const int32_t types[] = {3};
  routing_.closeOnNode("a", 5, types, 0, StatusCode::kOk, "replaced");
  ASSERT_EQ(local_.closes.size(), 1u);
  EXPECT_TRUE(clients_.closes.empty());

  routing_.closeOnNode("b", 5, types, 0, StatusCode::kOk, "replaced");
  ASSERT_EQ(clients_.closes.size(), 1u);
  EXPECT_EQ(clients_.closes[0].node, "b");
  EXPECT_EQ(clients_.closes[0].user_id, 5);

  clients_.close_status = error(StatusCode::kServerUnavailable, "down");
  routing_.closeOnNode("b", 5, types, 0, StatusCode::kOk, "replaced");
  EXPECT_EQ(routing_.stats().remote_close_failures, 1u);

  routing_.closeOnNode("gone", 5, types, 0, StatusCode::kOk, "replaced");
  EXPECT_EQ(clients_.closes.size(), 2u);
}

TEST_F(ClusterSessionControlTest, RpcHandlerForwardsToTheLocalGateway) {
  LocalSessionRpcHandler handler(local_);
  const int64_t users[] = {1, 2};
  auto note = std::make_shared<const std::string>("n");
  handler.onPush(users, note, 2, 0);
  ASSERT_EQ(local_.pushes.size(), 1u);
  EXPECT_EQ(local_.pushes[0].except_user_id, 2);
  const int32_t types[] = {4};
  EXPECT_TRUE(handler.onCloseSessions(9, types, 1, StatusCode::kOk, "r").isOk());
  ASSERT_EQ(local_.closes.size(), 1u);
  EXPECT_EQ(local_.closes[0].device_types, (std::vector<int32_t>{4}));
}

TEST_F(ClusterSessionControlTest, WhenTheLookupFailsPushesAreOfferedToEveryLiveNode) {
  liveNodes({"a", "b", "c"});
  online(1, 0, "b");
  IncompleteFor registry(*registry_, {});
  registry.fail = true;
  ClusterSessionControl routing("a", local_, registry, membership_, clients_);
  const int64_t users[] = {1, 2};
  routing.pushToUsers(users, std::make_shared<const std::string>("n"));
  std::map<std::string, std::vector<int64_t>> by_node;
  for (const auto& push : clients_.pushes) by_node[push.node] = sorted(push.users);
  EXPECT_EQ(by_node["b"], (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(by_node["c"], (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(clients_.pushes.size(), 2u);
  ASSERT_EQ(local_.pushes.size(), 1u);
  EXPECT_EQ(sorted(local_.pushes[0].users), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(routing.stats().registry_errors, 1u);
  EXPECT_EQ(routing.stats().offered_to_all, 2u);

  registry.fail = false;  // works again: routed by the entries
  routing.pushToUsers(users, std::make_shared<const std::string>("n"));
  ASSERT_EQ(clients_.pushes.size(), 3u);
  EXPECT_EQ(clients_.pushes[2].node, "b");
  EXPECT_EQ(clients_.pushes[2].users, (std::vector<int64_t>{1}));
}

TEST(MembershipViewTest, KeepsTheLastViewWhileRedisFailsAndAgesItOutOnceItWorks) {
  CannedRedis redis;
  testing::ManualClock clock(kNow);
  MembershipOptions options;
  Membership membership(redis, NodeInfo{"a", "h", 1, kNow, 0}, options, clock);
  EXPECT_TRUE(membership.alone());
  EXPECT_TRUE(membership.isAlive("a"));
  redis.nodes = {{"a", kNow}, {"b", kNow}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_FALSE(membership.alone());
  EXPECT_TRUE(membership.isAlive("b"));
  auto b = membership.find("b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->rpc_host, "10.0.0.1");
  EXPECT_EQ(b->rpc_port, 7510);
  EXPECT_EQ(membership.liveNodes().size(), 2u);

  redis.fail = true;
  EXPECT_FALSE(membership.heartbeat().ok());
  EXPECT_TRUE(membership.isAlive("b"));  // the last view still holds
  // However long Redis is down: b could not heartbeat either, so its silence says nothing.
  clock.advance(options.stale_after.count() * 3);
  EXPECT_FALSE(membership.heartbeat().ok());
  EXPECT_TRUE(membership.isAlive("b"));
  EXPECT_FALSE(membership.alone());
  EXPECT_EQ(membership.liveNodes().size(), 2u);

  // Redis answers again, without b (the first node back pruned its old score): b keeps the
  // time it had left when Redis went silent, to write itself back.
  redis.fail = false;
  redis.nodes = {{"a", clock.nowMillis()}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_TRUE(membership.isAlive("b"));
  // b never heartbeats again: it ages out by the local clock.
  clock.advance(options.stale_after.count() + 1);
  redis.nodes = {{"a", clock.nowMillis()}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_FALSE(membership.isAlive("b"));
  EXPECT_TRUE(membership.isAlive("a"));
  EXPECT_TRUE(membership.alone());
  EXPECT_EQ(membership.liveNodes().size(), 1u);
  EXPECT_FALSE(membership.find("b").has_value()) << "a heartbeat that works forgets it";
}

TEST(MembershipViewTest, SessionsAreAllWrittenSinceAMomentOnceEveryLiveNodeSaysSo) {
  CannedRedis redis;
  testing::ManualClock clock(kNow);
  MembershipOptions options;
  Membership membership(redis, NodeInfo{"a", "h", 1, kNow - 60'000, 0}, options, clock);
  const int64_t loss = kNow - 10'000;
  const int64_t after = loss + Membership::kClockSkewMillis;
  redis.nodes = {{"a", kNow}, {"b", kNow}};
  redis.written = after - 1;  // b's last full refresh began too close to the loss to count
  ASSERT_TRUE(membership.heartbeat().ok());
  membership.noteSessionsWritten(after);
  EXPECT_FALSE(membership.allSessionsWrittenSince(loss));
  redis.written = after;
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_TRUE(membership.allSessionsWrittenSince(loss));
  EXPECT_FALSE(membership.allSessionsWrittenSince(loss + 1));

  // This node's own refresh counts too; an earlier note does not move it back.
  membership.noteSessionsWritten(loss);
  EXPECT_TRUE(membership.allSessionsWrittenSince(loss));
  EXPECT_FALSE(membership.allSessionsWrittenSince(after));

  // A node gone stale is not waited for.
  redis.written = 0;
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_FALSE(membership.allSessionsWrittenSince(loss));
  clock.advance(options.stale_after.count() + 1);
  redis.nodes = {{"a", clock.nowMillis()}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_TRUE(membership.allSessionsWrittenSince(loss));
}

// A peer that cannot write its heartbeat for a while (Redis down for it a moment longer than for
// this node) but whose RPC connection works is up: it stays live; once the connection goes it
// ages out.
TEST(MembershipViewTest, APeerReachableOverRpcStaysLiveWithoutItsHeartbeat) {
  CannedRedis redis;
  testing::ManualClock clock(kNow);
  MembershipOptions options;
  Membership membership(redis, NodeInfo{"a", "h", 1, kNow, 0}, options, clock);
  bool b_connected = true;
  membership.setReachability([&](std::string_view id) { return id == "b" && b_connected; });
  redis.nodes = {{"a", kNow}, {"b", kNow}};
  ASSERT_TRUE(membership.heartbeat().ok());
  for (int tick = 0; tick < 3; ++tick) {
    clock.advance(options.stale_after.count() / 2 + 1);
    redis.nodes = {{"a", clock.nowMillis()}};  // b's heartbeats do not arrive
    ASSERT_TRUE(membership.heartbeat().ok());
    EXPECT_TRUE(membership.isAlive("b")) << "tick " << tick;
  }
  b_connected = false;
  clock.advance(options.stale_after.count() + 1);
  redis.nodes = {{"a", clock.nowMillis()}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_FALSE(membership.isAlive("b"));
}

TEST(MembershipViewTest, ANodeThatStopsHeartbeatingAgesOutWhileRedisWorks) {
  CannedRedis redis;
  testing::ManualClock clock(kNow);
  MembershipOptions options;
  Membership membership(redis, NodeInfo{"a", "h", 1, kNow, 0}, options, clock);
  redis.nodes = {{"a", kNow}, {"b", kNow}};
  ASSERT_TRUE(membership.heartbeat().ok());
  // b is still fresh at the next heartbeat; until the one after is due it ages by the local clock.
  clock.advance(options.stale_after.count() - options.heartbeat_interval.count() + 1);
  redis.nodes = {{"a", clock.nowMillis()}, {"b", kNow}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_TRUE(membership.isAlive("b"));
  clock.advance(options.heartbeat_interval.count());
  EXPECT_FALSE(membership.isAlive("b")) << "stale by the local clock, before the next heartbeat";
  redis.nodes = {{"a", clock.nowMillis()}, {"b", kNow}};
  ASSERT_TRUE(membership.heartbeat().ok());
  EXPECT_FALSE(membership.isAlive("b"));
}

}  // namespace
}  // namespace parley::nodes
