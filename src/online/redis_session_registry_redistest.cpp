// RedisSessionRegistry against real redis-server processes (ctest label `redis`), on every
// topology: the SessionRegistry contract (session_registry_contract_test.h), then what only Redis
// has: several nodes sharing one Redis, node liveness, SCAN pages and self-healing after Redis lost
// its data.
#include "online/redis_session_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "online/redis_keys.h"
#include "online/redis_test_deployment.h"
#include "online/session_registry_contract_test.h"
#include "testing/eventually.h"
#include "testing/manual_clock.h"

namespace parley {
namespace {

using contract::kAndroid;
using contract::kAway;
using contract::kBrowser;
using contract::kBusy;
using contract::kDesktop;
using contract::SessionRegistryContractParam;
using contract::SessionRegistryContractTest;
using testing::RedisTestDeployment;
using testing::TestTopology;

constexpr int kTtlSeconds = 180;
// Short, so the tests see a batch's lookups flagged after a loss and unflagged again.
constexpr int64_t kHealWindowMillis = 500;

// Registries of several nodes over one deployment, with a clock the test moves.
class RedisRegistryEnv final : public contract::SessionRegistryTestEnv {
 public:
  explicit RedisRegistryEnv(TestTopology topology) : deployment_(topology) {}

  std::unique_ptr<SessionRegistry> makeRegistry(const std::string& node_id) override {
    return makeRedisRegistry(node_id);
  }

  std::unique_ptr<RedisSessionRegistry> makeRedisRegistry(
      const std::string& node_id, std::function<bool(std::string_view)> alive = {},
      std::function<void()> after_refresh_snapshot = {},
      std::function<bool(int64_t)> sessions_written_since = {}) {
    if (!deployment_.ok()) return nullptr;
    RedisSessionRegistryOptions options;
    options.node_id = node_id;
    options.session_ttl_seconds = kTtlSeconds;
    options.refresh_batch_size = 7;  // several calls per batch even with few users
    options.is_node_alive = std::move(alive);
    options.heal_window_millis = kHealWindowMillis;
    options.after_refresh_snapshot = std::move(after_refresh_snapshot);
    options.sessions_written_since = std::move(sessions_written_since);
    return std::make_unique<RedisSessionRegistry>(deployment_.redis(), options, clock_);
  }

  RedisTestDeployment& deployment() { return deployment_; }
  parley::testing::ManualClock& clock() { return clock_; }

 private:
  RedisTestDeployment deployment_;
  parley::testing::ManualClock clock_{1'700'000'000'000};
};

std::vector<SessionRegistryContractParam> redisContractParams() {
  std::vector<SessionRegistryContractParam> params;
  // And over TLS: rediss:// with a client certificate.
  auto topologies = testing::testTopologies();
  topologies.push_back(TestTopology::kSingleOverTls);
  for (const TestTopology topology : topologies) {
    params.push_back({testing::topologyName({topology, params.size()}),
                      [topology] { return std::make_unique<RedisRegistryEnv>(topology); }});
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(Redis, SessionRegistryContractTest,
                         ::testing::ValuesIn(redisContractParams()),
                         contract::sessionRegistryContractName);

class RedisSessionRegistryTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.deployment().ok());
    registry_ = makeRegistry("n1");
  }

  std::unique_ptr<RedisSessionRegistry> makeRegistry(
      const std::string& node_id, std::function<bool(std::string_view)> alive = {}) {
    return env_.makeRedisRegistry(node_id, std::move(alive));
  }

  UserOnlineInfo queryOne(int64_t user_id) { return contract::queryOne(*registry_, user_id); }

  void registerOk(int64_t user_id, DeviceType device_type, const std::string& node_id = "n1",
                  UserStatus status = kUserStatusAvailable) {
    contract::registerOk(*registry_, user_id, device_type, node_id, status);
  }

  int64_t pttl(int64_t user_id) {
    const std::string key = redis_keys::session(user_id);
    auto reply = redis().commandSync(key, {"PTTL", key});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply->integer : -3;
  }

  redis::RedisDeployment& redis() { return env_.deployment().redis(); }

  RedisRegistryEnv env_{GetParam()};
  std::unique_ptr<RedisSessionRegistry> registry_;
};

// --- The contract's cases, as Redis keeps them ---

TEST_P(RedisSessionRegistryTest, LocalSessionsAndHeartbeatFieldsFollowTheDevices) {
  ASSERT_TRUE(registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000).ok());
  EXPECT_EQ(registry_->localSessionCount(), 1u);
  ASSERT_TRUE(registry_->registerDevice(1, kDesktop, kBusy, "n2", 2000).ok());
  // n1 lost its only device: its heartbeat field is not left behind, nor its local entry.
  const std::string key = redis_keys::session(1);
  auto n1 = redis().commandSync(key, {"HEXISTS", key, "n1"});
  ASSERT_TRUE(n1.ok());
  EXPECT_EQ(n1->integer, 0);
  EXPECT_EQ(registry_->localSessionCount(), 0u);
}

TEST_P(RedisSessionRegistryTest, NoHashOutlivesTheLastDeviceOrComesFromASetStatus) {
  registerOk(1, kDesktop, "n1");
  registerOk(1, kDesktop, "n2");
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", 1001).ok());
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n2", 1001).ok());
  // The last device took the whole hash with it.
  EXPECT_EQ(pttl(1), -2);

  auto set = registry_->setStatus(7, kBusy);
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(*set);
  EXPECT_EQ(pttl(7), -2);  // no hash was created
}

TEST_P(RedisSessionRegistryTest, RejectsNodeIdsThatCannotBeHashFields) {
  for (const char* node : {"", "$", "12", "3:t", "a,b"}) {
    auto bad = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, node, 0);
    ASSERT_FALSE(bad.ok()) << node;
    EXPECT_EQ(bad.status().code, StatusCode::kIllegalArgument);
  }
  EXPECT_EQ(registry_->countOnlineUsers().value(), 0);
}

// --- Redis specifics ---

TEST_P(RedisSessionRegistryTest, ListOnlineOrdersLargeAndNegativeIdsAcrossServers) {
  // Ids past 2^53 (Lua's doubles) and negative ones must still sort exactly.
  const std::vector<int64_t> ids{
      -5, -40, 7, 9'007'199'254'740'993, 9'007'199'254'740'992, INT64_MAX, 123456789012345678};
  for (const int64_t id : ids) registerOk(id, kDesktop);
  std::vector<int64_t> expected = ids;
  std::sort(expected.begin(), expected.end());

  std::vector<int64_t> seen;
  int64_t after = INT64_MIN;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = registry_->listOnline(after, 3);
    ASSERT_TRUE(page.ok()) << page.status().reason;
    if (page->empty()) break;
    for (const UserOnlineInfo& info : *page) seen.push_back(info.user_id);
    after = page->back().user_id;
  }
  EXPECT_EQ(seen, expected);
}

TEST_P(RedisSessionRegistryTest, ListsAndCountsOverManyScanPagesAndReadBatches) {
  // More users than one SCAN page or one read batch (1000), on every server.
  constexpr int64_t kMany = 2500;
  for (int64_t user = 1; user <= kMany; ++user)
    registerOk(user, user % 2 == 0 ? kDesktop : kAndroid);
  EXPECT_EQ(registry_->countOnlineUsers().value(), kMany);

  auto all = registry_->listOnline(0, 3000);
  ASSERT_TRUE(all.ok()) << all.status().reason;
  ASSERT_EQ(all->size(), static_cast<size_t>(kMany));
  for (int64_t user = 1; user <= kMany; ++user) {
    EXPECT_EQ((*all)[static_cast<size_t>(user - 1)].user_id, user);
  }
  auto middle = registry_->listOnline(1200, 5);
  ASSERT_TRUE(middle.ok()) << middle.status().reason;
  std::vector<int64_t> ids;
  for (const UserOnlineInfo& info : *middle) ids.push_back(info.user_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{1201, 1202, 1203, 1204, 1205}));
}

TEST_P(RedisSessionRegistryTest, ListOnlineLooksPastAWindowOfOfflineUsers) {
  // The 2,000 smallest ids belong to a dead node: more than one pass's window for a page of 5.
  auto dead = makeRegistry("dead");
  for (int64_t user = 1; user <= 2000; ++user) {
    contract::registerOk(*dead, user, kDesktop, "dead", kUserStatusAvailable);
  }
  for (int64_t user = 3001; user <= 3010; ++user) registerOk(user, kDesktop);
  auto reader = makeRegistry("r", [](std::string_view node) { return node != "dead"; });
  auto page = reader->listOnline(0, 5);
  ASSERT_TRUE(page.ok()) << page.status().reason;
  std::vector<int64_t> ids;
  for (const UserOnlineInfo& info : *page) ids.push_back(info.user_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{3001, 3002, 3003, 3004, 3005}));
  EXPECT_EQ(reader->countOnlineUsers().value(), 10);
  EXPECT_EQ(registry_->countOnlineUsers().value(), 2010);
}

TEST_P(RedisSessionRegistryTest, ListAndCountIgnoreOtherKeys) {
  registerOk(7, kDesktop);
  // Keys that look almost like sessions, or are other data on the same servers.
  for (const std::string& key : {std::string("im:sess:{u:x}"), std::string("im:sess:{u:8}:extra"),
                                 redis_keys::groupSequence(7), redis_keys::nodes()}) {
    ASSERT_TRUE(redis().commandSync(key, {"SET", key, "1"}).ok()) << key;
  }
  EXPECT_EQ(registry_->countOnlineUsers().value(), 1);
  auto page = registry_->listOnline(INT64_MIN, 10);
  ASSERT_TRUE(page.ok()) << page.status().reason;
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].user_id, 7);
}

TEST_P(RedisSessionRegistryTest, LoginOnAnotherNodeReplacesAndReturnsThePreviousOwner) {
  auto a = makeRegistry("a");
  auto b = makeRegistry("b");
  ASSERT_TRUE(a->registerDevice(1, kDesktop, kUserStatusAvailable, "a", 100).ok());
  auto previous = b->registerDevice(1, kDesktop, kBusy, "b", 200);
  ASSERT_TRUE(previous.ok());
  ASSERT_TRUE(previous->previous.has_value());
  EXPECT_EQ(previous->previous->node_id, "a");
  EXPECT_EQ(previous->previous->login_date, 100);

  // a closes its (kicked) session: that must not remove b's login.
  ASSERT_TRUE(a->unregisterDevice(1, kDesktop, "a", 100).ok());
  const UserOnlineInfo info = contract::queryOne(*a, 1);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].node_id, "b");
  EXPECT_EQ(info.devices[0].login_date, 200);
  EXPECT_EQ(info.status, kBusy);
  EXPECT_EQ(a->localSessionCount(), 0u);
  EXPECT_EQ(b->localSessionCount(), 1u);
}

TEST_P(RedisSessionRegistryTest, DevicesOfDeadOrSilentNodesAreOffline) {
  auto a = makeRegistry("a");
  auto b = makeRegistry("b");
  contract::registerOk(*a, 1, kDesktop, "a", kAway);
  contract::registerOk(*b, 1, kAndroid, "b", kAway);
  contract::registerOk(*a, 2, kDesktop, "a", kUserStatusAvailable);

  auto reader = makeRegistry("r", [](std::string_view node) { return node != "a"; });
  UserOnlineInfo one = contract::queryOne(*reader, 1);
  ASSERT_EQ(one.devices.size(), 1u);
  EXPECT_EQ(one.devices[0].node_id, "b");
  EXPECT_EQ(one.status, kAway);
  EXPECT_EQ(contract::queryOne(*reader, 2).status, kUserStatusOffline);
  EXPECT_EQ(reader->countOnlineUsers().value(), 1);
  auto listed = reader->listOnline(0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].user_id, 1);

  // b keeps heartbeating, a went silent: after ttl + 1 s a's devices count as gone.
  env_.clock().advance((kTtlSeconds + 2) * 1000);
  const SessionRefreshReport report = b->refreshLocalSessions();
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  one = queryOne(1);
  ASSERT_EQ(one.devices.size(), 1u);
  EXPECT_EQ(one.devices[0].node_id, "b");
  EXPECT_EQ(queryOne(2).status, kUserStatusOffline);
  EXPECT_EQ(registry_->countOnlineUsers().value(), 1);
}

TEST_P(RedisSessionRegistryTest, RefreshSetsTheTtlAndWritesBackWhatAFlushLost) {
  const std::vector<int64_t> users{1, 2, 3, 40, 500, 6000, 70000, 800000, 9000000, 10, 11, 12};
  for (const int64_t user : users) registerOk(user, kDesktop);
  registerOk(2, kAndroid, "n1", kAway);
  registerOk(3, kBrowser, "n2");  // another node's: not ours to write back
  ASSERT_EQ(registry_->setStatus(1, kBusy).value(), true);

  SessionRefreshReport report = registry_->refreshLocalSessions();
  EXPECT_EQ(report.users, users.size());
  EXPECT_EQ(report.reregistered_devices, 0u);
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  EXPECT_TRUE(report.taken_over.empty());
  for (const int64_t user : users) {
    EXPECT_GT(pttl(user), 0);
    EXPECT_LE(pttl(user), kTtlSeconds * 1000);
  }

  env_.deployment().flushAll();
  EXPECT_EQ(queryOne(1).status, kUserStatusOffline);
  report = registry_->refreshLocalSessions();
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  EXPECT_EQ(report.reregistered_devices, users.size() + 1);
  EXPECT_TRUE(report.taken_over.empty());

  for (const int64_t user : users) {
    const UserOnlineInfo info = queryOne(user);
    ASSERT_FALSE(info.devices.empty()) << user;
    EXPECT_EQ(info.devices[0].node_id, "n1");
    EXPECT_EQ(info.devices[0].login_date, 1000 + user);
    EXPECT_GT(pttl(user), 0);
  }
  EXPECT_EQ(queryOne(1).status, kBusy);
  EXPECT_EQ(queryOne(2).status, kAway);
  EXPECT_EQ(queryOne(2).devices.size(), 2u);
  EXPECT_EQ(queryOne(3).devices.size(), 1u);  // n2's browser stays lost
  EXPECT_EQ(registry_->countOnlineUsers().value(), static_cast<int64_t>(users.size()));

  // Nothing left to write back.
  report = registry_->refreshLocalSessions();
  EXPECT_EQ(report.reregistered_devices, 0u);
}

TEST_P(RedisSessionRegistryTest, RefreshReportsDevicesTakenOverWhileRedisHadLostThem) {
  auto a = makeRegistry("a");
  auto b = makeRegistry("b");
  contract::registerOk(*a, 1, kDesktop, "a", kUserStatusAvailable);
  contract::registerOk(*a, 1, kAndroid, "a", kUserStatusAvailable);
  contract::registerOk(*a, 2, kDesktop, "a", kUserStatusAvailable);
  env_.deployment().flushAll();
  contract::registerOk(*b, 1, kDesktop, "b", kBusy);  // a login on b while a's entry was lost

  const SessionRefreshReport report = a->refreshLocalSessions();
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  EXPECT_EQ(report.reregistered_devices, 2u);  // 1's android and 2's desktop
  ASSERT_EQ(report.taken_over.size(), 1u);
  EXPECT_EQ(report.taken_over[0], (std::pair<int64_t, DeviceType>{1, kDesktop}));

  const UserOnlineInfo info = queryOne(1);
  ASSERT_EQ(info.devices.size(), 2u);
  EXPECT_EQ(info.devices[0].node_id, "b");
  EXPECT_EQ(info.devices[1].node_id, "a");
  EXPECT_EQ(info.status, kBusy);
  EXPECT_EQ(a->localSessionCount(), 2u);
  // The taken-over device is no longer a's: the next refresh neither reports nor writes it.
  const SessionRefreshReport again = a->refreshLocalSessions();
  EXPECT_TRUE(again.taken_over.empty());
  EXPECT_EQ(queryOne(1).devices[0].node_id, "b");
}

// Redis came back with an older copy in which another node still held the device, from before
// this node's (newer) login took it over: the refresh must not close the newer session.
TEST_P(RedisSessionRegistryTest, AnOlderEntryOfAnotherNodeDoesNotTakeANewerSessionOver) {
  auto a = makeRegistry("a");
  auto b = makeRegistry("b");
  ASSERT_TRUE(b->registerDevice(1, kDesktop, kUserStatusAvailable, "b", 1000).ok());
  const std::string key = redis_keys::session(1);
  auto older = redis().commandSync(key, {"DUMP", key});
  ASSERT_TRUE(older.ok() && older->type == redis::RespType::kBulkString);
  ASSERT_TRUE(a->registerDevice(1, kDesktop, kUserStatusAvailable, "a", 2000).ok());
  ASSERT_TRUE(redis().commandSync(key, {"RESTORE", key, "0", older->str, "REPLACE"}).ok());

  const SessionRefreshReport report = a->refreshLocalSessions();
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  EXPECT_TRUE(report.taken_over.empty()) << "a newer session was closed for an older entry";
  const UserOnlineInfo info = queryOne(1);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].node_id, "a");
  EXPECT_EQ(info.devices[0].login_date, 2000);
}

TEST_P(RedisSessionRegistryTest, RefreshWritesBackAfterARestartWithoutPersistence) {
  for (int64_t user = 1; user <= 20; ++user) registerOk(user, kDesktop);
  env_.deployment().restartAll();

  SessionRefreshReport report;
  size_t reregistered = 0;
  // The first refreshes may fail while the connections are re-established.
  ASSERT_TRUE(testing::eventually([&] {
    report = registry_->refreshLocalSessions();
    reregistered += report.reregistered_devices;
    return report.failed_batches == 0;
  }));
  EXPECT_EQ(reregistered, 20u);
  for (int64_t user = 1; user <= 20; ++user) {
    EXPECT_EQ(queryOne(user).devices.size(), 1u) << user;
    EXPECT_GT(pttl(user), 0);
  }
}

TEST_P(RedisSessionRegistryTest, FailsFastWhileRedisIsDownAndWorksAfterwards) {
  registerOk(1, kDesktop);
  env_.deployment().stopAll();

  auto registered = registry_->registerDevice(2, kDesktop, kUserStatusAvailable, "n1", 1);
  ASSERT_FALSE(registered.ok());
  EXPECT_EQ(registered.status().code, StatusCode::kServerUnavailable);
  auto queried = registry_->query(std::vector<int64_t>{1});
  ASSERT_FALSE(queried.ok());
  EXPECT_EQ(queried.status().code, StatusCode::kServerUnavailable);
  EXPECT_FALSE(registry_->countOnlineUsers().ok());
  EXPECT_FALSE(registry_->listOnline(0, 10).ok());
  const SessionRefreshReport failed = registry_->refreshLocalSessions();
  EXPECT_GT(failed.failed_batches, 0u);
  EXPECT_FALSE(failed.first_error.empty());
  // Logging out while Redis is down still forgets the session locally.
  EXPECT_FALSE(registry_->unregisterDevice(1, kDesktop, "n1", 1001).ok());
  EXPECT_EQ(registry_->localSessionCount(), 0u);

  env_.deployment().startAll();
  ASSERT_TRUE(testing::eventually(
      [&] { return registry_->registerDevice(2, kDesktop, kUserStatusAvailable, "n1", 1).ok(); }));
  EXPECT_EQ(queryOne(2).devices.size(), 1u);
  EXPECT_EQ(queryOne(1).devices.size(), 0u);
}

// --- Exact presence ---

// A logout while a refresh that still listed the session is in flight: the refresh writes the
// session back (Redis had lost it), and it must not stay online.
TEST_P(RedisSessionRegistryTest, ALogoutDuringARefreshIsNotWrittenBack) {
  std::unique_ptr<RedisSessionRegistry> node;
  node = env_.makeRedisRegistry("a", {}, [&] {
    // After the snapshot, before the refresh's script: the user logs out.
    ASSERT_TRUE(node->unregisterDevice(1, kDesktop, "a", 1001).ok());
  });
  contract::registerOk(*node, 1, kDesktop, "a", kUserStatusAvailable);
  contract::registerOk(*node, 2, kDesktop, "a", kUserStatusAvailable);
  env_.deployment().flushAll();  // so that the refresh writes back what it listed

  const SessionRefreshReport report = node->refreshLocalSessions();
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  EXPECT_EQ(report.undone_write_backs, 1u);
  EXPECT_TRUE(queryOne(1).devices.empty()) << "the logged-out session is online again";
  EXPECT_EQ(queryOne(2).devices.size(), 1u);
  EXPECT_EQ(pttl(1), -2);
}

// A process of node "a" crashed with sessions registered; the next process of "a" must not let
// them look online, even for a user who logs in on it again with another device (whose refresh
// renews the node's heartbeat in that user's hash).
TEST_P(RedisSessionRegistryTest, EntriesOfAnEarlierProcessWithTheSameNodeIdAreRemoved) {
  {
    auto crashed = makeRegistry("a");
    contract::registerOk(*crashed, 1, kDesktop, "a", kUserStatusAvailable);
    contract::registerOk(*crashed, 2, kDesktop, "a", kUserStatusAvailable);
    contract::registerOk(*crashed, 3, kAndroid, "a", kUserStatusAvailable);
  }                               // gone without unregistering
  registerOk(3, kBrowser, "n1");  // another node's device of user 3 stays

  auto restarted = makeRegistry("a");
  auto removed = restarted->removeEntriesOfEarlierProcess();
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(*removed, 3u);
  EXPECT_TRUE(queryOne(1).devices.empty());
  EXPECT_EQ(pttl(2), -2);
  ASSERT_EQ(queryOne(3).devices.size(), 1u);
  EXPECT_EQ(queryOne(3).devices[0].node_id, "n1");
}

TEST_P(RedisSessionRegistryTest, ARefreshRemovesDevicesOfItsNodeThatItDoesNotHold) {
  {
    auto crashed = makeRegistry("a");
    contract::registerOk(*crashed, 1, kDesktop, "a", kUserStatusAvailable);
  }
  // The same node id again, without the start-up clean-up: user 1 logs in with another device.
  auto restarted = makeRegistry("a");
  ASSERT_TRUE(
      restarted->registerDevice(1, kAndroid, kUserStatusAvailable, "a", env_.clock().nowMillis())
          .ok());
  // Registered long before this refresh's snapshot, and not held: a ghost.
  const SessionRefreshReport report = restarted->refreshLocalSessions();
  EXPECT_EQ(report.failed_batches, 0u) << report.first_error;
  EXPECT_EQ(report.removed_ghosts, 1u);
  const UserOnlineInfo info = queryOne(1);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].device_type, kAndroid);
}

TEST_P(RedisSessionRegistryTest, AFailedRegistrationLeavesNothingOnline) {
  registerOk(1, kDesktop);
  env_.deployment().stopAll();
  EXPECT_FALSE(registry_->registerDevice(2, kDesktop, kUserStatusAvailable, "n1", 5).ok());
  env_.deployment().startAll();
  // Whatever the failed call left, the refreshes mend it: user 1 back, user 2 never online.
  ASSERT_TRUE(testing::eventually([&] {
    const SessionRefreshReport report = registry_->refreshLocalSessions();
    return report.failed_batches == 0 && queryOne(1).devices.size() == 1;
  }));
  EXPECT_TRUE(queryOne(2).devices.empty());
  EXPECT_EQ(registry_->localSessionCount(), 1u);
}

// --- Lookups right after Redis lost data ---

TEST_P(RedisSessionRegistryTest, LookupsSayWhenTheirBatchLostEntriesMomentsAgo) {
  registerOk(1, kDesktop);
  // A fresh deployment has no marker yet: its first lookups cannot rule a loss out.
  EXPECT_TRUE(queryOne(1).may_be_incomplete);
  ASSERT_TRUE(testing::eventually([&] { return !queryOne(1).may_be_incomplete; }));

  env_.deployment().flushAll();
  EXPECT_TRUE(queryOne(1).may_be_incomplete) << "a lookup right after FLUSHALL trusts it";
  EXPECT_TRUE(queryOne(7).may_be_incomplete);
  ASSERT_TRUE(testing::eventually([&] { return !queryOne(1).may_be_incomplete; }));

  // An older copy of the data (a restart from an older AOF, a lagging replica promoted): its
  // marker names another server process.
  for (const auto& server : redis().commandOnEveryServerSync({"KEYS", "im:sess-mark*"})) {
    ASSERT_TRUE(server.reply.ok());
    for (const auto& key : server.reply->elements) {
      // Sent to every server: the one holding the key takes it (a Cluster's others answer MOVED).
      redis().commandOnEveryServerSync({"HSET", key.str, "server", "older"});
    }
  }
  EXPECT_TRUE(queryOne(1).may_be_incomplete);
}

// Redis may stay unusable well past the window after it lost the entries (a Cluster restarting
// its primaries one by one): lookups keep flagging the batch until every live node has written its
// sessions back since the loss, as membership tells.
TEST_P(RedisSessionRegistryTest, PastTheWindowABatchStaysFlaggedUntilEveryNodeWroteBack) {
  const auto wallMillis = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::atomic<int64_t> written_at{wallMillis()};  // when the slowest node last wrote back
  auto registry = env_.makeRedisRegistry("n1", {}, {},
                                         [&](int64_t since) { return written_at.load() >= since; });
  const auto flagged = [&] { return contract::queryOne(*registry, 1).may_be_incomplete; };
  contract::registerOk(*registry, 1, kDesktop, "n1", kUserStatusAvailable);
  ASSERT_TRUE(testing::eventually([&] {
    written_at = wallMillis();
    return !flagged();
  }));

  written_at = wallMillis() - 1;  // strictly before the loss, even within the same millisecond
  env_.deployment().flushAll();
  EXPECT_TRUE(flagged());
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * kHealWindowMillis));
  EXPECT_TRUE(flagged()) << "the window is over, but not every node has written back";
  written_at = wallMillis() + 1;  // the last node's refresh, after the loss
  EXPECT_FALSE(flagged());
}

INSTANTIATE_TEST_SUITE_P(Topologies, RedisSessionRegistryTest,
                         ::testing::ValuesIn(testing::testTopologies()), testing::topologyName);

}  // namespace
}  // namespace parley
