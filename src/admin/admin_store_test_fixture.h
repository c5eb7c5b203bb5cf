#pragma once
// AdminRoutes over a real SQLite store in a temp dir, for the route tests that read and write
// business data (relationships, groups, friend requests): the repositories are the ones a node
// runs, so the tests see what clients would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "admin/admin_routes.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "online/session_registry.h"
#include "store/group_lifecycle.h"
#include "store/store.h"
#include "testing/fast_password_hasher.h"
#include "testing/manual_clock.h"
#include "testing/sqlite_store_test_env.h"

namespace parley::testing {

class AdminStoreTest : public ::testing::Test {
 protected:
  static constexpr int64_t kStartMillis = 1'750'000'000'000;
  static constexpr char kPassword[] = "s3cret";

  AdminStoreTest()
      : clock_(kStartMillis),
        hasher_(fastPasswordHasherOptions(), clock_),
        store_(env_.open()),
        sessions_(makeInProcessSessionRegistry()),
        routes_(AdminDeps{store_->users(),
                          *sessions_,
                          hasher_,
                          metrics_,
                          clock_,
                          kPassword,
                          "node-a",
                          {},
                          {},
                          store_.get(),
                          limitedRequests<FriendRequestConfig>(),
                          [this] { ++group_types_changes_; },
                          groupConfig()}) {}

  // Requests of every kind (friend requests, group invitations and join requests) expire after
  // an hour and hold at most 10 characters of content and 5 of reason.
  static constexpr int64_t kRequestExpiryMillis = 3'600'000;
  template <typename Config>
  static Config limitedRequests() {
    Config config;
    config.expire_after_seconds = kRequestExpiryMillis / 1000;
    config.max_content_length = 10;
    config.max_reason_length = 5;
    return config;
  }

  static GroupConfig groupConfig() {
    GroupConfig config;
    config.invitation = limitedRequests<GroupInvitationConfig>();
    config.join_request = limitedRequests<GroupJoinRequestConfig>();
    config.question.max_question_length = 20;
    config.question.max_answer_length = 5;
    config.question.max_answer_count = 3;
    return config;
  }

  // A user that exists (created a minute before the test's clock).
  void addUser(int64_t id) {
    UserRecord user;
    user.id = id;
    user.name = "user " + std::to_string(id);
    user.registration_date = kStartMillis - 60'000;
    user.last_updated_date = user.registration_date;
    ASSERT_TRUE(store_->users().insert(user).ok());
  }

  // When addGroup's groups were created: a second before the test's clock.
  static constexpr int64_t kCreated = kStartMillis - 1000;
  // A live group with its owner as its OWNER member.
  void addGroup(int64_t id, int64_t owner_id) {
    GroupRecord group;
    group.id = id;
    group.creator_id = owner_id;
    group.owner_id = owner_id;
    group.creation_date = kCreated;
    group.last_updated_date = kCreated;
    group.members_last_updated_date = kCreated;
    ASSERT_TRUE(createGroupWithOwner(store_->groups(), store_->groupMembers(), group).ok());
  }

  // A group deleted (soft, as clients delete) at its creation.
  void addDeletedGroup(int64_t id, int64_t owner_id) {
    addGroup(id, owner_id);
    ASSERT_TRUE(store_->groups().softDelete(id, kCreated).ok());
  }

  AdminResponse call(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    return callOn(routes_, method, target, body);
  }
  // The same through other routes (built with deps of their own).
  static AdminResponse callOn(AdminRoutes& routes, const std::string& method,
                              const std::string& target, const std::string& body = "") {
    AdminRequest request;
    EXPECT_TRUE(parseRequestTarget(target, request)) << target;
    request.method = method;
    request.headers["authorization"] = std::string("Bearer ") + kPassword;
    request.body = body;
    return routes.handle(request);
  }

  // The parsed body of a JSON response.
  static boost::json::value bodyOf(const AdminResponse& response) {
    EXPECT_EQ(response.content_type, "application/json");
    std::error_code ec;
    boost::json::value value = boost::json::parse(response.body, ec);
    EXPECT_FALSE(ec) << response.body;
    return value;
  }

  static boost::json::value dataOf(const AdminResponse& response) {
    EXPECT_EQ(response.status, 200) << response.body;
    return bodyOf(response).at("data");
  }

  // The record with this id in a repository (nullopt when there is none).
  template <typename Repository>
  static auto storedIn(Repository& records, int64_t id) {
    auto found = records.findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? *found : std::remove_cvref_t<decltype(*found)>();
  }

  // The ids of a listing's records.
  static std::vector<int64_t> idsOf(const boost::json::value& records) {
    std::vector<int64_t> ids;
    for (const boost::json::value& record : records.as_array()) {
      ids.push_back(record.at("id").as_int64());
    }
    return ids;
  }

  // The reason of a refusal with this HTTP status.
  static std::string refusal(const AdminResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    const boost::json::value body = bodyOf(response);
    if (!body.is_object() || !body.as_object().contains("reason")) return "";
    return std::string(body.at("reason").as_string());
  }

  ManualClock clock_;
  PasswordHasher hasher_;
  Metrics metrics_;
  SqliteStoreTestEnv env_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SessionRegistry> sessions_;
  // Calls of AdminDeps::group_types_changed.
  int group_types_changes_ = 0;
  AdminRoutes routes_;
};

}  // namespace parley::testing
