// Client throttling through real sockets (gateway.throttle): the request budget of an address,
// new connections per address and the back-off after failed logins. Each test starts a node with
// limits small enough to reach in a few requests.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

using requests::kRequestTimeout;
using requests::loggedIn;
using requests::sendPrivate;

constexpr int kTooFrequent = 1101;

ParleyOptions throttled(std::vector<std::string> limits) {
  ParleyOptions options;
  options.extra_args = {"--throttle=true"};
  options.extra_args.insert(options.extra_args.end(), limits.begin(), limits.end());
  return options;
}

int64_t throttledCount(const ParleyProcess& parley, const std::string& limit) {
  return metricValue(parley.adminPort(), "parley_client_throttled_total{limit=\"" + limit + "\"}");
}

TEST(ThrottleTest, ARequestOverTheAddressBudgetGets1101AndTheSessionCarriesOn) {
  // Five requests at once, then one every 200 ms.
  ParleyProcess parley(throttled(
      {"--throttle-ip-requests-capacity=5", "--throttle-ip-requests-refill-interval-millis=200"}));
  auto client = loggedIn(parley, 1);  // the login is the first of the five
  for (int i = 0; i < 4; ++i) ASSERT_EQ(sendPrivate(*client, 2, "hi").code(), 1000) << i;
  auto refused = sendPrivate(*client, 2, "one too many");
  EXPECT_EQ(refused.code(), kTooFrequent);
  EXPECT_FALSE(refused.reason().empty());
  EXPECT_GE(throttledCount(parley, "ip_requests"), 1);

  // Heartbeats are not requests: the session stays alive and open.
  client->sendHeartbeat();
  EXPECT_TRUE(client->waitFor(isHeartbeat, kRequestTimeout).has_value());
  EXPECT_TRUE(client->isOpen());

  // A token comes back within the refill interval; poll for it, bounded.
  int code = kTooFrequent;
  for (int attempt = 0; attempt < 100 && code == kTooFrequent; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    code = sendPrivate(*client, 2, "again").code();
  }
  EXPECT_EQ(code, 1000);
}

TEST(ThrottleTest, TheUserBudgetCountsEveryDeviceOfTheUser) {
  ParleyProcess parley(throttled({"--throttle-user-requests-capacity=4",
                                  "--throttle-user-requests-refill-interval-millis=0"}));
  // Two logins (not counted: the user is not known before it logs in), two requests each.
  auto desktop = loggedIn(parley, 3, im::turms::proto::DESKTOP);
  auto phone = loggedIn(parley, 3, im::turms::proto::ANDROID);
  ASSERT_EQ(sendPrivate(*desktop, 2, "a").code(), 1000);
  ASSERT_EQ(sendPrivate(*phone, 2, "b").code(), 1000);
  ASSERT_EQ(sendPrivate(*desktop, 2, "c").code(), 1000);
  ASSERT_EQ(sendPrivate(*phone, 2, "d").code(), 1000);
  EXPECT_EQ(sendPrivate(*desktop, 2, "e").code(), kTooFrequent);
  EXPECT_EQ(sendPrivate(*phone, 2, "f").code(), kTooFrequent);
  // Another user from the same address has its own budget.
  auto other = loggedIn(parley, 4);
  EXPECT_EQ(sendPrivate(*other, 2, "g").code(), 1000);
  EXPECT_GE(throttledCount(parley, "user_requests"), 2);
}

TEST(ThrottleTest, NewConnectionsOverTheAddressBudgetAreClosedWith1101) {
  ParleyProcess parley(throttled({"--throttle-ip-connections-capacity=2",
                                  "--throttle-ip-connections-refill-interval-millis=0"}));
  auto first = connectTo(parley, Transport::kTcp);
  auto second = connectTo(parley, Transport::kWebSocket);
  auto third = connectTo(parley, Transport::kTcp);
  auto signal = third->waitFor(isCloseSignal, kRequestTimeout);
  ASSERT_TRUE(signal.has_value());
  EXPECT_EQ(signal->notification.close_status(), 100);
  EXPECT_EQ(signal->notification.code(), kTooFrequent);
  EXPECT_TRUE(waitForSocketClose(*third));
  // The connections accepted earlier are untouched.
  EXPECT_EQ(first->login(5, "123").code(), 1000);
  EXPECT_EQ(second->login(6, "123").code(), 1000);
  EXPECT_GE(throttledCount(parley, "ip_connections"), 1);
}

TEST(ThrottleTest, WrongPasswordsMakeTheUserWaitEvenWithTheRightOne) {
  // Two free attempts, then a minute: longer than the test, so nothing here races the clock.
  ParleyProcess parley(throttled({"--throttle-user-login-failures-free-attempts=2",
                                  "--throttle-user-login-failures-first-backoff-millis=60000",
                                  "--throttle-ip-login-failures-free-attempts=100"}));
  auto client = connectTo(parley, Transport::kTcp);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client->login(7, "wrong").code(), 2011) << i;
  auto refused = client->login(7, "123");
  EXPECT_EQ(refused.code(), kTooFrequent);
  EXPECT_NE(refused.reason().find("try again in"), std::string::npos) << refused.reason();
  EXPECT_TRUE(client->isOpen());
  // Other users log in from the same address, on the same connection too.
  EXPECT_EQ(client->login(8, "123").code(), 1000);
  EXPECT_GE(throttledCount(parley, "login_backoff"), 1);
}

TEST(ThrottleTest, AnAddressGuessingAtUsersWaitsForEveryUser) {
  ParleyProcess parley(throttled({"--throttle-ip-login-failures-free-attempts=2",
                                  "--throttle-ip-login-failures-first-backoff-millis=60000"}));
  auto client = connectTo(parley, Transport::kTcp);
  ASSERT_EQ(client->login(9, "wrong").code(), 2011);
  ASSERT_EQ(client->login(999999, "123").code(), 2012);
  ASSERT_EQ(client->login(10, "wrong").code(), 2011);
  // Even a user with the right password waits while the address does.
  EXPECT_EQ(client->login(11, "123").code(), kTooFrequent);
}

TEST(ThrottleTest, TheDefaultBudgetIsUpstreamsFiftyRequests) {
  // ParleyProcess turns throttling off unless told otherwise; turn it on with the default limits.
  ParleyOptions options;
  options.extra_args = {"--throttle=true"};
  ParleyProcess parley(options);
  auto client = loggedIn(parley, 12);
  int accepted = 0;
  bool refused = false;
  while (!refused && accepted < 500) {
    if (sendPrivate(*client, 2, "x").code() == kTooFrequent) {
      refused = true;
    } else {
      ++accepted;
    }
  }
  // 49 tokens remain after the login; one more each second the loop ran.
  EXPECT_TRUE(refused);
  EXPECT_GE(accepted, 49);
}

}  // namespace
}  // namespace parley::testing
