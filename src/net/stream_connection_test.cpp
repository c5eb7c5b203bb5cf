// The write path shared by both transports, on a real loopback socket: frames reach the client
// whole and in order whether the kernel takes them at once or the socket makes them wait, in
// plaintext and through TLS.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "net/tcp_connection.h"
#include "net/tls_context.h"
#include "net/tls_engine.h"
#include "net/varint_frame.h"
#include "net/ws_connection.h"
#include "testing/temp_dir.h"
#include "testing/test_certificates.h"

namespace parley::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class RecordingHandler final : public ConnectionHandler {
 public:
  void onOpen(const ConnectionPtr& connection) override { opened.set_value(connection); }
  void onFrame(const ConnectionPtr&, std::string_view payload) override {
    if (frames.size() < 16) frames.emplace_back(payload);
    if (frames.size() == 1) first_frame.set_value();
  }
  void onRejected(const ConnectionPtr&, std::string_view) override {}
  void onNotReading(const ConnectionPtr&, size_t unsent_bytes) override {
    not_reading.set_value(unsent_bytes);
  }
  void onClosed(const ConnectionPtr&) override { closed.set_value(); }
  std::promise<ConnectionPtr> opened;
  std::promise<size_t> not_reading;
  std::promise<void> closed;
  std::vector<std::string> frames;  // the first few, on the io thread
  std::promise<void> first_frame;
};

// A server-side TcpConnection on its own io thread, and a blocking client socket reading it.
class StreamConnectionTest : public ::testing::Test {
 protected:
  // Far above what the tests queue, except where a test sets its own.
  static constexpr size_t kRoomyUnsentBytes = 64u << 20;

  // tls: the server side speaks TLS with it, and the client (tls_client_) does the handshake.
  void connect(size_t max_unsent_bytes = kRoomyUnsentBytes, const TlsContext* tls = nullptr) {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    TransportLimits limits;
    limits.max_unsent_bytes = max_unsent_bytes;
    auto accepted = std::make_shared<TcpConnection>(acceptor.accept(), 1, handler_, limits, tls);
    asio::post(io_, [accepted] { accepted->start(); });
    thread_ = std::thread([this] { io_.run(); });
    connection_ = handler_.opened.get_future().get();
    if (tls != nullptr) {
      tls_client_ =
          std::make_unique<TlsEngine>(*client_tls_, TlsEngine::Role::kClient, "127.0.0.1");
      tls_client_->startHandshake();
      writeClientOutput();
    }
  }

  // TLS: what the client's session has to say, written blocking.
  void writeClientOutput() {
    asio::write(client_, asio::buffer(tls_client_->output()));
    tls_client_->output().clear();
  }

  // TLS: reads and answers handshake records until the client's session is established.
  bool completeClientHandshake() {
    std::vector<char> buffer(16 * 1024);
    while (!tls_client_->established()) {
      boost::system::error_code ec;
      const size_t read = client_.read_some(asio::buffer(buffer), ec);
      if (ec) return false;
      if (tls_client_->feed(std::string_view(buffer.data(), read),
                            [](std::span<char>) { return true; }) != TlsEngine::FeedResult::kOk) {
        return false;
      }
      if (!tls_client_->output().empty()) writeClientOutput();
    }
    return true;
  }

  // What the client reads, decrypted when it speaks TLS; empty on an error.
  std::string readClientBytes() {
    std::vector<char> buffer(64 * 1024);
    std::string plain;
    while (plain.empty()) {
      boost::system::error_code ec;
      const size_t read = client_.read_some(asio::buffer(buffer), ec);
      if (ec) return {};
      if (!tls_client_) return std::string(buffer.data(), read);
      const auto result =
          tls_client_->feed(std::string_view(buffer.data(), read), [&](std::span<char> bytes) {
            plain.append(bytes.data(), bytes.size());
            return true;
          });
      if (result != TlsEngine::FeedResult::kOk) return {};
      if (!tls_client_->output().empty()) writeClientOutput();
    }
    return plain;
  }

  void TearDown() override {
    if (!thread_.joinable()) return;
    work_.reset();
    connection_.reset();
    client_.close();
    io_.stop();
    thread_.join();
  }

  // Reads frames until `count` have arrived (or the server closed the socket).
  std::vector<std::string> readFrames(size_t count) {
    VarintFrameDecoder decoder(1 << 20);
    std::vector<std::string> frames;
    while (frames.size() < count) {
      const std::string bytes = readClientBytes();
      if (bytes.empty()) break;
      decoder.feed(bytes);
      std::string_view payload;
      while (decoder.next(&payload) == VarintFrameDecoder::State::kFrame) {
        frames.emplace_back(payload);
      }
    }
    return frames;
  }

  // A frame of `size` bytes that names its number, so order and integrity both show.
  static Payload numbered(size_t number, size_t size) {
    std::string text = std::to_string(number) + ":";
    text.resize(size, static_cast<char>('a' + number % 26));
    return std::make_shared<const std::string>(std::move(text));
  }

  static std::vector<std::string> expected(size_t count, size_t size) {
    std::vector<std::string> frames;
    for (size_t i = 0; i < count; ++i) frames.push_back(*numbered(i, size));
    return frames;
  }

  asio::io_context io_{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      asio::make_work_guard(io_)};
  tcp::socket client_{io_};
  parley::testing::TempDir certs_dir_{"parley-stream-tls"};
  parley::testing::TestCertificates certs_ =
      parley::testing::writeTestCertificates(certs_dir_.path().string());
  std::shared_ptr<const TlsContext> server_tls_ =
      TlsContext::forServer({certs_.server_cert_file, certs_.server_key_file});
  std::shared_ptr<const TlsContext> client_tls_ = TlsContext::forClient({certs_.ca_file});
  std::unique_ptr<TlsEngine> tls_client_;  // with a TLS connection
  RecordingHandler handler_;
  ConnectionPtr connection_;
  std::thread thread_;
};

// Far more than the socket buffers hold while the client is not reading: the kernel takes a
// part, the rest waits for the socket, and the client still gets every byte in order.
TEST_F(StreamConnectionTest, FramesSentFromAnotherThreadOutlastAFullSocket) {
  connect();
  constexpr size_t kFrames = 2000;
  constexpr size_t kFrameBytes = 8 * 1024;
  for (size_t i = 0; i < kFrames; ++i) connection_->send(numbered(i, kFrameBytes));
  EXPECT_EQ(readFrames(kFrames), expected(kFrames, kFrameBytes));
}

// The same from the connection's own io thread, where send() queues without a post: one turn
// queues all of them, so the first write is already larger than the socket takes.
TEST_F(StreamConnectionTest, FramesSentFromTheIoThreadOutlastAFullSocket) {
  connect();
  constexpr size_t kFrames = 2000;
  constexpr size_t kFrameBytes = 8 * 1024;
  asio::post(io_, [this] {
    for (size_t i = 0; i < kFrames; ++i) connection_->send(numbered(i, kFrameBytes));
  });
  EXPECT_EQ(readFrames(kFrames), expected(kFrames, kFrameBytes));
}

// A frame sent from another thread is still on its way (posted) when the io thread sends one
// of its own: the io thread's frame must not overtake it.
TEST_F(StreamConnectionTest, FramesKeepTheOrderOfTheSendCalls) {
  connect();
  std::promise<void> io_thread_waiting;
  std::promise<void> other_thread_sent;
  asio::post(io_, [&, sent = other_thread_sent.get_future()]() mutable {
    io_thread_waiting.set_value();
    sent.wait();
    connection_->send(numbered(1, 16));
  });
  io_thread_waiting.get_future().wait();
  connection_->send(numbered(0, 16));
  other_thread_sent.set_value();
  EXPECT_EQ(readFrames(2), expected(2, 16));
}

// A client that stops reading does not make the server keep every frame for it: once more than
// the bound waits beyond its socket buffer, the handler hears so and the connection is dropped.
// What the client did receive is intact and in order.
TEST_F(StreamConnectionTest, AClientThatStopsReadingIsDroppedAtTheBound) {
  constexpr size_t kBound = 256 * 1024;
  constexpr size_t kFrameBytes = 8 * 1024;
  connect(kBound);
  auto not_reading = handler_.not_reading.get_future();
  size_t sent = 0;
  // Bounded: 80 MB is far more than the socket buffers and the bound together.
  while (sent < 10000 &&
         not_reading.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    connection_->send(numbered(sent++, kFrameBytes));
  }
  ASSERT_EQ(not_reading.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "the connection was never dropped";
  EXPECT_GT(not_reading.get(), kBound);
  EXPECT_EQ(handler_.closed.get_future().wait_for(std::chrono::seconds(30)),
            std::future_status::ready);
  const std::vector<std::string> received = readFrames(sent);
  EXPECT_LT(received.size(), sent) << "the frames past the bound were let go";
  EXPECT_EQ(received, expected(received.size(), kFrameBytes));
}

// The same through TLS: the records of a write the socket did not take wait for it, whole and
// in order, and frames queued during the handshake wait for its end.
TEST_F(StreamConnectionTest, TlsFramesOutlastAFullSocket) {
  connect(kRoomyUnsentBytes, server_tls_.get());
  constexpr size_t kFrames = 2000;
  constexpr size_t kFrameBytes = 8 * 1024;
  for (size_t i = 0; i < kFrames; ++i) connection_->send(numbered(i, kFrameBytes));
  EXPECT_EQ(readFrames(kFrames), expected(kFrames, kFrameBytes));
}

// A WebSocket client over TLS whose upgrade request and first frame arrive in one record: the
// frame is kept while the 101 is written, then handled, and reading goes on.
TEST_F(StreamConnectionTest, TlsWebSocketFrameBehindTheUpgradeInOneRecord) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  client_.connect(acceptor.local_endpoint());
  auto accepted = std::make_shared<WsConnection>(acceptor.accept(), 1, handler_, TransportLimits{},
                                                 server_tls_.get());
  asio::post(io_, [accepted] { accepted->start(); });
  thread_ = std::thread([this] { io_.run(); });
  tls_client_ = std::make_unique<TlsEngine>(*client_tls_, TlsEngine::Role::kClient, "127.0.0.1");
  tls_client_->startHandshake();
  writeClientOutput();
  ASSERT_TRUE(completeClientHandshake());

  // A masked binary frame (mask key 0) carrying "hello", right behind the request.
  const std::string request =
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const std::string frame = std::string("\x82\x85\0\0\0\0", 6) + "hello";
  ASSERT_TRUE(tls_client_->encrypt(request + frame));
  writeClientOutput();
  EXPECT_EQ(readClientBytes().rfind("HTTP/1.1 101", 0), 0u);
  ASSERT_EQ(handler_.first_frame.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  EXPECT_EQ(handler_.frames.front(), "hello");  // written before the promise was kept
  connection_ = handler_.opened.get_future().get();
}

}  // namespace
}  // namespace parley::net
