#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"
#include "testing/basic_auth.h"
#include "testing/log_capture.h"

namespace parley {
namespace {

namespace json = boost::json;

class AdminAccountRoutesTest : public testing::AdminStoreTest {
 protected:
  // Adds an account through the API (as the bootstrap owner) and checks it was created.
  void addAccount(const std::string& login_name, const std::string& role,
                  const std::string& password = "long enough") {
    const json::object body{{"loginName", login_name}, {"password", password}, {"role", role}};
    const AdminResponse created = call("POST", "/admins", json::serialize(body));
    ASSERT_EQ(created.status, 200) << created.body;
  }

  AdminResponse callAs(const std::string& login_name, const std::string& password,
                       const std::string& method, const std::string& target,
                       const std::string& body = "") {
    AdminRequest request;
    EXPECT_TRUE(parseRequestTarget(target, request)) << target;
    request.method = method;
    request.headers["authorization"] = testing::basicAuth(login_name, password);
    request.body = body;
    request.remote_ip = "192.0.2.7";
    return routes_.handle(request);
  }

  int statusAs(const std::string& login_name, const std::string& method, const std::string& target,
               const std::string& body = "") {
    return callAs(login_name, "long enough", method, target, body).status;
  }

  std::vector<std::string> loginNamesOf(const json::value& records) {
    std::vector<std::string> names;
    for (const json::value& record : records.as_array()) {
      names.emplace_back(record.at("loginName").as_string());
    }
    return names;
  }
};

constexpr char kNewUser[] = R"({"id": 77, "password": "pw"})";

TEST_F(AdminAccountRoutesTest, EachRoleMayDoWhatItsNameSays) {
  addAccount("viewer", "READ_ONLY");
  addAccount("ops", "OPERATOR");
  addAccount("boss", "OWNER");

  // Read-only: every read, no change.
  EXPECT_EQ(statusAs("viewer", "GET", "/users/count"), 200);
  EXPECT_EQ(statusAs("viewer", "GET", "/groups/types"), 200);
  const AdminResponse refused = callAs("viewer", "long enough", "POST", "/users", kNewUser);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(bodyOf(refused).at("code"), 1300);
  EXPECT_EQ(refusal(refused, 403), "account viewer (READ_ONLY) may not POST /users");
  EXPECT_EQ(statusAs("viewer", "PUT", "/users/online-infos/statuses", "{}"), 403);
  EXPECT_EQ(statusAs("viewer", "DELETE", "/groups/types?ids=5"), 403);
  EXPECT_FALSE(storedIn(store_->users(), 77).has_value());

  // Operator: reads and changes, but no accounts, not even reading them.
  EXPECT_EQ(statusAs("ops", "POST", "/users", kNewUser), 200);
  EXPECT_TRUE(storedIn(store_->users(), 77).has_value());
  EXPECT_EQ(statusAs("ops", "GET", "/admins"), 403);
  EXPECT_EQ(statusAs("ops", "GET", "/admins/roles"), 403);
  EXPECT_EQ(statusAs("ops", "POST", "/admins",
                     R"({"loginName": "mine", "password": "12345678", "role": "OWNER"})"),
            403);
  EXPECT_EQ(statusAs("viewer", "GET", "/admins"), 403);

  // A stored owner manages accounts as the bootstrap owner does.
  EXPECT_EQ(statusAs("boss", "POST", "/admins",
                     R"({"loginName": "second", "password": "12345678", "role": "READ_ONLY"})"),
            200);
  EXPECT_EQ(statusAs("boss", "DELETE", "/admins?loginNames=second"), 200);
}

TEST_F(AdminAccountRoutesTest, AccountsAreListedWithoutTheirPasswords) {
  addAccount("zed", "READ_ONLY");
  const AdminResponse created = call(
      "POST", "/admins",
      R"({"loginName": "amy", "password": "long enough", "displayName": "Amy A.", "role": 1})");
  const json::value amy = dataOf(created);
  EXPECT_GT(amy.at("id").as_int64(), 0);
  EXPECT_EQ(amy.at("displayName"), "Amy A.");
  EXPECT_EQ(amy.at("role"), "OPERATOR");
  EXPECT_EQ(amy.at("registrationDate"), kStartMillis);
  EXPECT_FALSE(amy.as_object().contains("password"));

  const json::value listed = dataOf(call("GET", "/admins"));
  EXPECT_EQ(loginNamesOf(listed), (std::vector<std::string>{"amy", "zed"}));
  EXPECT_EQ(listed.at(0), amy);
  EXPECT_EQ(listed.at(1).at("displayName"), "zed");  // the login name when none is given
  EXPECT_EQ(call("GET", "/admins").body.find("argon2"), std::string::npos);
  EXPECT_EQ(loginNamesOf(dataOf(call("GET", "/admins?loginNames=zed,nobody"))),
            std::vector<std::string>{"zed"});
  const json::value page = dataOf(call("GET", "/admins/page?size=1&page=1"));
  EXPECT_EQ(page.at("total"), 2);
  EXPECT_EQ(loginNamesOf(page.at("records")), std::vector<std::string>{"zed"});

  const json::value roles = dataOf(call("GET", "/admins/roles"));
  ASSERT_EQ(roles.as_array().size(), 3u);
  EXPECT_EQ(roles.at(0).at("name"), "OWNER");
  EXPECT_EQ(roles.at(2).at("name"), "READ_ONLY");
}

TEST_F(AdminAccountRoutesTest, BadAccountsAreRefusedNamingTheField) {
  addAccount("taken", "OPERATOR");
  const std::vector<std::pair<std::string, std::string>> rows = {
      {R"({"password": "long enough", "role": "OWNER"})", "loginName"},
      {R"({"loginName": "admin", "password": "long enough", "role": "OWNER"})", "loginName"},
      {R"({"loginName": "a:b", "password": "long enough", "role": "OWNER"})", "loginName"},
      {R"({"loginName": "a b", "password": "long enough", "role": "OWNER"})", "loginName"},
      {R"({"loginName": ")" + std::string(65, 'x') + R"(", "password": "long enough",
           "role": "OWNER"})",
       "loginName"},
      {R"({"loginName": "new", "password": "short", "role": "OWNER"})", "password"},
      {R"({"loginName": "new", "role": "OWNER"})", "password"},
      {R"({"loginName": "new", "password": "long enough"})", "role"},
      {R"({"loginName": "new", "password": "long enough", "role": "ROOT"})", "role"},
      {R"({"loginName": "new", "password": "long enough", "role": "OWNER", "x": 1})", "x"},
  };
  for (const auto& [body, field] : rows) {
    const std::string reason = refusal(call("POST", "/admins", body), 400);
    EXPECT_NE(reason.find(field), std::string::npos) << body << ": " << reason;
  }
  const AdminResponse again =
      call("POST", "/admins", R"({"loginName": "taken", "password": "other one", "role": 0})");
  EXPECT_EQ(bodyOf(again).at("code"), 1103) << again.body;
  EXPECT_EQ(store_->adminAccounts().count().value(), 1);
}

TEST_F(AdminAccountRoutesTest, AChangedPasswordOrRoleAndADeletionApplyAtTheNextRequest) {
  addAccount("ops", "OPERATOR");
  EXPECT_EQ(dataOf(call("PUT", "/admins?loginNames=ops", R"({"password": "another one"})"))
                .at("updatedCount"),
            1);
  EXPECT_EQ(statusAs("ops", "GET", "/users/count"), 401);
  EXPECT_EQ(callAs("ops", "another one", "GET", "/users/count").status, 200);

  dataOf(call("PUT", "/admins?loginNames=ops", R"({"role": "READ_ONLY"})"));
  EXPECT_EQ(callAs("ops", "another one", "POST", "/users", kNewUser).status, 403);

  EXPECT_EQ(refusal(call("PUT", "/admins?loginNames=admin", R"({"role": "READ_ONLY"})"), 400),
            R"(loginNames: "admin" is set by admin.password, not here)");
  EXPECT_EQ(refusal(call("PUT", "/admins?loginNames=ops", "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("DELETE", "/admins?loginNames=admin"), 400),
            R"(loginNames: "admin" is set by admin.password, not here)");

  EXPECT_EQ(dataOf(call("DELETE", "/admins?loginNames=ops,nobody")).at("deletedCount"), 1);
  EXPECT_EQ(callAs("ops", "another one", "GET", "/users/count").status, 401);
}

TEST_F(AdminAccountRoutesTest, WrongPasswordsOfAccountsCountTowardsTheAddressWait) {
  addAccount("ops", "OPERATOR");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(callAs("ops", "wrong password", "GET", "/users/count").status, 401) << i;
  }
  EXPECT_EQ(callAs("nobody", "wrong password", "GET", "/users/count").status, 401);
  const AdminResponse waiting = callAs("ops", "long enough", "GET", "/users/count");
  EXPECT_EQ(waiting.status, 429);
  EXPECT_EQ(bodyOf(waiting).at("code"), 1304);
  clock_.advance(1000);
  EXPECT_EQ(statusAs("ops", "GET", "/users/count"), 200);
}

TEST_F(AdminAccountRoutesTest, TheAuditLineNamesTheAccountAndItsAddress) {
  addAccount("ops", "OPERATOR");
  addAccount("viewer", "READ_ONLY");
  testing::LogCapture logs;
  EXPECT_EQ(statusAs("ops", "POST", "/users", kNewUser), 200);
  EXPECT_EQ(statusAs("viewer", "DELETE", "/users?ids=77"), 403);
  EXPECT_EQ(statusAs("viewer", "GET", "/users/count"), 200);
  EXPECT_EQ(callAs("ops", "wrong password", "DELETE", "/users?ids=77").status, 401);
  EXPECT_EQ(logs.count("admin audit: account ops from 192.0.2.7: POST /users -> 200"), 1);
  // Refused changes are audited too; reads and unauthenticated attempts are not.
  EXPECT_EQ(logs.count("admin audit: account viewer from 192.0.2.7: DELETE /users -> 403"), 1);
  EXPECT_EQ(logs.count("admin audit:"), 2);
}

}  // namespace
}  // namespace parley
