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

#include "testing/temp_dir.h"
#include "testing/test_certificates.h"

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

// Both ends are ByteStreamSockets with TLS, on one io_context: items written before the handshake
// ends wait for it and arrive in order; a client that does not trust the server fails, saying so.
class TlsByteStreamSocketTest : public ::testing::Test {
 protected:
  struct Ends {
    std::shared_ptr<Owner> server;
    std::shared_ptr<Owner> client;
  };

  static ByteStreamSocket<std::string>::Hooks hooksOf(Owner* owner) {
    return {[owner](std::string_view bytes) {
              owner->read.append(bytes);
              return true;
            },
            [owner](const std::string& why) { owner->failures.push_back(why); },
            [owner](std::vector<std::string>& items) {
              owner->written.insert(owner->written.end(), items.begin(), items.end());
            }};
  }

  Ends connect(const std::string& trusted_ca_file) {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor.local_endpoint());
    Ends ends{std::make_shared<Owner>(acceptor.accept()),
              std::make_shared<Owner>(std::move(client_socket))};
    ends.server->stream.useTls(
        TlsContext::forServer({certs_.server_cert_file, certs_.server_key_file}),
        TlsEngine::Role::kServer);
    ends.client->stream.useTls(TlsContext::forClient({trusted_ca_file}), TlsEngine::Role::kClient,
                               "127.0.0.1");
    ends.server->stream.start(hooksOf(ends.server.get()), ends.server);
    ends.client->stream.start(hooksOf(ends.client.get()), ends.client);
    return ends;
  }

  template <typename Done>
  void runUntil(Done done) {
    for (int i = 0; i < 10000 && !done(); ++i) io_.run_one_for(std::chrono::milliseconds(10));
  }

  parley::testing::TempDir dir_{"parley-byte-stream-tls"};
  parley::testing::TestCertificates certs_ =
      parley::testing::writeTestCertificates(dir_.path().string());
  asio::io_context io_;
};

TEST_F(TlsByteStreamSocketTest, ItemsWrittenBeforeTheHandshakeArriveInOrderBothWays) {
  Ends ends = connect(certs_.ca_file);
  for (const char* item : {"one ", "two ", "three"}) ends.client->stream.write(item);
  ends.server->stream.write(std::string(100'000, 's'));  // several records
  runUntil([&] { return ends.server->read.size() == 13 && ends.client->read.size() == 100'000; });
  EXPECT_EQ(ends.server->read, "one two three");
  EXPECT_EQ(ends.client->read, std::string(100'000, 's'));
  EXPECT_EQ(ends.client->written, (std::vector<std::string>{"one ", "two ", "three"}));
  EXPECT_TRUE(ends.server->failures.empty());
  EXPECT_TRUE(ends.client->failures.empty());
}

TEST_F(TlsByteStreamSocketTest, AClientThatDoesNotTrustTheServerFailsAndSendsNothing) {
  parley::testing::TempDir other_dir("parley-byte-stream-other");
  const auto other = parley::testing::writeTestCertificates(other_dir.path().string());
  Ends ends = connect(other.ca_file);
  ends.client->stream.write("secret");
  runUntil([&] { return !ends.client->failures.empty(); });
  ASSERT_FALSE(ends.client->failures.empty());
  ends.client->stream.close();  // what every owner does on a failure
  runUntil([&] { return !ends.server->failures.empty(); });
  EXPECT_FALSE(ends.server->failures.empty());
  EXPECT_NE(ends.client->failures[0].find("certificate"), std::string::npos)
      << ends.client->failures[0];
  EXPECT_TRUE(ends.server->read.empty());
  EXPECT_TRUE(ends.client->written.empty());
}

}  // namespace
}  // namespace parley::net
