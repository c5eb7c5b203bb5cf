// Timeouts, graceful shutdown and start-up errors of a real parley process.
#include <gtest/gtest.h>

#include "support/client_requests.h"
#include "support/http_client.h"
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

// How many private messages `from` has sent the client's user (the demo data has some).
int64_t totalFrom(TurmsClient& client, int64_t from) {
  pb::TurmsRequest query;
  query.mutable_query_messages_request()->set_are_group_messages(false);
  query.mutable_query_messages_request()->add_from_ids(from);
  query.mutable_query_messages_request()->set_with_total(true);
  query.mutable_query_messages_request()->set_max_count(0);
  const pb::TurmsNotification totals = client.request(query, requests::kRequestTimeout);
  if (totals.code() == 1001) return 0;  // none
  EXPECT_EQ(totals.code(), 1000) << totals.reason();
  const auto& list = totals.data().messages_with_total_list();
  return list.messages_with_total_list_size() == 1 ? list.messages_with_total_list(0).total() : -1;
}

// A client that stops reading while pushes for it pile up is dropped once more than
// gateway.max-unsent-bytes waits for it, instead of holding the node's memory; the messages
// themselves were stored, and it finds every one when it connects again.
TEST(Lifecycle, AClientThatStopsReadingIsDroppedAndLosesNoMessage) {
  ParleyProcess parley({.extra_args = {"--max-unsent-bytes=65536"}});
  auto recipient = requests::loggedIn(parley, 1);
  const int64_t before = totalFrom(*recipient, 2);
  ASSERT_GE(before, 0);
  // From here on the recipient reads nothing.
  auto sender = requests::loggedIn(parley, 2);
  pb::TurmsRequest message;
  message.mutable_create_message_request()->set_recipient_id(1);
  message.mutable_create_message_request()->add_records(std::string(12 * 1024, 'r'));
  // The kernel's socket buffers take some megabytes before the node queues anything; 3,000
  // pushes of 12 KB are far past both. Bounded, and stops at the drop.
  int64_t sent = 0;
  while (sent < 3000 && (sent % 100 != 0 ||
                         metricValue(parley.adminPort(), "parley_clients_not_reading_total") < 1)) {
    ASSERT_EQ(sender->request(message, requests::kRequestTimeout).code(), 1000);
    ++sent;
  }
  EXPECT_EQ(metricValue(parley.adminPort(), "parley_clients_not_reading_total"), 1);
  EXPECT_TRUE(waitForSocketClose(*recipient, 30s));

  auto again = requests::loggedIn(parley, 1);
  EXPECT_EQ(totalFrom(*again, 2), before + sent);
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

// Anyone reaching an unauthenticated RPC port could push to any user and close any session.
TEST(Lifecycle, AClusterNodeWhoseRpcPortIsNotLoopbackNeedsASecret) {
  auto result =
      runParleyToExit({"--redis-session-uris", "redis://127.0.0.1:1", "--rpc-bind", "0.0.0.0",
                       "--ws-port", "0", "--tcp-port", "0", "--admin-port", "0"});
  EXPECT_EQ(result.exit_code, 2);  // a configuration error
  EXPECT_NE(result.output.find("'cluster.secret'"), std::string::npos) << result.output;
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
