// ByteStreamSocket on a real loopback socket: bytes read reach the owner, queued items leave in
// order (those queued during a write together), a close hands back the write in flight, and
// completions after a close do nothing.
#include "net/byte_stream_socket.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

namespace parley::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The socket under test (server side, driven by io_.run_one) and a blocking client peer.
struct Owner {
  ByteStreamSocket<std::string> stream;
  std::string read;
  std::vector<std::string> written;
  std::vector<std::string> failures;
  Owner(tcp::socket socket) : stream(std::move(socket), 4096, 2) {}
};

class ByteStreamSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer_.connect(acceptor.local_endpoint());
    owner_ = std::make_shared<Owner>(acceptor.accept());
    Owner* owner = owner_.get();
    owner_->stream.start({[owner](std::string_view bytes) {
                            owner->read.append(bytes);
                            return true;
                          },
                          [owner](const std::string& why) { owner->failures.push_back(why); },
                          [owner](std::vector<std::string>& items) {
                            owner->written.insert(owner->written.end(), items.begin(), items.end());
                          }},
                         owner_);
  }

  // Runs handlers until done() or a bounded number of them ran.
  template <typename Done>
  void runUntil(Done done) {
    for (int i = 0; i < 10000 && !done(); ++i) io_.run_one_for(std::chrono::milliseconds(10));
  }

  asio::io_context io_;
  tcp::socket peer_{io_};
  std::shared_ptr<Owner> owner_;
};

TEST_F(ByteStreamSocketTest, WritesItemsInOrderAndReadsWhatThePeerSends) {
  for (const char* item : {"one ", "two ", "three ", "four ", "five"}) owner_->stream.write(item);
  runUntil([&] { return owner_->written.size() == 5; });
  EXPECT_EQ(owner_->written, (std::vector<std::string>{"one ", "two ", "three ", "four ", "five"}));
  std::string received(23, '\0');
  asio::read(peer_, asio::buffer(received));
  EXPECT_EQ(received, "one two three four five");

  asio::write(peer_, asio::buffer(std::string("hello")));
  runUntil([&] { return owner_->read.size() == 5; });
  EXPECT_EQ(owner_->read, "hello");
  EXPECT_TRUE(owner_->failures.empty());
}

TEST_F(ByteStreamSocketTest, ThePeerClosingIsAFailureOnce) {
  peer_.close();
  runUntil([&] { return !owner_->failures.empty(); });
  ASSERT_EQ(owner_->failures.size(), 1u);
  EXPECT_EQ(owner_->failures[0], "closed by the peer");
  owner_->stream.close();
  io_.poll();
  EXPECT_EQ(owner_->failures.size(), 1u);
}

// A peer that does not read: the write of a large item stays in flight; close() hands it back,
// keeps what was only queued, and its completion afterwards changes nothing.
TEST_F(ByteStreamSocketTest, CloseHandsBackTheWriteInFlightAndKeepsTheQueue) {
  const std::string large(64u << 20, 'x');
  owner_->stream.write(large);
  owner_->stream.write("queued");
  io_.poll();
  const std::vector<std::string> lost = owner_->stream.close();
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].size(), large.size());
  ASSERT_EQ(owner_->stream.queue().size(), 1u);
  EXPECT_EQ(owner_->stream.queue().front(), "queued");
  io_.poll();
  EXPECT_TRUE(owner_->written.empty());
  EXPECT_TRUE(owner_->failures.empty());
}

}  // namespace
}  // namespace parley::net
