// RpcServer and RpcNodeClients over loopback sockets in one process (two io threads, as two
// nodes): pushes arrive byte for byte, close requests get the handler's answer, an unreachable
// peer fails close requests fast, pushes wait for it within their window (then are dropped), a
// malformed frame closes only its own connection. Both ends hold a cluster secret unless a test
// says otherwise: every connection runs the handshake, and one that fails it (or skips it) gets
// nothing acted on. Raw sockets play the attacker.
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
#include <optional>
#include <thread>
#include <vector>

#include "nodes/node_clients.h"
#include "nodes/rpc_auth.h"
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

const std::string kSecret = "loopback-test-cluster-secret";

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
  void onNodeJoined(const rpc::NodeJoined& joined) override {
    std::lock_guard lock(mutex_);
    joined_.push_back(joined.node_id());
  }

  std::vector<ReceivedPush> pushes() const {
    std::lock_guard lock(mutex_);
    return pushes_;
  }
  size_t closes() const {
    std::lock_guard lock(mutex_);
    return closed_users_.size();
  }
  std::vector<std::string> joined() const {
    std::lock_guard lock(mutex_);
    return joined_;
  }
  // Nothing at all was acted on.
  bool untouched() const {
    std::lock_guard lock(mutex_);
    return pushes_.empty() && closed_users_.empty() && joined_.empty();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ReceivedPush> pushes_;
  std::vector<int64_t> closed_users_;
  std::vector<std::string> joined_;
};

RpcServerOptions loopback(uint16_t port = 0, std::string secret = kSecret) {
  RpcServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = port;
  options.secret = std::move(secret);
  return options;
}

NodeClientsOptions fastOptions(std::string secret = kSecret) {
  NodeClientsOptions options;
  options.node_id = "a";
  options.secret = std::move(secret);
  options.connect_timeout = 1000ms;
  options.request_timeout = 2000ms;
  options.reconnect_min_delay = 50ms;
  options.reconnect_max_delay = 200ms;
  options.push_retry_window = 1500ms;
  return options;
}

// A hand-driven peer on a blocking socket: sends what a real node never would.
class RawPeer {
 public:
  // receive_buffer > 0: a small socket buffer, so that what the peer leaves unread soon stays in
  // the server's queue instead of the kernel's.
  explicit RawPeer(uint16_t port, int receive_buffer = 0) : socket_(io_) {
    socket_.open(asio::ip::tcp::v4());
    if (receive_buffer > 0) {
      socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    }
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  rpc::RpcFrame readFrame() {
    uint8_t header[kRpcFrameHeaderSize];
    asio::read(socket_, asio::buffer(header));
    std::string payload(rpcFrameLength(header), '\0');
    asio::read(socket_, asio::buffer(payload));
    rpc::RpcFrame frame;
    EXPECT_TRUE(frame.ParseFromString(payload));
    return frame;
  }
  void write(const rpc::RpcFrame& frame) { writeBytes(encodeRpcFrame(frame)); }
  void writeBytes(const std::string& bytes) {
    boost::system::error_code ignored;  // the server may have closed already
    asio::write(socket_, asio::buffer(bytes), ignored);
  }

  // The client side of the handshake with `secret`; true when the server's answer proves it,
  // false when it does not or the server hangs up.
  bool authenticate(const std::string& secret) try {
    const rpc::RpcFrame challenge = readFrame();
    const std::string& server_nonce = challenge.auth_challenge().server_nonce();
    const std::string client_nonce = newRpcNonce();
    rpc::RpcFrame response;
    response.mutable_auth_response()->set_client_nonce(client_nonce);
    response.mutable_auth_response()->set_node_id("raw");
    response.mutable_auth_response()->set_proof(
        rpcClientProof(secret, server_nonce, client_nonce, "raw"));
    write(response);
    const rpc::RpcFrame accepted = readFrame();
    return sameRpcProof(rpcServerProof(secret, client_nonce, server_nonce),
                        accepted.auth_accepted().proof());
  } catch (const boost::system::system_error&) {
    return false;
  }

  // Blocks until the server closes the connection (the test's timeout bounds it); true when it
  // did, having sent nothing more.
  bool closedByServer() {
    char byte;
    boost::system::error_code ec;
    asio::read(socket_, asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  asio::ip::tcp::socket& socket() { return socket_; }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
};

rpc::RpcFrame nodeJoined(const std::string& node_id) {
  rpc::RpcFrame frame;
  frame.set_request_id(7);
  frame.mutable_node_joined()->set_node_id(node_id);
  frame.mutable_node_joined()->set_rpc_host("203.0.113.9");
  frame.mutable_node_joined()->set_rpc_port(7510);
  return frame;
}

class RpcLoopbackTest : public ::testing::Test {
 protected:
  void startServer(uint16_t port = 0) { startServer(loopback(port)); }
  void startServer(RpcServerOptions options) {
    auto server = RpcServer::listen(server_io_.context(), std::move(options), handler_);
    ASSERT_TRUE(server.ok()) << server.status().reason;
    server_ = std::move(server).value();
    port_ = server_->port();
  }
  // The fixture's server replaced by one with other options (on another port).
  void restartServer(RpcServerOptions options) {
    server_->stop();
    startServer(std::move(options));
  }
  template <typename Change>
  void restartServerWith(Change change) {
    RpcServerOptions options = loopback();
    change(options);
    restartServer(std::move(options));
  }
  std::unique_ptr<RpcNodeClients> makeClients(NodeClientsOptions options) {
    return std::make_unique<RpcNodeClients>(
        client_io_.context(),
        [this](std::string_view id) -> std::optional<NodeAddress> {
          if (id != "b") return std::nullopt;
          return NodeAddress{"127.0.0.1", port_.load()};
        },
        std::move(options));
  }
  void SetUp() override {
    startServer();
    clients_ = makeClients(fastOptions());
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

  RawPeer raw(port_);
  ASSERT_TRUE(raw.authenticate(kSecret));
  // 3 bytes announced, not an RpcFrame.
  raw.writeBytes(std::string("\x00\x00\x00\x03\x0a\x7f\x01", 7));
  EXPECT_TRUE(raw.closedByServer());
  EXPECT_EQ(server_->stats().malformed, 1u);

  // The peer's own connection is untouched.
  EXPECT_TRUE(clients_->closeSessions("b", 2, {}, 0, StatusCode::kOk, "r").isOk());
  EXPECT_EQ(server_->stats().connections, 2u);
}

// The limit holds for authenticated peers too: a frame past it is not even buffered.
TEST_F(RpcLoopbackTest, OversizedFrameClosesThatConnection) {
  RawPeer raw(port_);
  ASSERT_TRUE(raw.authenticate(kSecret));
  const size_t over = loopback().max_frame_size + 1;
  raw.writeBytes(std::string{static_cast<char>(over >> 24), static_cast<char>(over >> 16),
                             static_cast<char>(over >> 8), static_cast<char>(over)});
  EXPECT_TRUE(raw.closedByServer());
  EXPECT_EQ(server_->stats().malformed, 1u);
}

// ---- Authentication ----

TEST_F(RpcLoopbackTest, ClientsWithTheSecretAreServedAndTheServerProvesItToo) {
  const int64_t users[] = {3};
  clients_->push("b", users, std::make_shared<const std::string>("hello"), 0, -1);
  ASSERT_TRUE(eventually([&] { return handler_.pushes().size() == 1; }));
  EXPECT_TRUE(clients_->closeSessions("b", 3, {}, 0, StatusCode::kOk, "r").isOk());
  EXPECT_EQ(server_->stats().auth_failures, 0u);
  EXPECT_EQ(clients_->stats().handshake_failures, 0u);
}

TEST_F(RpcLoopbackTest, AWrongSecretIsRefusedAndNothingItSentIsActedOn) {
  auto intruder = makeClients(fastOptions("not-the-cluster-secret"));
  const int64_t users[] = {3};
  intruder->push("b", users, std::make_shared<const std::string>("forged"), 0, -1);
  EXPECT_EQ(intruder->closeSessions("b", 3, {}, 0, StatusCode::kOk, "r").code,
            StatusCode::kServerUnavailable);
  EXPECT_TRUE(eventually([&] { return server_->stats().auth_failures >= 1; }));
  EXPECT_GE(intruder->stats().handshake_failures, 1u);
  EXPECT_TRUE(eventually([&] { return intruder->stats().pushes_dropped == 1; }));
  EXPECT_TRUE(handler_.untouched());
  EXPECT_EQ(server_->stats().pushes, 0u);
}

TEST_F(RpcLoopbackTest, AClientWithoutASecretIsRefusedByAServerWithOne) {
  auto open_node = makeClients(fastOptions(""));
  EXPECT_EQ(open_node->closeSessions("b", 3, {}, 0, StatusCode::kOk, "r").code,
            StatusCode::kServerUnavailable);
  EXPECT_GE(open_node->stats().handshake_failures, 1u);
  EXPECT_TRUE(eventually([&] { return server_->stats().auth_failures >= 1; }));
  EXPECT_TRUE(handler_.untouched());
}

TEST_F(RpcLoopbackTest, AClientWithASecretRefusesAServerWithout) {
  restartServer(loopback(0, ""));
  EXPECT_EQ(clients_->closeSessions("b", 3, {}, 0, StatusCode::kOk, "r").code,
            StatusCode::kServerUnavailable);
  EXPECT_GE(clients_->stats().handshake_failures, 1u);
  EXPECT_TRUE(handler_.untouched());
}

TEST_F(RpcLoopbackTest, WithoutASecretOnEitherEndRequestsFlowOnLoopback) {
  restartServer(loopback(0, ""));
  auto open_node = makeClients(fastOptions(""));
  EXPECT_TRUE(open_node->closeSessions("b", 3, {}, 0, StatusCode::kOk, "r").isOk());
  EXPECT_EQ(open_node->stats().handshake_failures, 0u);
}

// A fake "node joined" would make this node route users' pushes to the attacker.
TEST_F(RpcLoopbackTest, AForgedNodeJoinedWithoutTheHandshakeChangesNothing) {
  RawPeer raw(port_);
  const rpc::RpcFrame challenge = raw.readFrame();
  ASSERT_EQ(challenge.auth_challenge().server_nonce().size(), kRpcNonceSize);
  raw.write(nodeJoined("evil"));
  EXPECT_TRUE(raw.closedByServer());  // no answer: closed
  EXPECT_EQ(server_->stats().auth_failures, 1u);
  EXPECT_TRUE(handler_.joined().empty());
  EXPECT_TRUE(handler_.untouched());
}

TEST_F(RpcLoopbackTest, AForgedNodeJoinedBehindAWrongProofChangesNothing) {
  RawPeer raw(port_);
  const rpc::RpcFrame challenge = raw.readFrame();
  rpc::RpcFrame response;
  response.mutable_auth_response()->set_client_nonce(newRpcNonce());
  response.mutable_auth_response()->set_node_id("evil");
  response.mutable_auth_response()->set_proof(std::string(32, 'x'));
  // The announcement pipelined right behind the answer: it must not be read as a request.
  raw.writeBytes(encodeRpcFrame(response) + encodeRpcFrame(nodeJoined("evil")));
  EXPECT_TRUE(raw.closedByServer());
  EXPECT_EQ(server_->stats().auth_failures, 1u);
  EXPECT_TRUE(handler_.untouched());
}

TEST_F(RpcLoopbackTest, AnAnnouncementAfterTheHandshakeIsActedOn) {
  RawPeer raw(port_);
  ASSERT_TRUE(raw.authenticate(kSecret));
  raw.write(nodeJoined("node-c"));
  const rpc::RpcFrame answer = raw.readFrame();
  EXPECT_EQ(answer.request_id(), 7);
  EXPECT_EQ(handler_.joined(), std::vector<std::string>{"node-c"});
}

// Both ends verify: a server that cannot prove the secret gets no request from the client.
TEST_F(RpcLoopbackTest, AnImpostorServerGetsNothingFromTheClient) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  server_->stop();
  port_ = acceptor.local_endpoint().port();
  const int64_t users[] = {3};
  clients_->push("b", users, std::make_shared<const std::string>("secret news"), 0, -1);

  asio::ip::tcp::socket socket(io);
  acceptor.accept(socket);
  rpc::RpcFrame challenge;
  challenge.mutable_auth_challenge()->set_server_nonce(newRpcNonce());
  asio::write(socket, asio::buffer(encodeRpcFrame(challenge)));
  rpc::RpcFrame accepted;
  accepted.mutable_auth_accepted()->set_proof(std::string(32, 'x'));
  asio::write(socket, asio::buffer(encodeRpcFrame(accepted)));
  // Everything the client sends until it hangs up: its handshake answer, and no push.
  std::string received;
  boost::system::error_code ec;
  char buffer[4096];
  while (!ec) received.append(buffer, socket.read_some(asio::buffer(buffer), ec));
  RpcFrameDecoder decoder;
  decoder.feed(received);
  rpc::RpcFrame frame;
  ASSERT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kFrame);
  EXPECT_EQ(frame.body_case(), rpc::RpcFrame::kAuthResponse);
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kNeedMore);
  EXPECT_GE(clients_->stats().handshake_failures, 1u);
}

TEST_F(RpcLoopbackTest, AHandshakeNotFinishedInTimeIsClosed) {
  restartServerWith([](RpcServerOptions& options) { options.handshake_timeout = 200ms; });
  RawPeer raw(port_);
  raw.readFrame();  // the challenge, never answered
  EXPECT_TRUE(raw.closedByServer());
  EXPECT_EQ(server_->stats().auth_failures, 1u);
}

// ---- Bounds ----

TEST_F(RpcLoopbackTest, ConnectionsBeyondTheLimitAreRefused) {
  restartServerWith([](RpcServerOptions& options) { options.max_connections = 2; });
  RawPeer first(port_);
  RawPeer second(port_);
  ASSERT_TRUE(first.authenticate(kSecret));
  ASSERT_TRUE(second.authenticate(kSecret));
  RawPeer third(port_);
  EXPECT_TRUE(third.closedByServer());
  EXPECT_EQ(server_->stats().refused, 1u);
  // Once one goes, there is room again.
  first.socket().close();
  EXPECT_TRUE(eventually([&] {
    RawPeer again(port_);
    return again.authenticate(kSecret);
  }));
}

// Handshakes never finished from one address hold at most max_handshaking_per_address slots: the
// next connection from it is refused at once, and a finished handshake frees its slot.
TEST_F(RpcLoopbackTest, UnfinishedHandshakesFromOneAddressAreCapped) {
  restartServerWith([](RpcServerOptions& options) { options.max_handshaking_per_address = 2; });
  RawPeer first(port_);
  RawPeer second(port_);
  // Both got their challenge (the server accepted them) and answer nothing.
  ASSERT_TRUE(eventually([&] { return server_->stats().connections == 2; }));
  RawPeer third(port_);
  EXPECT_TRUE(third.closedByServer());
  EXPECT_EQ(server_->stats().refused, 1u);
  // A connection that closes before finishing frees its slot; one that finishes frees it too.
  first.socket().close();
  std::optional<RawPeer> proven;
  EXPECT_TRUE(eventually([&] {
    proven.emplace(port_);
    return proven->authenticate(kSecret);
  }));
  RawPeer fourth(port_);
  EXPECT_TRUE(fourth.authenticate(kSecret));
}

TEST_F(RpcLoopbackTest, AnIdleConnectionIsClosed) {
  restartServerWith([](RpcServerOptions& options) { options.idle_timeout = 300ms; });
  RawPeer raw(port_);
  ASSERT_TRUE(raw.authenticate(kSecret));
  EXPECT_TRUE(raw.closedByServer());
  EXPECT_EQ(server_->stats().idle_closed, 1u);
}

// The clients' pings keep their connection open through the server's idle timeout.
TEST_F(RpcLoopbackTest, KeepalivePingsHoldAQuietConnectionOpen) {
  restartServerWith([](RpcServerOptions& options) { options.idle_timeout = 2000ms; });
  auto client_options = fastOptions();
  // Not shorter: a ping unanswered for an interval drops the connection, and a loaded machine
  // may stall an io thread for a while.
  client_options.keepalive_interval = 500ms;
  auto pinging = makeClients(client_options);
  ASSERT_TRUE(pinging->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").isOk());
  std::this_thread::sleep_for(5000ms);  // well past the idle timeout, without a request
  EXPECT_EQ(server_->stats().idle_closed, 0u);
  EXPECT_TRUE(pinging->closeSessions("b", 2, {}, 0, StatusCode::kOk, "r").isOk());
  EXPECT_EQ(pinging->stats().peers.at(0).connects, 1u);
}

TEST_F(RpcLoopbackTest, RepliesLeftUnreadPastTheBoundCloseTheConnection) {
  restartServerWith([](RpcServerOptions& options) { options.max_queued_reply_bytes = 4096; });
  RawPeer raw(port_, /*receive_buffer=*/4096);
  ASSERT_TRUE(raw.authenticate(kSecret));
  // Requests whose answers are never read: they fill the socket buffers, then the queue.
  std::string pings;
  for (int i = 1; i <= 200'000; ++i) {
    rpc::RpcFrame ping;
    ping.set_request_id(i);
    ping.mutable_ping();
    appendRpcFrame(pings, ping);
  }
  raw.writeBytes(pings);
  EXPECT_TRUE(eventually([&] { return server_->stats().overflowed == 1; }));
}

TEST_F(RpcLoopbackTest, APushToALargeGroupIsSplitIntoFramesWithinTheLimit) {
  std::vector<int64_t> users(2 * kMaxUsersPerPushFrame + 10);
  for (size_t i = 0; i < users.size(); ++i) users[i] = static_cast<int64_t>(i) + 1;
  clients_->push("b", users, std::make_shared<const std::string>("group news"), 0, -1);
  ASSERT_TRUE(eventually([&] { return handler_.pushes().size() == 3; }));
  std::vector<int64_t> received;
  for (const auto& push : handler_.pushes()) {
    EXPECT_EQ(push.notification, "group news");
    received.insert(received.end(), push.users.begin(), push.users.end());
  }
  EXPECT_EQ(received, users);
}

// ---- Peers that left ----

TEST_F(RpcLoopbackTest, ANodeThatLeftIsForgottenWithItsConnection) {
  ASSERT_TRUE(clients_->closeSessions("b", 1, {}, 0, StatusCode::kOk, "r").isOk());
  ASSERT_TRUE(clients_->connected("b"));
  const uint64_t requests = clients_->stats().close_requests;
  clients_->forgetAllBut({"c"});
  EXPECT_TRUE(eventually([&] { return clients_->stats().peers.empty(); }));
  EXPECT_FALSE(clients_->connected("b"));
  EXPECT_EQ(clients_->stats().close_requests, requests);  // the totals keep what it did
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

TEST(RpcServerTest, RefusesToListenBeyondLoopbackWithoutASecret) {
  IoThreads io;
  RecordingHandler handler;
  auto options = loopback(0, "");
  options.bind_address = "0.0.0.0";
  auto server = RpcServer::listen(io.context(), options, handler);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code, StatusCode::kIllegalArgument);
  EXPECT_NE(server.status().reason.find("cluster.secret"), std::string::npos);
}

TEST(RpcServerTest, RefusesAShortSecret) {
  IoThreads io;
  RecordingHandler handler;
  auto server = RpcServer::listen(io.context(), loopback(0, "short"), handler);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code, StatusCode::kIllegalArgument);
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
