// The write path shared by both transports, on a real loopback socket: frames reach the client
// whole and in order whether the kernel takes them at once or the socket makes them wait.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "net/tcp_connection.h"
#include "net/varint_frame.h"

namespace parley::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class RecordingHandler final : public ConnectionHandler {
 public:
  void onOpen(const ConnectionPtr& connection) override { opened.set_value(connection); }
  void onFrame(const ConnectionPtr&, std::string_view) override {}
  void onRejected(const ConnectionPtr&, std::string_view) override {}
  void onNotReading(const ConnectionPtr&, size_t unsent_bytes) override {
    not_reading.set_value(unsent_bytes);
  }
  void onClosed(const ConnectionPtr&) override { closed.set_value(); }
  std::promise<ConnectionPtr> opened;
  std::promise<size_t> not_reading;
  std::promise<void> closed;
};

// A server-side TcpConnection on its own io thread, and a blocking client socket reading it.
class StreamConnectionTest : public ::testing::Test {
 protected:
  // Far above what the tests queue, except where a test sets its own.
  static constexpr size_t kRoomyUnsentBytes = 64u << 20;

  void connect(size_t max_unsent_bytes = kRoomyUnsentBytes) {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    TransportLimits limits;
    limits.max_unsent_bytes = max_unsent_bytes;
    auto accepted = std::make_shared<TcpConnection>(acceptor.accept(), 1, handler_, limits);
    asio::post(io_, [accepted] { accepted->start(); });
    thread_ = std::thread([this] { io_.run(); });
    connection_ = handler_.opened.get_future().get();
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
    std::vector<char> buffer(64 * 1024);
    while (frames.size() < count) {
      boost::system::error_code ec;
      const size_t read = client_.read_some(asio::buffer(buffer), ec);
      if (ec) break;
      decoder.feed(std::string_view(buffer.data(), read));
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

}  // namespace
}  // namespace parley::net
