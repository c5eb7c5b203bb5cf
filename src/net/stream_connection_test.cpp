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

class OpenedHandler final : public ConnectionHandler {
 public:
  void onOpen(const ConnectionPtr& connection) override { opened.set_value(connection); }
  void onFrame(const ConnectionPtr&, std::string_view) override {}
  void onRejected(const ConnectionPtr&, std::string_view) override {}
  void onClosed(const ConnectionPtr&) override {}
  std::promise<ConnectionPtr> opened;
};

// A server-side TcpConnection on its own io thread, and a blocking client socket reading it.
class StreamConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    auto accepted =
        std::make_shared<TcpConnection>(acceptor.accept(), 1, handler_, TransportLimits{});
    asio::post(io_, [accepted] { accepted->start(); });
    thread_ = std::thread([this] { io_.run(); });
    connection_ = handler_.opened.get_future().get();
  }

  void TearDown() override {
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
  OpenedHandler handler_;
  ConnectionPtr connection_;
  std::thread thread_;
};

// Far more than the socket buffers hold while the client is not reading: the kernel takes a
// part, the rest waits for the socket, and the client still gets every byte in order.
TEST_F(StreamConnectionTest, FramesSentFromAnotherThreadOutlastAFullSocket) {
  constexpr size_t kFrames = 2000;
  constexpr size_t kFrameBytes = 8 * 1024;
  for (size_t i = 0; i < kFrames; ++i) connection_->send(numbered(i, kFrameBytes));
  EXPECT_EQ(readFrames(kFrames), expected(kFrames, kFrameBytes));
}

// The same from the connection's own io thread, where send() queues without a post: one turn
// queues all of them, so the first write is already larger than the socket takes.
TEST_F(StreamConnectionTest, FramesSentFromTheIoThreadOutlastAFullSocket) {
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

}  // namespace
}  // namespace parley::net
