#pragma once
// AdminRoutes over a real SQLite store in a temp dir, for the route tests that read and write
// business data (relationships, groups, friend requests): the repositories are the ones a node
// runs, so the tests see what clients would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "admin/admin_routes.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "online/session_registry.h"
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
                          friendRequestConfig(),
                          [this] { ++group_types_changes_; },
                          groupConfig()}) {}

  static FriendRequestConfig friendRequestConfig() {
    FriendRequestConfig config;
    config.expire_after_seconds = 3600;
    config.max_content_length = 10;
    return config;
  }

  static GroupConfig groupConfig() {
    GroupConfig config;
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

  AdminResponse call(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    AdminRequest request;
    EXPECT_TRUE(parseRequestTarget(target, request)) << target;
    request.method = method;
    request.headers["authorization"] = std::string("Bearer ") + kPassword;
    request.body = body;
    return routes_.handle(request);
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
