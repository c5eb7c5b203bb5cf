#pragma once
// The behaviour every SessionRegistry must have, as one value-parameterized GoogleTest suite.
// An implementation's test file includes this header once and instantiates the suite with a
// factory of registries, e.g.
//   INSTANTIATE_TEST_SUITE_P(InProcess, SessionRegistryContractTest,
//                            ::testing::Values(SessionRegistryContractParam{"in_process", make}),
//                            sessionRegistryContractName);
// Cases that only one implementation can have (several nodes, Redis losing its data) stay in that
// implementation's test file; the helpers below serve them too.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "online/session_registry.h"

namespace parley::contract {

constexpr DeviceType kDesktop = 0;
constexpr DeviceType kBrowser = 1;
constexpr DeviceType kAndroid = 3;
constexpr UserStatus kBusy = 3;
constexpr UserStatus kAway = 5;

// Where an implementation's registries live (nothing, or Redis servers of their own). Destroyed
// after every registry it made.
class SessionRegistryTestEnv {
 public:
  virtual ~SessionRegistryTestEnv() = default;
  // A registry acting for node_id; nullptr when the environment could not be set up.
  virtual std::unique_ptr<SessionRegistry> makeRegistry(const std::string& node_id) = 0;
};

struct SessionRegistryContractParam {
  std::string name;  // test name suffix: letters, digits and '_' only
  std::function<std::unique_ptr<SessionRegistryTestEnv>()> make_env;  // fresh and empty each call
};

// Failure messages name the implementation instead of dumping the struct's bytes.
inline void PrintTo(const SessionRegistryContractParam& param, std::ostream* os) {
  *os << param.name;
}

inline std::string sessionRegistryContractName(
    const ::testing::TestParamInfo<SessionRegistryContractParam>& info) {
  return info.param.name;
}

// The one online entry of user_id, or an empty one after recording a failure.
inline UserOnlineInfo queryOne(SessionRegistry& registry, int64_t user_id) {
  const std::vector<int64_t> ids{user_id};
  auto result = registry.query(ids);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.status().reason);
  if (!result.ok() || result->size() != 1) return {};
  return result->at(0);
}

// Registers with login date 1000 + user_id.
inline void registerOk(SessionRegistry& registry, int64_t user_id, DeviceType device_type,
                       const std::string& node_id = "n1",
                       UserStatus status = kUserStatusAvailable) {
  auto result = registry.registerDevice(user_id, device_type, status, node_id, 1000 + user_id);
  ASSERT_TRUE(result.ok()) << result.status().reason;
}

class SessionRegistryContractTest : public ::testing::TestWithParam<SessionRegistryContractParam> {
 protected:
  void SetUp() override {
    env_ = GetParam().make_env();
    ASSERT_NE(env_, nullptr);
    registry_ = env_->makeRegistry("n1");
    ASSERT_NE(registry_, nullptr);
  }

  // The registry goes before its environment.
  void TearDown() override {
    registry_.reset();
    env_.reset();
  }

  UserOnlineInfo queryOne(int64_t user_id) { return contract::queryOne(*registry_, user_id); }

  void registerOk(int64_t user_id, DeviceType device_type, const std::string& node_id = "n1",
                  UserStatus status = kUserStatusAvailable) {
    contract::registerOk(*registry_, user_id, device_type, node_id, status);
  }

  std::unique_ptr<SessionRegistryTestEnv> env_;
  std::unique_ptr<SessionRegistry> registry_;
};

TEST_P(SessionRegistryContractTest, FirstRegistrationReturnsNoPrevious) {
  auto result = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  ASSERT_TRUE(result.ok()) << result.status().reason;
  EXPECT_FALSE(result->previous.has_value());
  EXPECT_EQ(result->login_date, 1000);

  const UserOnlineInfo info = queryOne(1);
  EXPECT_EQ(info.user_id, 1);
  EXPECT_EQ(info.status, kUserStatusAvailable);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].device_type, kDesktop);
  EXPECT_EQ(info.devices[0].node_id, "n1");
  EXPECT_EQ(info.devices[0].login_date, 1000);
}

TEST_P(SessionRegistryContractTest, SameDeviceTypeReplacesAndReturnsPrevious) {
  ASSERT_TRUE(registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000).ok());
  auto result = registry_->registerDevice(1, kDesktop, kBusy, "n2", 2000);
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->previous.has_value());
  EXPECT_EQ(result->previous->device_type, kDesktop);
  EXPECT_EQ(result->previous->node_id, "n1");
  EXPECT_EQ(result->previous->login_date, 1000);

  const UserOnlineInfo info = queryOne(1);
  EXPECT_EQ(info.status, kBusy);
  ASSERT_EQ(info.devices.size(), 1u);
  EXPECT_EQ(info.devices[0].node_id, "n2");
  EXPECT_EQ(info.devices[0].login_date, 2000);
}

TEST_P(SessionRegistryContractTest, DifferentDeviceTypesCoexistInTypeOrder) {
  registerOk(1, kAndroid, "n2");
  auto result = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->previous.has_value());

  const UserOnlineInfo info = queryOne(1);
  ASSERT_EQ(info.devices.size(), 2u);
  EXPECT_EQ(info.devices[0].device_type, kDesktop);
  EXPECT_EQ(info.devices[1].device_type, kAndroid);
  EXPECT_EQ(info.devices[1].node_id, "n2");
}

TEST_P(SessionRegistryContractTest, UnregisterOnlyByOwningNode) {
  registerOk(1, kDesktop, "n1");
  registerOk(1, kDesktop, "n2");  // a newer login elsewhere

  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", 1001).ok());
  ASSERT_EQ(queryOne(1).devices.size(), 1u);
  EXPECT_EQ(queryOne(1).devices[0].node_id, "n2");

  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n2", 1001).ok());
  EXPECT_TRUE(queryOne(1).devices.empty());
  EXPECT_EQ(queryOne(1).status, kUserStatusOffline);
}

// A session is told apart from its successor on the same device type by its login date: the
// late removal of the first (its connection closed after the second logged in) keeps the second.
TEST_P(SessionRegistryContractTest, UnregisterRemovesOnlyItsOwnSession) {
  auto first = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  auto second = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 2000);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second->previous->login_date, 1000);
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", 1000).ok());
  ASSERT_EQ(queryOne(1).devices.size(), 1u);
  EXPECT_EQ(queryOne(1).devices[0].login_date, 2000);
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", 2000).ok());
  EXPECT_TRUE(queryOne(1).devices.empty());
}

TEST_P(SessionRegistryContractTest, LoginsInTheSameMillisecondGetDistinctDates) {
  auto first = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  auto second = registry_->registerDevice(1, kDesktop, kUserStatusAvailable, "n1", 1000);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->login_date, 1000);
  EXPECT_GT(second->login_date, first->login_date);
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", first->login_date).ok());
  ASSERT_EQ(queryOne(1).devices.size(), 1u) << "the removal of the first took the second";
  EXPECT_EQ(queryOne(1).devices[0].login_date, second->login_date);
}

TEST_P(SessionRegistryContractTest, UnregisterUnknownIsHarmless) {
  EXPECT_TRUE(registry_->unregisterDevice(42, kDesktop, "n1", 1042).ok());
  registerOk(1, kDesktop);
  EXPECT_TRUE(registry_->unregisterDevice(1, kBrowser, "n1", 1001).ok());
  EXPECT_EQ(queryOne(1).devices.size(), 1u);
}

TEST_P(SessionRegistryContractTest, StatusIsKeptWhileOnlineAndForgottenAfterLastDevice) {
  registerOk(1, kDesktop);
  registerOk(1, kBrowser);
  auto set = registry_->setStatus(1, kAway);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(*set);
  EXPECT_EQ(queryOne(1).status, kAway);

  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", 1001).ok());
  EXPECT_EQ(queryOne(1).status, kAway);

  ASSERT_TRUE(registry_->unregisterDevice(1, kBrowser, "n1", 1001).ok());
  EXPECT_EQ(queryOne(1).status, kUserStatusOffline);

  // A new login starts from the status it carries, not the one from before.
  registerOk(1, kDesktop);
  EXPECT_EQ(queryOne(1).status, kUserStatusAvailable);
}

TEST_P(SessionRegistryContractTest, SetStatusOfOfflineUserReturnsFalse) {
  auto set = registry_->setStatus(7, kBusy);
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(*set);
  EXPECT_EQ(queryOne(7).status, kUserStatusOffline);
}

TEST_P(SessionRegistryContractTest, RejectsInvalidValues) {
  auto offline = registry_->registerDevice(1, kDesktop, kUserStatusOffline, "n1", 0);
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.status().code, StatusCode::kIllegalArgument);
  EXPECT_FALSE(registry_->registerDevice(1, 6, kUserStatusAvailable, "n1", 0).ok());
  EXPECT_FALSE(registry_->registerDevice(1, -1, kUserStatusAvailable, "n1", 0).ok());
  EXPECT_FALSE(registry_->registerDevice(1, kDesktop, 7, "n1", 0).ok());
  EXPECT_EQ(registry_->countOnlineUsers().value(), 0);

  registerOk(1, kDesktop);
  auto set = registry_->setStatus(1, kUserStatusOffline);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code, StatusCode::kIllegalArgument);
  EXPECT_EQ(queryOne(1).status, kUserStatusAvailable);
}

TEST_P(SessionRegistryContractTest, QueryKeepsRequestOrderAndReportsOfflineUsers) {
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

TEST_P(SessionRegistryContractTest, ListOnlinePagesInIdOrder) {
  for (const int64_t id : {50, 10, 40, 20, 30}) registerOk(id, kDesktop);
  ASSERT_TRUE(registry_->unregisterDevice(40, kDesktop, "n1", 1040).ok());

  std::vector<int64_t> seen;
  int64_t after = 0;
  int pages = 0;
  while (pages < 10) {  // bounded: a registry that never returns an empty page fails, not hangs
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

TEST_P(SessionRegistryContractTest, CountsUsersNotDevices) {
  EXPECT_EQ(registry_->countOnlineUsers().value(), 0);
  registerOk(1, kDesktop);
  registerOk(1, kAndroid);
  registerOk(2, kBrowser);
  EXPECT_EQ(registry_->countOnlineUsers().value(), 2);
  ASSERT_TRUE(registry_->unregisterDevice(1, kDesktop, "n1", 1001).ok());
  EXPECT_EQ(registry_->countOnlineUsers().value(), 2);
  ASSERT_TRUE(registry_->unregisterDevice(1, kAndroid, "n1", 1001).ok());
  EXPECT_EQ(registry_->countOnlineUsers().value(), 1);
}

}  // namespace parley::contract
