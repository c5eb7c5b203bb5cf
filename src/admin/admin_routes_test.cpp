#include "admin/admin_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "online/session_registry.h"
#include "store/user_repository.h"
#include "testing/fast_password_hasher.h"
#include "testing/manual_clock.h"

namespace parley {
namespace {

namespace json = boost::json;

constexpr int64_t kStartMillis = 1'750'000'000'000;

// In-memory UserRepository with the interface's documented semantics; fail_all makes every call
// return a storage error.
class FakeUserRepository final : public UserRepository {
 public:
  VoidResult insert(const UserRecord& user) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    if (users.contains(user.id)) return error(StatusCode::kRecordContainsDuplicateKey);
    users[user.id] = user;
    return {};
  }
  Result<int64_t> insertMany(std::span<const UserRecord> records) override {
    int64_t inserted = 0;
    for (const auto& user : records) {
      inserted += users.try_emplace(user.id, user).second ? 1 : 0;
    }
    return inserted;
  }
  Result<std::optional<UserRecord>> findById(int64_t id) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    auto it = users.find(id);
    return it == users.end() ? std::optional<UserRecord>() : std::optional(it->second);
  }
  Result<std::vector<UserRecord>> findByIds(std::span<const int64_t> ids) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    std::vector<UserRecord> found;
    for (int64_t id : ids) {
      if (auto it = users.find(id); it != users.end()) found.push_back(it->second);
    }
    return found;
  }
  Result<std::vector<UserRecord>> searchByName(const std::string& prefix, std::span<const int64_t>,
                                               int skip, int limit) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    std::vector<UserRecord> found;
    for (const auto& [id, user] : users) {
      if (!user.deletion_date && user.name.starts_with(prefix)) found.push_back(user);
    }
    std::sort(found.begin(), found.end(), [](const UserRecord& a, const UserRecord& b) {
      return std::tie(a.name, a.id) < std::tie(b.name, b.id);
    });
    found.erase(found.begin(), found.begin() + std::min<size_t>(skip, found.size()));
    if (found.size() > static_cast<size_t>(limit)) found.resize(limit);
    return found;
  }
  Result<std::vector<UserRecord>> list(int64_t after_id, int limit) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    std::vector<UserRecord> found;
    for (auto it = users.upper_bound(after_id);
         it != users.end() && static_cast<int>(found.size()) < limit; ++it) {
      if (!it->second.deletion_date) found.push_back(it->second);
    }
    return found;
  }
  Result<int64_t> countActive() override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    int64_t count = 0;
    for (const auto& [id, user] : users) count += user.deletion_date ? 0 : 1;
    return count;
  }
  Result<bool> update(int64_t id, const UserUpdate& update) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    auto it = users.find(id);
    if (it == users.end() || it->second.deletion_date) return false;
    UserRecord& user = it->second;
    if (update.password_hash) user.password_hash = *update.password_hash;
    if (update.name) user.name = *update.name;
    if (update.intro) user.intro = *update.intro;
    if (update.profile_picture) user.profile_picture = *update.profile_picture;
    if (update.profile_access_strategy) {
      user.profile_access_strategy = *update.profile_access_strategy;
    }
    if (update.permission_group_id) user.permission_group_id = *update.permission_group_id;
    if (update.is_active) user.is_active = *update.is_active;
    user.last_updated_date = update.last_updated_date;
    return true;
  }
  Result<bool> softDelete(int64_t id, int64_t now_millis) override {
    if (fail_all) return error(StatusCode::kServerInternalError, "disk on fire");
    auto it = users.find(id);
    if (it == users.end() || it->second.deletion_date) return false;
    it->second.deletion_date = now_millis;
    it->second.is_active = false;
    return true;
  }

  std::map<int64_t, UserRecord> users;
  bool fail_all = false;
};

class FakeSessionRegistry final : public SessionRegistry {
 public:
  Result<DeviceRegistration> registerDevice(int64_t user_id, DeviceType device_type,
                                            UserStatus status, const std::string& node_id,
                                            int64_t now_millis) override {
    UserOnlineInfo& info = online[user_id];
    info.user_id = user_id;
    info.status = status;
    info.devices.push_back({device_type, node_id, now_millis});
    return DeviceRegistration{std::nullopt, now_millis};
  }
  VoidResult unregisterDevice(int64_t, DeviceType, const std::string&, int64_t) override {
    return {};
  }
  Result<bool> setStatus(int64_t, UserStatus) override { return false; }
  Result<std::vector<UserOnlineInfo>> query(std::span<const int64_t> user_ids) override {
    std::vector<UserOnlineInfo> infos;
    for (int64_t id : user_ids) {
      auto it = online.find(id);
      infos.push_back(it != online.end() ? it->second : UserOnlineInfo{id, kUserStatusOffline, {}});
    }
    return infos;
  }
  Result<std::vector<UserOnlineInfo>> listOnline(int64_t after_user_id, int limit) override {
    std::vector<UserOnlineInfo> infos;
    for (auto it = online.upper_bound(after_user_id);
         it != online.end() && static_cast<int>(infos.size()) < limit; ++it) {
      infos.push_back(it->second);
    }
    return infos;
  }
  Result<int64_t> countOnlineUsers() override { return static_cast<int64_t>(online.size()); }

  std::map<int64_t, UserOnlineInfo> online;
};

constexpr char kPassword[] = "s3cret";
// base64("admin:s3cret")
constexpr char kBasicAuth[] = "Basic YWRtaW46czNjcmV0";

class AdminRoutesTest : public ::testing::Test {
 protected:
  AdminRoutesTest()
      : clock_(kStartMillis),
        hasher_(testing::fastPasswordHasherOptions(), clock_),
        metrics_("9.9.9"),
        routes_(AdminDeps{users_, sessions_, hasher_, metrics_, clock_, kPassword, "node-a",
                          [this] { return healthy_; },
                          [this](int64_t id) { disconnected_.push_back(id); }}) {}

  AdminResponse call(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::string& authorization = std::string("Bearer ") + kPassword) {
    AdminRequest request;
    EXPECT_TRUE(parseRequestTarget(target, request)) << target;
    request.method = method;
    if (!authorization.empty()) {
      request.headers["authorization"] = authorization;
    }
    request.body = body;
    return routes_.handle(request);
  }

  // The parsed body of a JSON response, asserting it is JSON.
  static json::value bodyOf(const AdminResponse& response) {
    EXPECT_EQ(response.content_type, "application/json");
    std::error_code ec;
    json::value value = json::parse(response.body, ec);
    EXPECT_FALSE(ec) << response.body;
    return value;
  }

  static int64_t codeOf(const AdminResponse& response) {
    return bodyOf(response).at("code").to_number<int64_t>();
  }

  static std::string reasonOf(const AdminResponse& response) {
    return std::string(bodyOf(response).at("reason").as_string());
  }

  static json::array dataArray(const AdminResponse& response) {
    return bodyOf(response).at("data").as_array();
  }

  testing::ManualClock clock_;
  FakeUserRepository users_;
  FakeSessionRegistry sessions_;
  PasswordHasher hasher_;
  Metrics metrics_;
  bool healthy_ = true;
  std::vector<int64_t> disconnected_;
  AdminRoutes routes_;
};

TEST_F(AdminRoutesTest, RepeatedWrongPasswordsMakeTheAddressWaitWith1304) {
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(call("GET", "/users/count", "", "Bearer wrong").status, 401) << i;
  }
  // Past five failures even the right password waits, so guessing cannot go on at speed.
  const AdminResponse refused = call("GET", "/users/count");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(codeOf(refused), 1304);
  EXPECT_NE(reasonOf(refused).find("try again in 1 s"), std::string::npos) << refused.body;
  // Requests without credentials are not failures, and public paths never wait.
  EXPECT_EQ(call("GET", "/health", "", "").status, 200);
  clock_.advance(1000);
  EXPECT_EQ(call("GET", "/users/count").status, 200);
  // The success forgot the failures: one more wrong password is free again.
  EXPECT_EQ(call("GET", "/users/count", "", "Bearer wrong").status, 401);
  EXPECT_EQ(call("GET", "/users/count").status, 200);
}

TEST_F(AdminRoutesTest, ConsoleNeedsNoAuthAndGetsItsSlash) {
  const AdminResponse redirect = call("GET", "/console", "", "");
  EXPECT_EQ(redirect.status, 301);
  ASSERT_EQ(redirect.headers.size(), 1u);
  EXPECT_EQ(redirect.headers[0], (std::pair<std::string, std::string>("Location", "/console/")));
  // No console_dir here: a plain 404 without credentials, not a 401.
  const AdminResponse unbuilt = call("GET", "/console/", "", "");
  EXPECT_EQ(unbuilt.status, 404);
  EXPECT_EQ(call("POST", "/console/", "", "").status, 405);
  // Only the /console/ tree: a path that merely starts with the word still needs credentials.
  EXPECT_EQ(call("GET", "/consoles", "", "").status, 401);
}

TEST_F(AdminRoutesTest, HealthNeedsNoAuthAndFollowsIsHealthy) {
  AdminResponse up = call("GET", "/health", "", "");
  EXPECT_EQ(up.status, 200);
  EXPECT_EQ(bodyOf(up), (json::value{{"status", "UP"}, {"node", "node-a"}}));
  healthy_ = false;
  AdminResponse down = call("GET", "/health", "", "");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(bodyOf(down).at("status"), "DOWN");
}

TEST_F(AdminRoutesTest, MetricsAreServedAsPrometheusText) {
  AdminResponse response = call("GET", "/metrics", "", "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(response.body.find("parley_build_info{version=\"9.9.9\"} 1"), std::string::npos);
}

TEST_F(AdminRoutesTest, UsersRequireCredentials) {
  AdminResponse none = call("GET", "/users", "", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(codeOf(none), 1106);
  ASSERT_EQ(none.headers.size(), 1u);
  EXPECT_EQ(none.headers[0].first, "WWW-Authenticate");
  EXPECT_NE(none.headers[0].second.find("Basic"), std::string::npos);

  // Each wrong one after enough quiet time that the failed-login throttle has forgotten the
  // last (RepeatedWrongPasswordsMakeTheAddressWaitWith1304 covers the throttle).
  auto wrong = [&](const std::string& authorization) {
    clock_.advance(10 * 60 * 1000);
    return call("GET", "/users", "", authorization).status;
  };
  EXPECT_EQ(wrong("Bearer wrong"), 401);
  EXPECT_EQ(wrong("Bearer s3cre"), 401);
  EXPECT_EQ(wrong("Bearer s3cret2"), 401);
  EXPECT_EQ(wrong("Basic YWRtaW46d3Jvbmc="), 401);  // admin:wrong
  EXPECT_EQ(wrong("Basic cm9vdDpzM2NyZXQ="), 401);  // root:s3cret
  EXPECT_EQ(wrong("Basic !!!"), 401);
  EXPECT_EQ(wrong(kPassword), 401);  // no scheme

  EXPECT_EQ(call("GET", "/users", "", kBasicAuth).status, 200);
  EXPECT_EQ(call("GET", "/users", "", "bearer s3cret").status, 200);  // schemes are case-blind
  EXPECT_EQ(call("GET", "/users").status, 200);
}

TEST_F(AdminRoutesTest, UnknownPathsAlsoNeedCredentials) {
  EXPECT_EQ(call("GET", "/nope", "", "").status, 401);
  AdminResponse missing = call("GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(codeOf(missing), 1100);
  AdminResponse wrong_method = call("PATCH", "/users");
  EXPECT_EQ(wrong_method.status, 405);
  ASSERT_EQ(wrong_method.headers.size(), 1u);
  EXPECT_EQ(wrong_method.headers[0].second, "POST, GET, PUT, DELETE");
}

TEST(AdminRoutesNoPasswordTest, EmptyAdminPasswordRefusesEverything) {
  testing::ManualClock clock(kStartMillis);
  FakeUserRepository users;
  FakeSessionRegistry sessions;
  PasswordHasher hasher(testing::fastPasswordHasherOptions(), clock);
  Metrics metrics;
  AdminRoutes routes(AdminDeps{users, sessions, hasher, metrics, clock, "", "n", {}, {}});
  AdminRequest request;
  ASSERT_TRUE(parseRequestTarget("/users", request));
  request.method = "GET";
  request.headers["authorization"] = "Bearer ";
  EXPECT_EQ(routes.handle(request).status, 401);
  request.headers["authorization"] = "Basic YWRtaW46";  // admin:
  EXPECT_EQ(routes.handle(request).status, 401);
  // /health still answers; no is_healthy callback means healthy.
  ASSERT_TRUE(parseRequestTarget("/health", request));
  EXPECT_EQ(routes.handle(request).status, 200);
}

TEST(AdminRoutesKickTest, OfflineStatusClosesTheNamedDevicesOnly) {
  testing::ManualClock clock(kStartMillis);
  FakeUserRepository users;
  FakeSessionRegistry sessions;
  PasswordHasher hasher(testing::fastPasswordHasherOptions(), clock);
  Metrics metrics;
  AdminDeps deps{users, sessions, hasher, metrics, clock, kPassword, "n", {}, {}};
  std::vector<std::pair<int64_t, std::vector<int32_t>>> kicked;
  deps.kick_sessions = [&](int64_t user_id, std::span<const int32_t> device_types) {
    kicked.emplace_back(user_id, std::vector<int32_t>(device_types.begin(), device_types.end()));
  };
  AdminRoutes routes(std::move(deps));
  auto put = [&](const std::string& target, const std::string& body) {
    AdminRequest request;
    EXPECT_TRUE(parseRequestTarget(target, request));
    request.method = "PUT";
    request.headers["authorization"] = std::string("Bearer ") + kPassword;
    request.body = body;
    return routes.handle(request);
  };

  EXPECT_EQ(put("/users/online-infos/statuses?ids=7,8", R"({"onlineStatus":"OFFLINE"})").status,
            200);
  EXPECT_EQ(put("/users/online-infos/statuses?ids=9&deviceTypes=ANDROID,BROWSER",
                R"({"onlineStatus":"OFFLINE"})")
                .status,
            200);
  const std::vector<std::pair<int64_t, std::vector<int32_t>>> expected = {
      {7, {}}, {8, {}}, {9, {3, 1}}};
  EXPECT_EQ(kicked, expected);

  // Nothing is closed for a status the admin cannot set, a bad device or no ids.
  EXPECT_EQ(put("/users/online-infos/statuses?ids=7", R"({"onlineStatus":"BUSY"})").status, 400);
  EXPECT_EQ(
      put("/users/online-infos/statuses?ids=7&deviceTypes=FRIDGE", R"({"onlineStatus":"OFFLINE"})")
          .status,
      400);
  EXPECT_EQ(put("/users/online-infos/statuses", R"({"onlineStatus":"OFFLINE"})").status, 400);
  EXPECT_EQ(kicked.size(), 3u);
}

TEST_F(AdminRoutesTest, UsersAreFoundByNamePrefix) {
  for (const char* body : {R"({"id": 1, "name": "bob"})", R"({"id": 2, "name": "alice"})",
                           R"({"id": 3, "name": "albert"})", R"({"id": 4, "name": "al"})"}) {
    ASSERT_EQ(call("POST", "/users", body).status, 200);
  }
  ASSERT_EQ(call("DELETE", "/users?ids=4").status, 200);
  const json::array found = dataArray(call("GET", "/users?name=al"));
  ASSERT_EQ(found.size(), 2u);  // ordered by name; the deleted "al" is not found
  EXPECT_EQ(found[0].at("name"), "albert");
  EXPECT_EQ(found[1].at("name"), "alice");
  EXPECT_EQ(dataArray(call("GET", "/users?name=al&size=1")).size(), 1u);
  EXPECT_EQ(call("GET", "/users?name=").status, 400);
}

TEST_F(AdminRoutesTest, CreateThenGet) {
  AdminResponse created = call("POST", "/users", R"({
      "id": 42, "password": "pw", "name": "alice", "intro": "hi", "profilePicture": "p.png",
      "profileAccessStrategy": "FRIENDS", "roleId": 3, "isActive": true})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(codeOf(created), 1000);
  const json::value data = bodyOf(created).at("data");
  EXPECT_EQ(data.at("id"), 42);
  EXPECT_EQ(data.at("name"), "alice");
  EXPECT_EQ(data.at("registrationDate"), clock_.nowMillis());

  ASSERT_TRUE(users_.users.contains(42));
  EXPECT_TRUE(hasher_.verify("pw", users_.users[42].password_hash));
  EXPECT_EQ(users_.users[42].profile_access_strategy, 2);
  EXPECT_EQ(users_.users[42].permission_group_id, 3);

  AdminResponse got = call("GET", "/users?ids=42");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body.find("password"), std::string::npos) << "hash leaked: " << got.body;
  EXPECT_EQ(got.body.find("$argon2"), std::string::npos) << "hash leaked: " << got.body;
  const json::array found = dataArray(got);
  ASSERT_EQ(found.size(), 1u);
  const json::value expected = {{"id", 42},
                                {"name", "alice"},
                                {"intro", "hi"},
                                {"profilePicture", "p.png"},
                                {"profileAccessStrategy", "FRIENDS"},
                                {"roleId", 3},
                                {"permissionGroupId", 3},
                                {"registrationDate", clock_.nowMillis()},
                                {"lastUpdatedDate", clock_.nowMillis()},
                                {"deletionDate", nullptr},
                                {"isActive", true}};
  EXPECT_EQ(found[0], expected);
}

TEST_F(AdminRoutesTest, CreateAcceptsNumericStrategyStringIdsAndDefaults) {
  AdminResponse created =
      call("POST", "/users", R"({"id": "9007199254740993", "profileAccessStrategy": 1})");
  ASSERT_EQ(created.status, 200) << created.body;
  const UserRecord& user = users_.users.at(9007199254740993);
  EXPECT_EQ(user.profile_access_strategy, 1);
  EXPECT_TRUE(user.password_hash.empty());
  EXPECT_TRUE(user.is_active);
  EXPECT_EQ(bodyOf(created).at("data").at("profileAccessStrategy"), "ALL_EXCEPT_BLOCKED_USERS");
}

TEST_F(AdminRoutesTest, CreateWithoutIdGeneratesDistinctIds) {
  AdminResponse first = call("POST", "/users", R"({"name": "a"})");
  AdminResponse second = call("POST", "/users", R"({"name": "b"})");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(second.status, 200) << second.body;
  const int64_t first_id = bodyOf(first).at("data").at("id").to_number<int64_t>();
  const int64_t second_id = bodyOf(second).at("data").at("id").to_number<int64_t>();
  EXPECT_GT(first_id, 0);
  EXPECT_GT(second_id, 0);
  EXPECT_NE(first_id, second_id);
  EXPECT_EQ(users_.users.size(), 2u);
}

TEST_F(AdminRoutesTest, DuplicateIdIsConflict) {
  ASSERT_EQ(call("POST", "/users", R"({"id": 7})").status, 200);
  AdminResponse duplicate = call("POST", "/users", R"({"id": 7, "name": "again"})");
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(codeOf(duplicate), 1103);
  EXPECT_EQ(users_.users[7].name, "");
}

TEST_F(AdminRoutesTest, BadBodiesAre400NamingTheField) {
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"{not json", "body"},
      {"", "body"},
      {"[1, 2]", "body"},
      {R"({"name": 123})", "name"},
      {R"({"id": "abc"})", "id"},
      {R"({"id": -5})", "id"},
      {R"({"id": 1.5})", "id"},
      {R"({"password": ""})", "password"},
      {R"({"isActive": "yes"})", "isActive"},
      {R"({"profileAccessStrategy": "NOBODY"})", "profileAccessStrategy"},
      {R"({"profileAccessStrategy": 3})", "profileAccessStrategy"},
      {R"({"roleId": 1, "permissionGroupId": 2})", "permissionGroupId"},
      {R"({"nickname": "x"})", "nickname"},
  };
  for (const Case& c : cases) {
    AdminResponse response = call("POST", "/users", c.body);
    EXPECT_EQ(response.status, 400) << c.body;
    EXPECT_EQ(codeOf(response), 1102) << c.body;
    EXPECT_EQ(reasonOf(response).rfind(c.field + ":", 0), 0u)
        << c.body << " -> " << reasonOf(response);
  }
  EXPECT_TRUE(users_.users.empty());
}

TEST_F(AdminRoutesTest, ListPagesByIdAndSkipsDeleted) {
  for (int id : {1, 2, 3, 4}) {
    ASSERT_EQ(call("POST", "/users", R"({"id": )" + std::to_string(id) + "}").status, 200);
  }
  ASSERT_EQ(call("DELETE", "/users?ids=2").status, 200);

  const json::array first = dataArray(call("GET", "/users?size=2"));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].at("id"), 1);
  EXPECT_EQ(first[1].at("id"), 3);
  const json::array rest = dataArray(call("GET", "/users?after=3&size=2"));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].at("id"), 4);

  EXPECT_EQ(call("GET", "/users?size=0").status, 400);
  EXPECT_EQ(call("GET", "/users?size=1001").status, 400);
  EXPECT_EQ(call("GET", "/users?after=x").status, 400);

  AdminResponse count = call("GET", "/users/count");
  ASSERT_EQ(count.status, 200);
  EXPECT_EQ(bodyOf(count).at("data").at("registeredUsers"), 3);
}

TEST_F(AdminRoutesTest, IdsParameterIsValidated) {
  AdminResponse bad = call("GET", "/users?ids=1,x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(reasonOf(bad).rfind("ids:", 0), 0u);
  EXPECT_EQ(call("GET", "/users?ids=").status, 400);
  EXPECT_EQ(call("GET", "/users?ids=1,,2").status, 400);
  std::string many = "/users?ids=1";
  for (int i = 2; i <= 1001; ++i) many += "," + std::to_string(i);
  AdminResponse too_many = call("GET", many);
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(codeOf(too_many), 1104);
  EXPECT_EQ(call("PUT", "/users", R"({"name": "x"})").status, 400);  // ids required
  EXPECT_EQ(call("DELETE", "/users").status, 400);
}

TEST_F(AdminRoutesTest, UpdateChangesFieldsAndDisconnectsDeactivated) {
  ASSERT_EQ(call("POST", "/users", R"({"id": 5, "password": "old", "name": "a"})").status, 200);
  ASSERT_EQ(call("POST", "/users", R"({"id": 6, "name": "b"})").status, 200);
  clock_.advance(1000);

  AdminResponse renamed = call("PUT", "/users?ids=5", R"({"name": "z", "password": "new"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(bodyOf(renamed).at("data"), (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(users_.users[5].name, "z");
  EXPECT_EQ(users_.users[5].last_updated_date, clock_.nowMillis());
  EXPECT_TRUE(hasher_.verify("new", users_.users[5].password_hash));
  EXPECT_TRUE(disconnected_.empty());

  // ids=5&ids=6&ids=99: repeated parameters count like a list; 99 does not exist.
  AdminResponse deactivated =
      call("PUT", "/users?ids=5&ids=6&ids=99", R"({"isActive": false, "roleId": 8})");
  ASSERT_EQ(deactivated.status, 200) << deactivated.body;
  EXPECT_EQ(bodyOf(deactivated).at("data").at("updatedCount"), 2);
  EXPECT_FALSE(users_.users[5].is_active);
  EXPECT_EQ(users_.users[6].permission_group_id, 8);
  EXPECT_EQ(disconnected_, (std::vector<int64_t>{5, 6}));

  const json::array got = dataArray(call("GET", "/users?ids=6"));
  EXPECT_EQ(got[0].at("isActive"), false);
  EXPECT_EQ(got[0].at("roleId"), 8);
}

TEST_F(AdminRoutesTest, UpdateRejectsEmptyAndCreateOnlyFields) {
  ASSERT_EQ(call("POST", "/users", R"({"id": 5})").status, 200);
  AdminResponse empty = call("PUT", "/users?ids=5", "{}");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(reasonOf(empty).rfind("body:", 0), 0u);
  AdminResponse with_id = call("PUT", "/users?ids=5", R"({"id": 6})");
  EXPECT_EQ(with_id.status, 400);
  EXPECT_EQ(reasonOf(with_id).rfind("id:", 0), 0u);
  EXPECT_EQ(call("PUT", "/users?ids=5", R"({"name": null})").status, 400);  // null = not given
}

TEST_F(AdminRoutesTest, DeleteIsSoftAndDisconnects) {
  ASSERT_EQ(call("POST", "/users", R"({"id": 10})").status, 200);
  ASSERT_EQ(call("POST", "/users", R"({"id": 11})").status, 200);
  clock_.advance(5);
  AdminResponse deleted = call("DELETE", "/users?ids=10,11,12");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(bodyOf(deleted).at("data"), (json::value{{"deletedCount", 2}}));
  EXPECT_EQ(disconnected_, (std::vector<int64_t>{10, 11}));
  ASSERT_TRUE(users_.users.contains(10));
  EXPECT_EQ(users_.users[10].deletion_date, clock_.nowMillis());

  const json::array got = dataArray(call("GET", "/users?ids=10"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("deletionDate"), clock_.nowMillis());
  EXPECT_EQ(got[0].at("isActive"), false);

  // Deleting again changes nothing and disconnects nobody.
  EXPECT_EQ(bodyOf(call("DELETE", "/users?ids=10")).at("data").at("deletedCount"), 0);
  EXPECT_EQ(disconnected_.size(), 2u);
  EXPECT_EQ(call("DELETE", "/users?ids=11&deleteLogically=false").status, 400);
}

TEST_F(AdminRoutesTest, OnlineStatusesComeFromTheRegistry) {
  ASSERT_TRUE(sessions_.registerDevice(7, /*DESKTOP*/ 0, kUserStatusAvailable, "node-a", 111).ok());
  ASSERT_TRUE(sessions_.registerDevice(7, /*ANDROID*/ 3, kUserStatusAvailable, "node-b", 222).ok());
  AdminResponse response = call("GET", "/users/online-statuses?ids=7,8");
  ASSERT_EQ(response.status, 200) << response.body;
  const json::array statuses = dataArray(response);
  ASSERT_EQ(statuses.size(), 2u);
  const json::value expected_online = {{"userId", 7},
                                       {"userStatus", "AVAILABLE"},
                                       {"deviceTypes", {"DESKTOP", "ANDROID"}},
                                       {"nodes", {"node-a", "node-b"}},
                                       {"deviceTypeToSessionInfo",
                                        {{"DESKTOP", {{"nodeId", "node-a"}, {"loginDate", 111}}},
                                         {"ANDROID", {{"nodeId", "node-b"}, {"loginDate", 222}}}}}};
  EXPECT_EQ(statuses[0], expected_online);
  EXPECT_EQ(statuses[1].at("userId"), 8);
  EXPECT_EQ(statuses[1].at("userStatus"), "OFFLINE");
  EXPECT_TRUE(statuses[1].at("deviceTypes").as_array().empty());

  // Turms' own spelling of the path.
  EXPECT_EQ(dataArray(call("GET", "/users/online-infos/statuses?ids=7")).size(), 1u);
  EXPECT_EQ(call("GET", "/users/online-statuses").status, 400);
  EXPECT_EQ(bodyOf(call("GET", "/users/online-infos/count")).at("data").at("total"), 1);
}

TEST_F(AdminRoutesTest, SessionsArePaged) {
  for (int64_t id : {3, 1, 2}) {
    ASSERT_TRUE(sessions_.registerDevice(id, 0, kUserStatusAvailable, "node-a", 1).ok());
  }
  const json::array first = dataArray(call("GET", "/sessions?after=0&size=2"));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].at("userId"), 1);
  EXPECT_EQ(first[1].at("userId"), 2);
  const json::array rest = dataArray(call("GET", "/sessions/?after=2&size=2"));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].at("userId"), 3);
  EXPECT_EQ(call("GET", "/sessions", "", "").status, 401);
}

TEST_F(AdminRoutesTest, StorageFailureIs500WithTurmsCode) {
  users_.fail_all = true;
  AdminResponse response = call("GET", "/users?ids=1");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(codeOf(response), 1200);
  EXPECT_EQ(call("POST", "/users", R"({"id": 1})").status, 500);
  EXPECT_EQ(call("GET", "/users/count").status, 500);
}

TEST(ParseRequestTargetTest, SplitsAndDecodes) {
  AdminRequest request;
  ASSERT_TRUE(parseRequestTarget("/users/a%20b?ids=1%2C2&ids=3&name=x+y&flag&=z", request));
  EXPECT_EQ(request.path, "/users/a b");
  EXPECT_EQ(request.query.at("ids"), "1,2,3");
  EXPECT_EQ(request.query.at("name"), "x y");
  EXPECT_EQ(request.query.at("flag"), "");
  EXPECT_EQ(request.query.at(""), "z");

  ASSERT_TRUE(parseRequestTarget("/health", request));
  EXPECT_EQ(request.path, "/health");
  EXPECT_TRUE(request.query.empty());

  EXPECT_FALSE(parseRequestTarget("http://host/users", request));
  EXPECT_FALSE(parseRequestTarget("", request));
  EXPECT_FALSE(parseRequestTarget("/users?ids=%zz", request));
  EXPECT_FALSE(parseRequestTarget("/users?ids=%2", request));
  EXPECT_FALSE(parseRequestTarget("/a%", request));
}

}  // namespace
}  // namespace parley
