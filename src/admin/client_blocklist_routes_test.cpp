#include <gtest/gtest.h>

#include "admin/admin_store_test_fixture.h"
#include "online/blocklist.h"
#include "online/in_process_blocklist_store.h"

namespace parley::testing {
namespace {

class ClientBlocklistRoutesTest : public AdminStoreTest {
 protected:
  ClientBlocklistRoutesTest() : blocking_routes_(withBlocklist(routes_.deps(), &blocklist_)) {
    blocklist_.onBlocked([this](BlockTarget target, const std::string& id) {
      closed_.push_back(std::string(blockTargetName(target)) + ":" + id);
    });
  }

  static AdminDeps withBlocklist(AdminDeps deps, Blocklist* blocklist) {
    deps.blocklist = blocklist;
    return deps;
  }

  AdminResponse callBlocking(const std::string& method, const std::string& target,
                             const std::string& body = "") {
    return callOn(blocking_routes_, method, target, body);
  }

  InProcessBlocklistStore store_blocks_;
  Blocklist blocklist_{store_blocks_};
  AdminRoutes blocking_routes_;
  std::vector<std::string> closed_;
};

TEST_F(ClientBlocklistRoutesTest, BlockedIpsAreListedInTheFormTheGatewaySees) {
  auto blocked = callBlocking(
      "POST", "/blocked-clients/ips",
      R"({"ids": ["2001:DB8:0::1", "::ffff:192.0.2.7"], "blockDurationMillis": 60000})");
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(closed_, (std::vector<std::string>{"ip:2001:db8::1", "ip:192.0.2.7"}));
  EXPECT_TRUE(blocklist_.blockedUntil(BlockTarget::kIp, "2001:db8::1", kStartMillis));

  const auto listed = dataOf(callBlocking("GET", "/blocked-clients/ips?ids=2001:db8::1,192.0.2.8"));
  ASSERT_EQ(listed.as_array().size(), 1u);
  EXPECT_EQ(listed.at(0).at("id").as_string(), "2001:db8::1");
  EXPECT_EQ(listed.at(0).at("blockEndTime").as_int64(), kStartMillis + 60'000);

  const auto page = dataOf(callBlocking("GET", "/blocked-clients/ips/page?page=0&size=1"));
  EXPECT_EQ(page.at("total").as_int64(), 2);
  EXPECT_EQ(page.at("records").as_array().size(), 1u);
}

TEST_F(ClientBlocklistRoutesTest, UsersAreBlockedAndUnblockedById) {
  ASSERT_EQ(callBlocking("POST", "/blocked-clients/users",
                         R"({"ids": ["5", 6], "blockDurationMillis": 1000})")
                .status,
            200);
  EXPECT_TRUE(blocklist_.isUserBlocked(5, kStartMillis));
  EXPECT_TRUE(blocklist_.isUserBlocked(6, kStartMillis));
  ASSERT_EQ(callBlocking("DELETE", "/blocked-clients/users?ids=5").status, 200);
  EXPECT_FALSE(blocklist_.isUserBlocked(5, kStartMillis));
  ASSERT_EQ(callBlocking("DELETE", "/blocked-clients/users?deleteAll=true").status, 200);
  EXPECT_FALSE(blocklist_.isUserBlocked(6, kStartMillis));
}

TEST_F(ClientBlocklistRoutesTest, BadRequestsAreRefusedByName) {
  EXPECT_NE(refusal(callBlocking("POST", "/blocked-clients/ips",
                                 R"({"ids": ["10.0.0.300"], "blockDurationMillis": 1})"),
                    400)
                .find("10.0.0.300"),
            std::string::npos);
  EXPECT_NE(refusal(callBlocking("POST", "/blocked-clients/users",
                                 R"({"ids": ["0"], "blockDurationMillis": 1})"),
                    400)
                .find("user id"),
            std::string::npos);
  EXPECT_NE(refusal(callBlocking("POST", "/blocked-clients/users", R"({"ids": ["5"]})"), 400)
                .find("blockDurationMillis"),
            std::string::npos);
  EXPECT_NE(refusal(callBlocking("POST", "/blocked-clients/users",
                                 R"({"ids": ["5"], "blockDurationMillis": 1, "why": 1})"),
                    400)
                .find("why"),
            std::string::npos);
  EXPECT_NE(refusal(callBlocking("GET", "/blocked-clients/users"), 400).find("ids"),
            std::string::npos);
  EXPECT_TRUE(closed_.empty());
}

TEST_F(ClientBlocklistRoutesTest, WithoutABlocklistTheRoutesSayItIsDisabled) {
  const auto ips = call("POST", "/blocked-clients/ips",
                        R"({"ids": ["192.0.2.7"], "blockDurationMillis": 1000})");
  EXPECT_EQ(ips.status, 403);
  EXPECT_EQ(bodyOf(ips).at("code").as_int64(), 1400);
  EXPECT_EQ(bodyOf(call("GET", "/blocked-clients/users/page")).at("code").as_int64(), 1401);
}

}  // namespace
}  // namespace parley::testing
