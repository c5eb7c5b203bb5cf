// Timeouts, graceful shutdown and start-up errors of a real parley process.
#include <gtest/gtest.h>

#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

TEST(Lifecycle, IdleSessionIsClosedWith110) {
  ParleyProcess parley({.extra_args = {"--close-idle-session-after-seconds=1"}});
  for (auto transport : {Transport::kWebSocket, Transport::kTcp}) {
    auto client = connectTo(parley, transport);
    ASSERT_EQ(client->login(1, "123").code(), 1000);
    EXPECT_EQ(waitForCloseStatus(*client), 110) << transportName(transport);
    EXPECT_TRUE(waitForSocketClose(*client));
  }
}

TEST(Lifecycle, HeartbeatsKeepASessionAlive) {
  ParleyProcess parley({.extra_args = {"--close-idle-session-after-seconds=2"}});
  auto client = connectTo(parley, Transport::kTcp);
  ASSERT_EQ(client->login(1, "123").code(), 1000);
  // Bounded: 8 heartbeats over ~4 s, twice the idle limit.
  for (int i = 0; i < 8; ++i) {
    client->sendHeartbeat();
    auto frame = client->waitFor(
        [](const Frame& f) { return f.kind != Frame::Kind::kNotification || isCloseSignal(f); },
        2s);
    ASSERT_TRUE(frame.has_value());
    ASSERT_EQ(frame->kind, Frame::Kind::kHeartbeat) << "closed after " << i << " heartbeats";
    std::this_thread::sleep_for(500ms);
  }
}

TEST(Lifecycle, ConnectionThatNeverLogsInIsClosedWith111) {
  ParleyProcess parley({.extra_args = {"--login-timeout-seconds=1"}});
  for (auto transport : {Transport::kWebSocket, Transport::kTcp}) {
    auto client = connectTo(parley, transport);
    EXPECT_EQ(waitForCloseStatus(*client), 111) << transportName(transport);
    EXPECT_TRUE(waitForSocketClose(*client));
  }
}

TEST(Lifecycle, GracefulShutdownSends201ToEverySession) {
  ParleyProcess parley;
  auto ws = connectTo(parley, Transport::kWebSocket);
  auto tcp = connectTo(parley, Transport::kTcp);
  ASSERT_EQ(ws->login(1, "123").code(), 1000);
  ASSERT_EQ(tcp->login(2, "123").code(), 1000);
  EXPECT_EQ(parley.terminate(), 0);
  EXPECT_EQ(waitForCloseStatus(*ws), 201);
  EXPECT_EQ(waitForCloseStatus(*tcp), 201);
}

TEST(Lifecycle, UsersSurviveARestart) {
  const TempDir dir("parley-restart");
  {
    ParleyProcess parley({.data_dir = dir.path().string()});
    auto client = connectTo(parley, Transport::kTcp);
    ASSERT_EQ(client->login(3, "123").code(), 1000);
    pb::TurmsRequest update;
    update.mutable_update_user_request()->set_name("renamed");
    ASSERT_EQ(client->request(update).code(), 1000);
    parley.kill9();  // acknowledged means durable, even without a clean shutdown
  }
  {
    // --demo-data again: must not duplicate or reset.
    ParleyProcess parley({.data_dir = dir.path().string()});
    auto client = connectTo(parley, Transport::kTcp);
    ASSERT_EQ(client->login(3, "123").code(), 1000);
    pb::TurmsRequest query;
    query.mutable_query_user_profiles_request()->add_user_ids(3);
    auto response = client->request(query);
    ASSERT_EQ(response.code(), 1000);
    EXPECT_EQ(response.data().user_infos_with_version().user_infos(0).name(), "renamed");
  }
}

TEST(Lifecycle, UnknownConfigKeyStopsStartUpNamingTheKey) {
  auto result = runParleyToExit({"--ws-port", "notaport"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("gateway.ws-port"), std::string::npos) << result.output;
  auto env_result = runParleyToExit({"--wsport", "1"});
  EXPECT_NE(env_result.exit_code, 0);
}

TEST(Lifecycle, UnusableDataDirStopsStartUpWithAClearMessage) {
  auto result = runParleyToExit({"--data-dir", "/proc/parley-cannot-write-here", "--ws-port", "0",
                                 "--tcp-port", "0", "--admin-port", "0"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("/proc/parley-cannot-write-here"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace parley::testing
