// RpcServer and RpcNodeClients over loopback sockets in one process (two io threads, as two
// nodes): pushes arrive byte for byte, close requests get the handler's answer, an unreachable
// peer fails close requests fast, pushes wait for it within their window (then are dropped), a
// malformed frame closes only its own connection.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "nodes/node_clients.h"
#include "nodes/rpc_frame.h"
#include "nodes/rpc_server.h"
#include "testing/eventually.h"
#include "testing/io_threads.h"

namespace parley::nodes {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using parley::testing::eventually;
using parley::testing::IoThreads;

struct ReceivedPush {
  std::vector<int64_t> users;
  std::string notification;
  int64_t except_user_id;
  int32_t except_device_type;
};

class RecordingHandler final : public RpcHandler {
 public:
  void onPush(std::span<const int64_t> user_ids, std::shared_ptr<const std::string> notification,
              int64_t except_user_id, int32_t except_device_type) override {
    std::lock_guard lock(mutex_);
    pushes_.push_back(ReceivedPush{
        {user_ids.begin(), user_ids.end()}, *notification, except_user_id, except_device_type});
  }
  Status onCloseSessions(int64_t user_id, std::span<const int32_t> device_types, int32_t,
                         StatusCode, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    closed_users_.push_back(user_id);
    if (reason == "refuse") return error(StatusCode::kIllegalArgument, "refused " + reason);
    return Status::ok();
  }

  std::vector<ReceivedPush> pushes() const {
    std::lock_guard lock(mutex_);
    return pushes_;
  }
  size_t closes() const {
    std::lock_guard lock(mutex_);
    return closed_users_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ReceivedPush> pushes_;
  std::vector<int64_t> closed_users_;
};

RpcServerOptions loopback(uint16_t port = 0) {
  RpcServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = port;
  return options;
}

NodeClientsOptions fastOptions() {
  NodeClientsOptions options;
  options.connect_timeout = 1000ms;
  options.request_timeout = 2000ms;
  options.reconnect_min_delay = 50ms;
  options.reconnect_max_delay = 200ms;
  options.push_retry_window = 1500ms;
  return options;
}

class RpcLoopbackTest : public ::testing::Test {
 protected:
  void startServer(uint16_t port = 0) {
    auto server = RpcServer::listen(server_io_.context(), loopback(port), handler_);
    ASSERT_TRUE(server.ok()) << server.status().reason;
    server_ = std::move(server).value();
    port_ = server_->port();
  }
  void SetUp() override {
    startServer();
    clients_ = std::make_unique<RpcNodeClients>(
        client_io_.context(),
        [this](std::string_view id) -> std::optional<NodeAddress> {
          if (id != "b") return std::nullopt;
          return NodeAddress{"127.0.0.1", port_.load()};
        },
        fastOptions());
  }
  void TearDown() override {
    clients_.reset();
    if (server_) server_->stop();
  }

  IoThreads server_io_;
  IoThreads client_io_;
  RecordingHandler handler_;
  std::unique_ptr<RpcServer> server_;
  std::atomic<uint16_t> port_{0};
  std::unique_ptr<RpcNodeClients> clients_;
};

TEST_F(RpcLoopbackTest, PushArrivesWithTheSameBytes) {
  std::string bytes(100'000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);
  const int64_t users[] = {1, -5, int64_t{1} << 60};
  clients_->push("b", users, std::make_shared<const std::string>(bytes), 1, 4);
  ASSERT_TRUE(eventually([&] { return handler_.pushes().size() == 1; }));
  const auto push = handler_.pushes()[0];
  EXPECT_EQ(push.notification, bytes);
  EXPECT_EQ(push.users, (std::vector<int64_t>{1, -5, int64_t{1} << 60}));
  EXPECT_EQ(push.except_user_id, 1);
  EXPECT_EQ(push.except_device_type, 4);
  EXPECT_TRUE(eventually([&] { return clients_->stats().pushes_sent == 1; }));
}

TEST_F(RpcLoopbackTest, ManyPushesArriveInOrderOnOneConnection) {
  constexpr int kPushes = 500;
  for (int i = 0; i < kPushes; ++i) {
    const int64_t users[] = {i};
    clients_->push("b", users, std::make_shared<const std::string>(std::to_string(i)), 0, -1);
  }
  ASSERT_TRUE(eventually([&] { return handler_.pushes().size() == kPushes; }));
  const auto pushes = handler_.pushes();
  for (int i = 0; i < kPushes; ++i) ASSERT_EQ(pushes[i].notification, std::to_string(i));
  EXPECT_EQ(server_->stats().connections, 1u);
}

TEST_F(RpcLoopbackTest, CloseSessionsReturnsTheHandlersStatus) {
  const int32_t types[] = {1, 2};
  Status ok = clients_->closeSessions("b", 9, types, 0, StatusCode::kOk, "bye");
  EXPECT_TRUE(ok.isOk()) << ok.reason;
  Status refused = clients_->closeSessions("b", 9, types, 0, StatusCode::kOk, "refuse");
  EXPECT_EQ(refused.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(refused.reason, "refused refuse");
  EXPECT_EQ(handler_.closes(), 2u);
}

TEST_F(RpcLoopbackTest, PipelinedCloseRequestsFromSeveralThreadsAreMatched) {
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const bool refuse = (i + t) % 3 == 0;
        Status status =
            clients_->closeSessions("b", i, {}, 0, StatusCode::kOk, refuse ? "refuse" : "ok");
        if (refuse && status.code == StatusCode::kIllegalArgument) ++refused;
        if (!refuse && status.isOk()) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok + refused, kThreads * kEach);
}

TEST_F(RpcLoopbackTest, UnknownNodeFailsClosesAtOnceAndDropsPushesAfterTheirWindow) {
  Status status = clients_->closeSessions("nobody", 1, {}, 0, StatusCode::kOk, "r");
  EXPECT_EQ(status.code, StatusCode::kServerUnavailable);
  const int64_t users[] = {1};
  clients_->push("nobody", users, std::make_shared<const std::string>("x"), 0, -1);
  EXPECT_TRUE(eventually([&] { return clients_->stats().pushes_dropped == 1; }));
}

TEST_F(RpcLoopbackTest, ServerGoneFailsCloseWithinTheTimeoutAndDropsPushes) {
  ASSERT_TRUE(clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").isOk());
  server_->stop();
  server_.reset();

  const auto started = SteadyClock::now();
  Status status = clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r");
  EXPECT_EQ(status.code, StatusCode::kServerUnavailable) << status.reason;
  // Bounded by the request timeout (plus the sync call's margin), whatever the failure mode.
  EXPECT_LT(SteadyClock::now() - started, fastOptions().request_timeout + 2s);

  const int64_t users[] = {1};
  for (int i = 0; i < 5; ++i) {
    clients_->push("b", users, std::make_shared<const std::string>("x"), 0, -1);
  }
  EXPECT_TRUE(eventually([&] { return clients_->stats().pushes_dropped >= 5; }));
  auto stats = clients_->stats();
  ASSERT_EQ(stats.peers.size(), 1u);
  EXPECT_FALSE(stats.peers[0].connected);
  EXPECT_GE(stats.rpc_errors, 1u);
}

// A peer restarting (or a node whose address is being looked up again) misses no push sent
// meanwhile: the pushes wait, the connection is retried, and they go out once it is back.
TEST_F(RpcLoopbackTest, PushesWaitForAPeerThatComesBackWithinTheirWindow) {
  const int64_t users[] = {1};
  clients_->push("b", users, std::make_shared<const std::string>("before"), 0, -1);
  ASSERT_TRUE(eventually([&] { return handler_.pushes().size() == 1; }));
  const uint16_t port = port_;
  server_->stop();
  server_.reset();
  // Once the client has seen the connection go. (A push written into the connection before
  // that is gone with the peer's process, as are the sessions it was for.)
  ASSERT_TRUE(eventually([&] {
    const auto stats = clients_->stats();
    return !stats.peers.empty() && !stats.peers[0].connected;
  }));
  for (const char* text : {"while down 1", "while down 2", "while down 3"}) {
    clients_->push("b", users, std::make_shared<const std::string>(text), 0, -1);
  }
  std::this_thread::sleep_for(300ms);  // a few failed connects, well inside the window
  startServer(port);
  ASSERT_TRUE(eventually([&] { return handler_.pushes().size() == 4; }));
  const auto pushes = handler_.pushes();
  EXPECT_EQ(pushes[1].notification, "while down 1");
  EXPECT_EQ(pushes[3].notification, "while down 3");
  EXPECT_EQ(clients_->stats().pushes_dropped, 0u);
}

TEST_F(RpcLoopbackTest, ReconnectsWhenThePeerComesBackOnItsPort) {
  ASSERT_TRUE(clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").isOk());
  const uint16_t port = port_;
  server_->stop();
  server_.reset();
  EXPECT_EQ(clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").code,
            StatusCode::kServerUnavailable);
  startServer(port);
  EXPECT_TRUE(eventually(
      [&] { return clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").isOk(); }));
}

TEST_F(RpcLoopbackTest, MalformedFrameClosesOnlyThatConnection) {
  ASSERT_TRUE(clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").isOk());

  IoThreads raw_io;
  asio::ip::tcp::socket raw(raw_io.context());
  raw.connect({asio::ip::make_address("127.0.0.1"), port_});
  // 3 bytes announced, not an RpcFrame.
  asio::write(raw, asio::buffer(std::string("\x00\x00\x00\x03\x0a\x7f\x01", 7)));
  char byte;
  boost::system::error_code ec;
  asio::read(raw, asio::buffer(&byte, 1), ec);  // blocks until the server closes it
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(server_->stats().malformed, 1u);

  // The peer's own connection is untouched.
  EXPECT_TRUE(clients_->closeSessions("b", 2, {}, 0, StatusCode::kOk, "r").isOk());
  EXPECT_EQ(server_->stats().connections, 2u);
}

TEST_F(RpcLoopbackTest, OversizedFrameClosesThatConnection) {
  asio::io_context io;
  asio::ip::tcp::socket raw(io);
  raw.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(raw, asio::buffer(std::string("\xff\xff\xff\xff", 4)));
  char byte;
  boost::system::error_code ec;
  asio::read(raw, asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(server_->stats().malformed, 1u);
}

TEST_F(RpcLoopbackTest, BlockingCloseOnTheClientsIoThreadIsRefused) {
  std::promise<Status> answer;
  asio::post(client_io_.context(), [&] {
    answer.set_value(clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r"));
  });
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(future.get().code, StatusCode::kServerInternalError);
}

TEST(RpcServerTest, RejectsABadBindAddress) {
  IoThreads io;
  RecordingHandler handler;
  RpcServerOptions options;
  options.bind_address = "not an address";
  auto server = RpcServer::listen(io.context(), options, handler);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code, StatusCode::kIllegalArgument);
}

}  // namespace
}  // namespace parley::nodes
