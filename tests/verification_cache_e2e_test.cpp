// The embedded node keeps its password verification cache across restarts (issue 14): a user who
// logged in before a restart, or a crash, logs in again after it without Argon2, as the node's
// /metrics show; and the settings that turn it off do.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_database.h"
#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/test_helpers.h"
#include "testing/eventually.h"
#include "testing/temp_dir.h"

namespace parley::testing {
namespace {

using requests::loggedIn;

ParleyOptions inDataDir(const std::string& dir, std::vector<std::string> extra_args = {}) {
  return ParleyOptions{.extra_args = std::move(extra_args), .demo_user_count = 5, .data_dir = dir};
}

int64_t fullVerifications(const ParleyProcess& node) {
  return metricValue(node.adminPort(), "parley_password_full_verifications_total");
}
int64_t sharedHits(const ParleyProcess& node) {
  return metricValue(node.adminPort(), "parley_password_shared_cache_hits_total");
}

int loginCode(const ParleyProcess& node, int64_t user, const std::string& password) {
  auto client = connectTo(node, Transport::kTcp);
  return client->login(user, password, im::turms::proto::ANDROID, 10s).code();
}

// Rows of the verification cache in the node's file, read beside the running node (WAL).
int64_t cacheRows(const std::string& data_dir) {
  sqlite::Database db(data_dir + "/parley.db", sqlite::Database::Access::kRead);
  auto lock = db.lock();
  auto count = db.prepare("SELECT count(*) FROM verified_password");
  if (!count.ok()) return -1;
  const Result<bool> row = count->step();
  return row.ok() && *row ? count->columnInt64(0) : -1;
}

TEST(VerificationCacheRestart, AReturningUserLogsInWithoutArgon2AfterARestart) {
  TempDir dir("parley-restart");
  {
    ParleyProcess first(inDataDir(dir.path().string()));
    auto alice = loggedIn(first, 1);
    EXPECT_EQ(fullVerifications(first), 1);
    EXPECT_EQ(first.terminate(), 0) << first.log();
  }
  ParleyProcess second(inDataDir(dir.path().string()));
  EXPECT_NE(second.log().find("entries kept from the last run"), std::string::npos) << second.log();
  auto alice = loggedIn(second, 1);
  EXPECT_EQ(fullVerifications(second), 0) << "no Argon2 for a user the last run verified";
  EXPECT_EQ(sharedHits(second), 1);
  EXPECT_EQ(loginCode(second, 1, "1234"), 2011) << "a wrong password is still refused";
  EXPECT_EQ(fullVerifications(second), 1);
}

TEST(VerificationCacheRestart, ACrashKeepsWhatReachedTheFile) {
  TempDir dir("parley-crash");
  {
    ParleyProcess first(inDataDir(dir.path().string()));
    auto alice = loggedIn(first, 1);
    // The entry is written behind the login; a crash after that write keeps it.
    ASSERT_TRUE(eventually([&] { return cacheRows(dir.path().string()) == 1; }));
    first.kill9();
  }
  ParleyProcess second(inDataDir(dir.path().string()));
  auto alice = loggedIn(second, 1);
  EXPECT_EQ(fullVerifications(second), 0);
}

TEST(VerificationCacheRestart, TurnedOffTheNextRunVerifiesInFull) {
  TempDir dir("parley-no-cache");
  const std::vector<std::string> no_shared_level = {"--shared-verification-cache-seconds=0"};
  {
    ParleyProcess first(inDataDir(dir.path().string(), no_shared_level));
    auto alice = loggedIn(first, 1);
    auto again = loggedIn(first, 1, im::turms::proto::IOS);
    EXPECT_EQ(fullVerifications(first), 1) << "the in-memory level still works";
    EXPECT_EQ(first.terminate(), 0);
  }
  EXPECT_EQ(cacheRows(dir.path().string()), 0);
  ParleyProcess second(inDataDir(dir.path().string(), {"--verification-cache-seconds=0"}));
  auto alice = loggedIn(second, 1);
  auto again = loggedIn(second, 1, im::turms::proto::IOS);
  EXPECT_EQ(fullVerifications(second), 2) << "no cache at all";
  EXPECT_EQ(sharedHits(second), 0);
}

TEST(VerificationCacheRestart, AShortConfiguredSecretStopsStartUpWithoutShowingIt) {
  const RunResult run = runParleyToExit({"--verification-cache-secret=too-short-to-be-safe"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("password.verification-cache-secret"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("too-short-to-be-safe"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace parley::testing
