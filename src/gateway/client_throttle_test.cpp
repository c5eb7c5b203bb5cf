#include "gateway/client_throttle.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

using Verdict = ClientThrottle::Verdict;

ThrottleConfig tight() {
  ThrottleConfig config;
  config.ip_requests = {3, 1, 1000};
  config.user_requests = {2, 1, 1000};
  config.ip_connections = {1, 1, 1000};
  config.user_login_failures = {1, 1000, 60'000};
  config.ip_login_failures = {2, 1000, 60'000};
  return config;
}

TEST(IpOfAddress, DropsThePort) {
  EXPECT_EQ(ipOfAddress("192.0.2.7:51234"), "192.0.2.7");
  EXPECT_EQ(ipOfAddress("2001:db8::1:443"), "2001:db8::1");
  EXPECT_EQ(ipOfAddress("unknown"), "unknown");
  EXPECT_EQ(ipOfAddress("::ffff:192.0.2.7:443"), "192.0.2.7");
  EXPECT_EQ(ipOfAddress("::ffff:1:443"), "::ffff:1");
}

TEST(ClientThrottle, RequestsOfOneAddressShareItsBudgetWhateverTheUser) {
  ClientThrottle throttle(tight());
  EXPECT_EQ(throttle.allowRequest("192.0.2.1", 0, 0), Verdict::kAllowed);
  EXPECT_EQ(throttle.allowRequest("192.0.2.1", 7, 0), Verdict::kAllowed);
  EXPECT_EQ(throttle.allowRequest("192.0.2.1", 8, 0), Verdict::kAllowed);
  EXPECT_EQ(throttle.allowRequest("192.0.2.1", 9, 0), Verdict::kIpOverLimit);
  EXPECT_EQ(throttle.allowRequest("192.0.2.2", 9, 0), Verdict::kAllowed);
  EXPECT_EQ(throttle.allowRequest("192.0.2.1", 9, 1000), Verdict::kAllowed);
}

TEST(ClientThrottle, AUserIsLimitedAcrossAddresses) {
  ClientThrottle throttle(tight());
  EXPECT_EQ(throttle.allowRequest("192.0.2.1", 7, 0), Verdict::kAllowed);
  EXPECT_EQ(throttle.allowRequest("192.0.2.2", 7, 0), Verdict::kAllowed);
  EXPECT_EQ(throttle.allowRequest("192.0.2.3", 7, 0), Verdict::kUserOverLimit);
  EXPECT_EQ(throttle.allowRequest("192.0.2.3", 8, 0), Verdict::kAllowed);
}

TEST(ClientThrottle, NewConnectionsPerAddress) {
  ClientThrottle throttle(tight());
  EXPECT_TRUE(throttle.allowConnection("192.0.2.1", 0));
  EXPECT_FALSE(throttle.allowConnection("192.0.2.1", 500));
  EXPECT_TRUE(throttle.allowConnection("192.0.2.2", 500));
  EXPECT_TRUE(throttle.allowConnection("192.0.2.1", 1000));
}

TEST(ClientThrottle, WrongPasswordsMakeTheUserWait) {
  ClientThrottle throttle(tight());
  throttle.loginFailed("192.0.2.1", 7, true, 0);
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.9", 7, 0), 0);
  throttle.loginFailed("192.0.2.2", 7, true, 0);
  // Past its one free attempt, user 7 waits from any address; user 8 does not.
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.9", 7, 0), 1000);
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.9", 8, 0), 0);
  throttle.loginSucceeded(7);
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.9", 7, 0), 0);
}

TEST(ClientThrottle, UnknownUsersCountOnlyAgainstTheAddress) {
  ClientThrottle throttle(tight());
  for (int64_t user = 1; user <= 3; ++user) throttle.loginFailed("192.0.2.1", user, false, 0);
  // The address guessed at three ids: it waits, for every id; the ids do not.
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.1", 99, 0), 1000);
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.2", 1, 0), 0);
  // A success of one account does not clear what the address did.
  throttle.loginSucceeded(1);
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.1", 1, 0), 1000);
}

TEST(ClientThrottle, DisabledAllowsEverything) {
  ThrottleConfig config = tight();
  config.enabled = false;
  ClientThrottle throttle(config);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(throttle.allowRequest("192.0.2.1", 7, 0), Verdict::kAllowed);
    EXPECT_TRUE(throttle.allowConnection("192.0.2.1", 0));
    throttle.loginFailed("192.0.2.1", 7, true, 0);
  }
  EXPECT_EQ(throttle.loginWaitMillis("192.0.2.1", 7, 0), 0);
}

}  // namespace
}  // namespace parley
