#include "core/login_backoff.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

constexpr int64_t kUser = 42;

TEST(LoginBackoff, FreeAttemptsDoNotWait) {
  UserLoginBackoff backoff({3, 1000, 60'000});
  for (int i = 0; i < 3; ++i) backoff.recordFailure(kUser, 100);
  EXPECT_EQ(backoff.waitMillis(kUser, 100), 0);
}

TEST(LoginBackoff, EachFurtherFailureDoublesTheWaitUpToTheMaximum) {
  UserLoginBackoff backoff({1, 1000, 5000});
  backoff.recordFailure(kUser, 0);
  int64_t now = 0;
  for (int64_t expected : {1000, 2000, 4000, 5000, 5000}) {
    backoff.recordFailure(kUser, now);
    EXPECT_EQ(backoff.waitMillis(kUser, now), expected);
    now += expected;
    EXPECT_EQ(backoff.waitMillis(kUser, now), 0);
  }
}

TEST(LoginBackoff, OtherKeysAreNotAffected) {
  IpLoginBackoff backoff({1, 1000, 5000});
  backoff.recordFailure(std::string_view("192.0.2.1"), 0);
  backoff.recordFailure(std::string_view("192.0.2.1"), 0);
  EXPECT_EQ(backoff.waitMillis(std::string_view("192.0.2.1"), 0), 1000);
  EXPECT_EQ(backoff.waitMillis(std::string_view("192.0.2.2"), 0), 0);
}

TEST(LoginBackoff, SuccessForgetsTheFailures) {
  UserLoginBackoff backoff({1, 1000, 60'000});
  backoff.recordFailure(kUser, 0);
  backoff.recordFailure(kUser, 0);
  backoff.recordSuccess(kUser);
  EXPECT_EQ(backoff.waitMillis(kUser, 0), 0);
  backoff.recordFailure(kUser, 0);
  EXPECT_EQ(backoff.waitMillis(kUser, 0), 0);  // a free attempt again
}

TEST(LoginBackoff, FailuresAreForgottenAfterTheMaximumWithoutOne) {
  UserLoginBackoff backoff({1, 1000, 10'000});
  backoff.recordFailure(kUser, 0);
  backoff.recordFailure(kUser, 0);
  backoff.recordFailure(kUser, 10'001);
  EXPECT_EQ(backoff.waitMillis(kUser, 10'001), 0);  // counted as the first of a new series
}

TEST(LoginBackoff, PruneKeepsKeysStillLockedOrRecent) {
  UserLoginBackoff backoff({1, 1000, 10'000});
  backoff.recordFailure(1, 0);
  backoff.recordFailure(2, 0);
  backoff.recordFailure(2, 5'000);
  EXPECT_EQ(backoff.prune(10'001), 1u);
  EXPECT_EQ(backoff.waitMillis(2, 5'000), 1000);
  EXPECT_EQ(backoff.prune(15'001), 0u);
}

}  // namespace
}  // namespace parley
