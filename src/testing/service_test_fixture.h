#pragma once
// The socket-free handler fixture (STYLE.md rule 6): the real Dispatcher over a real SQLite store
// in a temp dir, with time, ids and sessions under the test's control. A domain's test derives
// from it, registers its handlers with deps() and seeds what it needs.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/password_hasher.h"
#include "core/snowflake.h"
#include "online/session_registry.h"
#include "online/user_locations.h"
#include "service/dispatcher.h"
#include "service/group/group_types.h"
#include "service/request_context.h"
#include "service/service_deps.h"
#include "store/store.h"
#include "testing/manual_clock.h"
#include "testing/recording_session_control.h"
#include "testing/sqlite_store_test_env.h"

namespace parley::testing {

class ServiceTestFixture : public ::testing::Test {
 protected:
  // The store is open from construction on; the clock starts at start_millis.
  explicit ServiceTestFixture(int64_t start_millis);

  static constexpr int64_t kLoginDate = 1'000;

  // What handlers get: the fixture's parts over `store` (the fixture's own store by default).
  ServiceDeps deps(Store& store);
  ServiceDeps deps() { return deps(*store_); }

  // Closes the store and opens it again on the same data, as a restart would. Handlers registered
  // before hold the closed store and must be registered again.
  void reopenStore();

  // What the gateway hands a handler for user_id's session on device type 1, logged in at
  // kLoginDate, at the clock's time.
  RequestContext context(int64_t user_id, int64_t request_id) const;
  // Dispatches as user_id under the request's own id.
  HandlerResult dispatch(int64_t user_id, const TurmsRequest& request);

  // An active user named "user-<id>", registered and last updated now.
  UserRecord userRecord(int64_t id) const;
  void addUser(const UserRecord& user);
  // Stores group_id, created now and owned by `owner`, with members (user id, role) joined now.
  void addGroup(int64_t group_id, int64_t owner,
                const std::vector<std::pair<int64_t, int32_t>>& members);

  // Changes a stored group type and drops the cached copy, so the next request sees the change.
  void updateGroupType(int64_t type_id, const GroupTypeUpdate& update);

  // The result is pushed only to the requester's other sessions.
  static void expectSelfPushOnly(const HandlerResult& result);

  ManualClock clock_;
  SqliteStoreTestEnv store_env_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SessionRegistry> sessions_;
  RecordingSessionControl control_;
  std::unique_ptr<UserLocations> locations_;
  SnowflakeIdGenerator ids_;
  PasswordHasher hasher_;
  // Read live through deps(), so a test may change it after registering handlers.
  MessageConfig message_config_;
  GroupConfig group_config_;
  // Over the fixture's store; reopenStore() makes a new one.
  std::unique_ptr<GroupTypes> group_types_;
  FriendRequestConfig friend_request_config_;
  UserConfig user_config_;
  LocationConfig location_config_;
  Dispatcher dispatcher_;
};

}  // namespace parley::testing
