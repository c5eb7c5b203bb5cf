// Client blocklists through real sockets and the admin API: blocked users and addresses are
// closed with USER_IS_BLOCKED (701) and refused until unblocked or expired; repeated corrupted
// requests block an address by themselves; on two nodes sharing Redis a block made on one
// closes the client on the other.
//
// No timing assertions: every wait is a bounded poll.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/redis_topology.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

using requests::kRequestTimeout;
using requests::loggedIn;

constexpr int kUserIsBlocked = 701;

std::map<std::string, std::string> auth() {
  return {{"Authorization", basicAuth("admin", ParleyProcess::kAdminPassword)}};
}

HttpResponse admin(const ParleyProcess& parley, const std::string& method,
                   const std::string& target, const std::string& body = "") {
  return httpRequest(parley.adminPort(), method, target, body, auth());
}

void blockUser(const ParleyProcess& parley, int64_t user, int64_t millis) {
  auto blocked = admin(parley, "POST", "/blocked-clients/users",
                       R"({"ids": [")" + std::to_string(user) + R"("], "blockDurationMillis": )" +
                           std::to_string(millis) + "}");
  ASSERT_EQ(blocked.status, 200) << blocked.body;
}

// A login sent without waiting for its answer: a blocked user gets the close signal instead.
void sendLogin(TurmsClient& client, int64_t user) {
  im::turms::proto::TurmsRequest request;
  request.set_request_id(1);
  auto* login = request.mutable_create_session_request();
  login->set_version(1);
  login->set_user_id(user);
  login->set_password("123");
  client.send(request);
}

// Polls until a new connection gets past the login (the block lifted), bounded.
bool eventuallyLogsIn(const ParleyProcess& parley, int64_t user) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto client = connectTo(parley, Transport::kTcp);
    try {
      auto response = client->login(user, "123", im::turms::proto::DESKTOP, kRequestTimeout);
      if (response.code() == 1000) return true;
    } catch (const std::runtime_error&) {
      // Closed with 701 instead of an answer: still blocked.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class BlocklistTest : public SharedParleySuite<BlocklistTest> {};

TEST_F(BlocklistTest, ABlockedUserIsClosedWith701AndCannotLogInUntilUnblocked) {
  auto session = loggedIn(*parley_, 1);
  auto other = loggedIn(*parley_, 2);
  blockUser(*parley_, 1, 600'000);
  EXPECT_EQ(waitForCloseStatus(*session), kUserIsBlocked);

  auto again = connectTo(*parley_, Transport::kWebSocket);
  sendLogin(*again, 1);
  EXPECT_EQ(waitForCloseStatus(*again), kUserIsBlocked);

  // Only that user: the other session is untouched.
  other->sendHeartbeat();
  EXPECT_TRUE(other->waitFor(isHeartbeat, kRequestTimeout).has_value());

  auto listed = admin(*parley_, "GET", "/blocked-clients/users?ids=1,2");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(R"("id":"1")"), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find(R"("id":"2")"), std::string::npos) << listed.body;

  EXPECT_EQ(metricValue(parley_->adminPort(), R"(parley_blocked_clients{target="user"})"), 1);

  ASSERT_EQ(admin(*parley_, "DELETE", "/blocked-clients/users?ids=1").status, 200);
  EXPECT_TRUE(eventuallyLogsIn(*parley_, 1));
  EXPECT_EQ(metricValue(parley_->adminPort(), R"(parley_blocked_clients{target="user"})"), 0);
}

TEST_F(BlocklistTest, ABlockLiftsByItselfWhenItEnds) {
  blockUser(*parley_, 3, 1500);
  auto refused = connectTo(*parley_, Transport::kTcp);
  sendLogin(*refused, 3);
  EXPECT_EQ(waitForCloseStatus(*refused), kUserIsBlocked);
  EXPECT_TRUE(eventuallyLogsIn(*parley_, 3));
}

TEST_F(BlocklistTest, ABlockedAddressIsClosedOnEveryConnectionAndRefusedAtConnect) {
  auto first = loggedIn(*parley_, 4);
  auto anonymous = connectTo(*parley_, Transport::kWebSocket);
  auto blocked = admin(*parley_, "POST", "/blocked-clients/ips",
                       R"({"ids": ["127.0.0.1"], "blockDurationMillis": 600000})");
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(waitForCloseStatus(*first), kUserIsBlocked);
  EXPECT_EQ(waitForCloseStatus(*anonymous), kUserIsBlocked);
  auto refused = connectTo(*parley_, Transport::kTcp);
  EXPECT_EQ(waitForCloseStatus(*refused), kUserIsBlocked);

  auto page = admin(*parley_, "GET", "/blocked-clients/ips/page?page=0&size=10");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(R"("total":1)"), std::string::npos) << page.body;
  // The admin API is not a client port: it still answers the blocked address.
  ASSERT_EQ(admin(*parley_, "DELETE", "/blocked-clients/ips?deleteAll=true").status, 200);
  EXPECT_TRUE(eventuallyLogsIn(*parley_, 4));
}

TEST_F(BlocklistTest, BadIdsAndDurationsAreRefusedByName) {
  auto bad_ip = admin(*parley_, "POST", "/blocked-clients/ips",
                      R"({"ids": ["not-an-ip"], "blockDurationMillis": 1000})");
  EXPECT_EQ(bad_ip.status, 400);
  EXPECT_NE(bad_ip.body.find("not-an-ip"), std::string::npos) << bad_ip.body;
  auto no_duration = admin(*parley_, "POST", "/blocked-clients/users", R"({"ids": ["5"]})");
  EXPECT_EQ(no_duration.status, 400);
  EXPECT_NE(no_duration.body.find("blockDurationMillis"), std::string::npos);
  EXPECT_EQ(admin(*parley_, "DELETE", "/blocked-clients/users").status, 400);
}

TEST(AutoBlockTest, RepeatedCorruptedRequestsBlockTheAddress) {
  // Three corrupted requests block for ten minutes, none forgiven while the test runs.
  ParleyProcess parley({.extra_args = {"--auto-block=true", "--auto-block-levels=600000:0:3"}});
  for (int i = 0; i < 3; ++i) {
    auto client = connectTo(parley, Transport::kTcp);
    client->sendRawFrame("\xff\xff\xff");  // not a TurmsRequest: closed with 100
    EXPECT_TRUE(waitForSocketClose(*client));
  }
  // The block is written on another thread: poll for the refusal, bounded.
  int status = -1;
  for (int attempt = 0; attempt < 100 && status != kUserIsBlocked; ++attempt) {
    auto client = connectTo(parley, Transport::kTcp);
    status = waitForCloseStatus(*client, std::chrono::milliseconds(300));
  }
  EXPECT_EQ(status, kUserIsBlocked);
  EXPECT_GE(
      metricValue(parley.adminPort(), R"(parley_auto_blocks_total{offence="corrupted_request"})"),
      1);
  auto listed = admin(parley, "GET", "/blocked-clients/ips?ids=127.0.0.1");
  EXPECT_NE(listed.body.find("127.0.0.1"), std::string::npos) << listed.body;
}

// Two nodes sharing one Redis, each with its own SQLite store holding the same demo users.
ParleyOptions clusterNode(const std::string& node_id, const std::string& uris) {
  return {.extra_args = {"--node-id=" + node_id, "--redis-session-uris=" + uris, "--rpc-port=0",
                         "--rpc-bind=127.0.0.1", "--blocklist-sync-interval-millis=200",
                         "--auto-block=true", "--auto-block-levels=600000:0:3"}};
}

TEST(BlocklistClusterTest, BlocksReachEveryNodeThroughRedis) {
  RedisTopology redis(RedisTopologyKind::kSingle);
  ParleyProcess a(clusterNode("node-a", redis.sessionUris()));
  ParleyProcess b(clusterNode("node-b", redis.sessionUris()));

  // A user blocked through node A is closed on node B, which holds the session.
  auto on_b = loggedIn(b, 6);
  blockUser(a, 6, 600'000);
  EXPECT_EQ(waitForCloseStatus(*on_b), kUserIsBlocked);

  // Corrupted requests sent to node A block the address on node B too.
  auto waiting_on_b = loggedIn(b, 7);
  for (int i = 0; i < 3; ++i) {
    auto client = connectTo(a, Transport::kTcp);
    client->sendRawFrame("\xff\xff\xff");
    EXPECT_TRUE(waitForSocketClose(*client));
  }
  EXPECT_EQ(waitForCloseStatus(*waiting_on_b, std::chrono::seconds(20)), kUserIsBlocked);
  auto refused = connectTo(b, Transport::kWebSocket);
  EXPECT_EQ(waitForCloseStatus(*refused), kUserIsBlocked);
}

}  // namespace
}  // namespace parley::testing
