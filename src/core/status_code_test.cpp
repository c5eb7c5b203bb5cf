#include "core/status_code.h"

#include <gtest/gtest.h>

#include "core/result.h"

namespace parley {
namespace {

TEST(StatusCode, NumbersAreTheUpstreamOnes) {
  // Clients switch on these numbers; a renumbering would break every SDK.
  EXPECT_EQ(toInt(StatusCode::kOk), 1000);
  EXPECT_EQ(toInt(StatusCode::kNoContent), 1001);
  EXPECT_EQ(toInt(StatusCode::kInvalidRequest), 1100);
  EXPECT_EQ(toInt(StatusCode::kIllegalArgument), 1102);
  EXPECT_EQ(toInt(StatusCode::kServerInternalError), 1200);
  EXPECT_EQ(toInt(StatusCode::kServerUnavailable), 1201);
  EXPECT_EQ(toInt(StatusCode::kUnsupportedClientVersion), 2000);
  EXPECT_EQ(toInt(StatusCode::kLoginAuthenticationFailed), 2011);
  EXPECT_EQ(toInt(StatusCode::kLoggingInUserNotActive), 2012);
  EXPECT_EQ(toInt(StatusCode::kCreateExistingSession), 2103);
  EXPECT_EQ(toInt(StatusCode::kUpdateHeartbeatOfNonexistentSession), 2104);
}

TEST(StatusCode, SuccessIsTheThousandsBelow1100) {
  EXPECT_TRUE(isSuccess(StatusCode::kOk));
  EXPECT_TRUE(isSuccess(StatusCode::kNoContent));
  EXPECT_TRUE(isSuccess(StatusCode::kAlreadyUpToDate));
  EXPECT_FALSE(isSuccess(StatusCode::kInvalidRequest));
  EXPECT_FALSE(isSuccess(StatusCode::kLoginAuthenticationFailed));
}

TEST(StatusCode, ServerErrorsAreThe1200s) {
  EXPECT_TRUE(isServerError(StatusCode::kServerInternalError));
  EXPECT_TRUE(isServerError(StatusCode::kServerUnavailable));
  EXPECT_FALSE(isServerError(StatusCode::kIllegalArgument));
  EXPECT_FALSE(isServerError(StatusCode::kLoginAuthenticationFailed));
}

TEST(StatusCode, NamesAreTheUpstreamEnumNames) {
  EXPECT_EQ(statusName(StatusCode::kLoginAuthenticationFailed), "LOGIN_AUTHENTICATION_FAILED");
  EXPECT_EQ(statusName(StatusCode::kUpdateHeartbeatOfNonexistentSession),
            "UPDATE_HEARTBEAT_OF_NONEXISTENT_SESSION");
  EXPECT_EQ(statusName(static_cast<StatusCode>(4242)), "UNKNOWN_STATUS");
}

TEST(Result, CarriesAValueOrAStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = error(StatusCode::kServerUnavailable, "database down");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code, StatusCode::kServerUnavailable);
  EXPECT_EQ(bad.status().reason, "database down");
  VoidResult done;
  EXPECT_TRUE(done.ok());
  VoidResult failed = error(StatusCode::kIllegalArgument);
  EXPECT_FALSE(failed.ok());
}

}  // namespace
}  // namespace parley
