// RedisSessionRegistry against real redis-server processes (ctest label `redis`), on every
// topology: the in-process registry's expectations, several nodes sharing one Redis, and
// self-healing after Redis lost its data.
#include "cluster/redis_session_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cluster/redis_keys.h"
#include "cluster/redis_test_deployment.h"
#include "testing/manual_clock.h"

namespace parley {
namespace {

using testing::RedisTestDeployment;
using testing::TestTopology;

constexpr DeviceType kDesktop = 0;
constexpr DeviceType kBrowser = 1;
constexpr DeviceType kAndroid = 3;
constexpr UserStatus kBusy = 3;
constexpr UserStatus kAway = 5;
constexpr int kTtlSeconds = 180;

class RedisSessionRegistryTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.ok()); }

  std::unique_ptr<RedisSessionRegistry> makeRegistry(
      const std::string& node_id, std::function<bool(std::string_view)> alive = {}) {
    RedisSessionRegistryOptions options;
    options.node_id = node_id;
    options.session_ttl_seconds = kTtlSeconds;
    options.refresh_batch_size = 7;  // several calls per batch even with few users
    options.is_node_alive = std::move(alive);
    return std::make_unique<RedisSessionRegistry>(env_.redis(), options, clock_);
  }

  UserOnlineInfo queryOne(int64_t user_id, SessionRegistry* registry = nullptr) {
    const std::vector<int64_t> ids{user_id};
    auto result = (registry ? registry : registry_.get())->query(ids);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.status().reason);
    if (!result.ok() || result->size() != 1) return {};
    return result->at(0);
  }

  void registerOk(int64_t user_id, DeviceType device_type, const std::string& node_id = "n1",
                  UserStatus status = kUserStatusAvailable,
                  RedisSessionRegistry* registry = nullptr) {
    auto result = (registry ? registry : registry_.get())
                      ->registerDevice(user_id, device_type, status, node_id, 1000 + user_id);
    ASSERT_TRUE(result.ok()) << result.status().reason;
  }

  int64_t pttl(int64_t user_id) {
    const std::string key = redis_keys::session(user_id);
    auto reply = env_.redis().commandSync(key, {"PTTL", key});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply->integer : -3;
  }

  RedisTestDeployment env_{GetParam()};
  parley::testing::ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<RedisSessionRegistry> registry_ = makeRegistry("n1");
};

// --- The in-process registry's expectations (in_process_session_registry_test.cpp). ---

TEST_P(RedisSessionRegistryTest, FirstRegistrationReturnsNoPrevious) {
  auto result = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  ASSERT_TRUE(result.ok()) << result.status().reason;
  EXPECT_FALSE(result->has_value());

  const UserOnlineInfo info = queryOne(1);
  EXPECT_EQ(info.user_id, 1);
  EXPECT_EQ(info.status, kUserStatusAvailable);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].device_type, kDesktop);
  EXPECT_EQ(info.devices[0].node_id, "n1");
  EXPECT_EQ(info.devices[0].login_date, 1000);
  EXPECT_EQ(registry_->localSessionCount(), 1u);
}

TEST_P(RedisSessionRegistryTest, SameDeviceTypeReplacesAndReturnsPrevious) {
  ASSERT_TRUE(registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000).ok());
  auto result = registry_->registerDevice(1, kDesktop, kBusy, "n2", 2000);
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ((*result)->device_type, kDesktop);
  EXPECT_EQ((*result)->node_id, "n1");
  EXPECT_EQ((*result)->login_date, 1000);

  const UserOnlineInfo info = queryOne(1);
  EXPECT_EQ(info.status, kBusy);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].node_id, "n2");
  EXPECT_EQ(info.devices[0].login_date, 2000);
  // n1 lost its only device: its heartbeat field is not left behind, nor its local entry.
  const std::string key = redis_keys::session(1);
  auto n1 = env_.redis().commandSync(key, {"HEXISTS", key, "n1"});
  ASSERT_TRUE(n1.ok());
  EXPECT_EQ(n1->integer, 0);
  EXPECT_EQ(registry_->localSessionCount(), 0u);
}

TEST_P(RedisSessionRegistryTest, DifferentDeviceTypesCoexistInTypeOrder) {
  registerOk(1, kAndroid, "n2");
  auto result = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->has_value());

  const UserOnlineInfo info = queryOne(1);
  ASSERT_EQ(info.devices.size(), 2u);
  EXPECT_EQ(info.devices[0].device_type, kDesktop);
  EXPECT_EQ(info.devices[1].device_type, kAndroid);
  EXPECT_EQ(info.devices[1].node_id, "n2");
}

TEST_P(RedisSessionRegistryTest, UnregisterOnlyByOwningNode) {
  registerOk(1, kDesktop, "n1");
  registerOk(1, kDesktop, "n2");  // a newer login elsewhere

  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1").ok());
  ASSERT_EQ(queryOne(1).devices.size(), 1u);
  EXPECT_EQ(queryOne(1).devices[0].node_id, "n2");

  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n2").ok());
  EXPECT_TRUE(queryOne(1).devices.empty());
  EXPECT_EQ(queryOne(1).status, kUserStatusOffline);
  // The last device took the whole hash with it.
  EXPECT_EQ(pttl(1), -2);
}

TEST_P(RedisSessionRegistryTest, UnregisterUnknownIsHarmless) {
  EXPECT_TRUE(registry_->unregisterDevice(42, kDesktop, "n1").ok());
  registerOk(1, kDesktop);
  EXPECT_TRUE(registry_->unregisterDevice(1, kBrowser, "n1").ok());
  EXPECT_EQ(queryOne(1).devices.size(), 1u);
}

TEST_P(RedisSessionRegistryTest, StatusIsKeptWhileOnlineAndForgottenAfterLastDevice) {
  registerOk(1, kDesktop);
  registerOk(1, kBrowser);
  auto set = registry_->setStatus(1, kAway);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(*set);
  EXPECT_EQ(queryOne(1).status, kAway);

  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1").ok());
  EXPECT_EQ(queryOne(1).status, kAway);

  ASSERT_TRUE(registry_->unregisterDevice(1, kBrowser, "n1").ok());
  EXPECT_EQ(queryOne(1).status, kUserStatusOffline);

  registerOk(1, kDesktop);
  EXPECT_EQ(queryOne(1).status, kUserStatusAvailable);
}

TEST_P(RedisSessionRegistryTest, SetStatusOfOfflineUserReturnsFalse) {
  auto set = registry_->setStatus(7, kBusy);
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(*set);
  EXPECT_EQ(queryOne(7).status, kUserStatusOffline);
  EXPECT_EQ(pttl(7), -2);  // no hash was created
}

TEST_P(RedisSessionRegistryTest, RejectsInvalidValues) {
  auto offline = registry_->registerDevice(1, kDesktop, kUserStatusOffline, "n1", 0);
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.status().code, StatusCode::kIllegalArgument);
  EXPECT_FALSE(registry_->registerDevice(1, 6, kUserStatusAvailable, "n1", 0).ok());
  EXPECT_FALSE(registry_->registerDevice(1, -1, kUserStatusAvailable, "n1", 0).ok());
  EXPECT_FALSE(registry_->registerDevice(1, kDesktop, 7, "n1", 0).ok());
  for (const char* node : {"", "$", "12", "3:t", "a,b"}) {
    auto bad = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, node, 0);
    ASSERT_FALSE(bad.ok()) << node;
    EXPECT_EQ(bad.status().code, StatusCode::kIllegalArgument);
  }
  EXPECT_EQ(registry_->countOnlineUsers().value(), 0);

  registerOk(1, kDesktop);
  auto set = registry_->setStatus(1, kUserStatusOffline);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code, StatusCode::kIllegalArgument);
  EXPECT_EQ(queryOne(1).status, kUserStatusAvailable);
}

TEST_P(RedisSessionRegistryTest, QueryKeepsRequestOrderAndReportsOfflineUsers) {
  registerOk(2, kDesktop);
  const std::vector<int64_t> ids{3, 2, 1};
  auto result = registry_->query(ids);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].user_id, 3);
  EXPECT_EQ((*result)[0].status, kUserStatusOffline);
  EXPECT_TRUE((*result)[0].devices.empty());
  EXPECT_EQ((*result)[1].user_id, 2);
  EXPECT_EQ((*result)[1].devices.size(), 1u);
  EXPECT_EQ((*result)[2].user_id, 1);
  EXPECT_EQ((*result)[2].status, kUserStatusOffline);

  auto empty = registry_->query({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(RedisSessionRegistryTest, ListOnlinePagesInIdOrder) {
  for (const int64_t id : {50, 10, 40, 20, 30}) registerOk(id, kDesktop);
  ASSERT_TRUE(registry_->unregisterDevice(40, kDesktop, "n1").ok());

  std::vector<int64_t> seen;
  int64_t after = 0;
  int pages = 0;
  while (pages < 10) {
    auto page = registry_->listOnline(after, 2);
    ASSERT_TRUE(page.ok()) << page.status().reason;
    if (page->empty()) break;
    ++pages;
    EXPECT_LE(page->size(), 2u);
    for (const UserOnlineInfo& info : *page) {
      EXPECT_FALSE(info.devices.empty());
      seen.push_back(info.user_id);
    }
    after = page->back().user_id;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{10, 20, 30, 50}));
  EXPECT_EQ(pages, 2);

  auto after_30 = registry_->listOnline(30, 10);
  ASSERT_TRUE(after_30.ok());
  ASSERT_EQ(after_30->size(), 1u);
  EXPECT_EQ((*after_30)[0].user_id, 50);

  auto none = registry_->listOnline(0, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(RedisSessionRegistryTest, CountsUsersNotDevices) {
  EXPECT_EQ(registry_->countOnlineUsers().value(), 0);
  registerOk(1, kDesktop);
  registerOk(1, kAndroid);
  registerOk(2, kBrowser);
  EXPECT_EQ(registry_->countOnlineUsers().value(), 2);
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1").ok());
  EXPECT_EQ(registry_->countOnlineUsers().value(), 2);
  ASSERT_TRUE(registry_->unregisterDevice(1, kAndroid, "n1").ok());
  EXPECT_EQ(registry_->countOnlineUsers().value(), 1);
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
    registerOk(user, kDesktop, "dead", kUserStatusAvailable, dead.get());
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
    ASSERT_TRUE(env_.redis().commandSync(key, {"SET", key, "1"}).ok()) << key;
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
  ASSERT_TRUE(previous->has_value());
  EXPECT_EQ((*previous)->node_id, "a");
  EXPECT_EQ((*previous)->login_date, 100);

  // a closes its (kicked) session: that must not remove b's login.
  ASSERT_TRUE(a->unregisterDevice(1, kDesktop, "a").ok());
  const UserOnlineInfo info = queryOne(1, a.get());
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
  registerOk(1, kDesktop, "a", kAway, a.get());
  registerOk(1, kAndroid, "b", kAway, b.get());
  registerOk(2, kDesktop, "a", kUserStatusAvailable, a.get());

  auto reader = makeRegistry("r", [](std::string_view node) { return node != "a"; });
  UserOnlineInfo one = queryOne(1, reader.get());
  ASSERT_EQ(one.devices.size(), 1u);
  EXPECT_EQ(one.devices[0].node_id, "b");
  EXPECT_EQ(one.status, kAway);
  EXPECT_EQ(queryOne(2, reader.get()).status, kUserStatusOffline);
  EXPECT_EQ(reader->countOnlineUsers().value(), 1);
  auto listed = reader->listOnline(0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].user_id, 1);

  // b keeps heartbeating, a went silent: after ttl + 1 s a's devices count as gone.
  clock_.advance((kTtlSeconds + 2) * 1000);
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

  env_.flushAll();
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
  registerOk(1, kDesktop, "a", kUserStatusAvailable, a.get());
  registerOk(1, kAndroid, "a", kUserStatusAvailable, a.get());
  registerOk(2, kDesktop, "a", kUserStatusAvailable, a.get());
  env_.flushAll();
  registerOk(1, kDesktop, "b", kBusy, b.get());  // a login on b while a's entry was lost

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

TEST_P(RedisSessionRegistryTest, RefreshWritesBackAfterARestartWithoutPersistence) {
  for (int64_t user = 1; user <= 20; ++user) registerOk(user, kDesktop);
  env_.restartAll();

  SessionRefreshReport report;
  size_t reregistered = 0;
  // The first refreshes may fail while the connections are re-established.
  ASSERT_TRUE(RedisTestDeployment::eventually([&] {
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
  env_.stopAll();

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
  EXPECT_FALSE(registry_->unregisterDevice(1, kDesktop, "n1").ok());
  EXPECT_EQ(registry_->localSessionCount(), 0u);

  env_.startAll();
  ASSERT_TRUE(RedisTestDeployment::eventually(
      [&] { return registry_->registerDevice(2, kDesktop, kUserStatusAvailable, "n1", 1).ok(); }));
  EXPECT_EQ(queryOne(2).devices.size(), 1u);
  EXPECT_EQ(queryOne(1).devices.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Topologies, RedisSessionRegistryTest,
                         ::testing::ValuesIn(testing::testTopologies()), testing::topologyName);

}  // namespace
}  // namespace parley
