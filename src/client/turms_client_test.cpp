#include "client/turms_client.h"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace parley::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Tcp = asio::ip::tcp;
using WebSocket = websocket::stream<Tcp::socket>;
using im::turms::proto::TurmsNotification;
using im::turms::proto::TurmsRequest;
using namespace std::chrono_literals;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

// --- wire ---------------------------------------------------------------------------------------

TEST(Varint32Test, EncodesLikeProtobuf) {
  auto encode = [](uint32_t value) {
    std::string out;
    wire::appendVarint32(out, value);
    return out;
  };
  EXPECT_EQ(encode(0), bytes({0x00}));
  EXPECT_EQ(encode(127), bytes({0x7f}));
  EXPECT_EQ(encode(128), bytes({0x80, 0x01}));
  EXPECT_EQ(encode(300), bytes({0xac, 0x02}));
  EXPECT_EQ(encode(0xffffffff), bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
}

// A login request as turms-client-js encodes it, as a TCP frame.
const std::string kLoginFrame = bytes({0x0f, 0x08, 0x2a, 0x1a, 0x0b, 0x08, 0x01, 0x10, 0x01, 0x1a,
                                       0x03, 0x31, 0x32, 0x33, 0x20, 0x00});

TEST(FrameDecoderTest, DecodesReferenceFrameFedByteByByte) {
  wire::FrameDecoder decoder(1024);
  std::string payload;
  for (size_t i = 0; i + 1 < kLoginFrame.size(); ++i) {
    decoder.append(kLoginFrame.substr(i, 1));
    ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kNeedMore) << "byte " << i;
  }
  decoder.append(kLoginFrame.substr(kLoginFrame.size() - 1));
  ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kFrame);
  TurmsRequest request;
  ASSERT_TRUE(request.ParseFromString(payload));
  EXPECT_EQ(request.request_id(), 42);
  EXPECT_EQ(request.create_session_request().user_id(), 1);
  EXPECT_EQ(request.create_session_request().password(), "123");
  EXPECT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kNeedMore);
}

TEST(FrameDecoderTest, SplitsHeartbeatsAndFramesInOneChunk) {
  wire::FrameDecoder decoder(1024);
  decoder.append(bytes({0x00}) + kLoginFrame + bytes({0x00, 0x02, 0x08}));
  std::string payload;
  ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kFrame);
  EXPECT_TRUE(payload.empty());
  ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kFrame);
  EXPECT_EQ(payload, kLoginFrame.substr(1));
  ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kFrame);
  EXPECT_TRUE(payload.empty());
  EXPECT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kNeedMore);
  decoder.append(bytes({0x2a}));
  ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kFrame);
  EXPECT_EQ(payload, bytes({0x08, 0x2a}));
}

TEST(FrameDecoderTest, AcceptsAFiveByteVarint) {
  wire::FrameDecoder decoder(1024);
  decoder.append(bytes({0x81, 0x80, 0x80, 0x80, 0x00, 0x07}));
  std::string payload;
  ASSERT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kFrame);
  EXPECT_EQ(payload, bytes({0x07}));
}

TEST(FrameDecoderTest, RejectsCorruptLengths) {
  struct Case {
    std::string input;
    std::string error_part;
  };
  const Case cases[] = {
      {bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), "longer than 5 bytes"},
      {bytes({0x80, 0x80, 0x80, 0x80, 0x08}), "negative"},
      {bytes({0x81, 0x08}), "exceeds the limit"},
  };
  for (const Case& c : cases) {
    wire::FrameDecoder decoder(1024);
    decoder.append(c.input);
    std::string payload;
    EXPECT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kCorrupt);
    EXPECT_NE(decoder.error().find(c.error_part), std::string::npos) << decoder.error();
    // The stream stays lost.
    EXPECT_EQ(decoder.next(&payload), wire::FrameDecoder::Status::kCorrupt);
  }
}

// --- fake servers -------------------------------------------------------------------------------

// Accepts one connection on 127.0.0.1:0 and runs `script` on it in a thread, with blocking I/O.
class FakeServer {
 public:
  using Script = std::function<void(Tcp::socket&)>;

  explicit FakeServer(Script script)
      : acceptor_(io_context_, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, script = std::move(script)] {
      Tcp::socket socket(io_context_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      accepted_ = true;
      if (error) return;
      try {
        script(socket);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "fake server: " << e.what();
      }
    });
  }

  ~FakeServer() {
    // Unblocks accept() if the client under test never connected.
    if (!accepted_) ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_context_;
  Tcp::acceptor acceptor_;
  std::atomic<bool> accepted_ = false;
  std::thread thread_;
};

FakeServer::Script webSocketScript(std::function<void(WebSocket&)> script) {
  return [script = std::move(script)](Tcp::socket& socket) {
    WebSocket ws(std::move(socket));
    ws.accept();
    ws.binary(true);
    script(ws);
  };
}

std::string readTcpFrame(Tcp::socket& socket) {
  wire::FrameDecoder decoder(1 << 20);
  std::string payload;
  char byte;
  while (decoder.next(&payload) == wire::FrameDecoder::Status::kNeedMore) {
    asio::read(socket, asio::buffer(&byte, 1));
    decoder.append(std::string_view(&byte, 1));
  }
  return payload;
}

void writeTcpFrame(Tcp::socket& socket, const std::string& payload) {
  std::string framed;
  wire::appendVarint32(framed, static_cast<uint32_t>(payload.size()));
  asio::write(socket, asio::buffer(framed + payload));
}

void waitForEof(Tcp::socket& socket) {
  char buffer[256];
  boost::system::error_code error;
  while (!error) socket.read_some(asio::buffer(buffer), error);
}

std::string readWebSocket(WebSocket& ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  return beast::buffers_to_string(buffer.data());
}

void writeWebSocket(WebSocket& ws, const std::string& payload) {
  ws.binary(true);
  ws.write(asio::buffer(payload));
}

TurmsRequest parseRequest(const std::string& payload) {
  TurmsRequest request;
  EXPECT_TRUE(request.ParseFromString(payload));
  return request;
}

std::string response(int64_t request_id, int code) {
  TurmsNotification notification;
  notification.set_timestamp(1700000000000);
  notification.set_request_id(request_id);
  notification.set_code(code);
  return notification.SerializeAsString();
}

std::string sessionInfoPush() {
  TurmsNotification notification;
  notification.set_timestamp(1700000000000);
  notification.mutable_data()->mutable_user_session()->set_session_id("7");
  return notification.SerializeAsString();
}

std::string closeSignal(int close_status) {
  TurmsNotification notification;
  notification.set_timestamp(1700000000000);
  notification.set_close_status(close_status);
  return notification.SerializeAsString();
}

// --- TCP ----------------------------------------------------------------------------------------

TEST(TurmsClientTcpTest, LoginMatchesResponseAndKeepsOtherFramesInOrder) {
  FakeServer server([](Tcp::socket& socket) {
    const TurmsRequest login = parseRequest(readTcpFrame(socket));
    EXPECT_EQ(login.request_id(), 1);
    EXPECT_EQ(login.create_session_request().version(), 1);
    EXPECT_EQ(login.create_session_request().user_id(), 9);
    EXPECT_EQ(login.create_session_request().password(), "pw");
    EXPECT_EQ(login.create_session_request().device_type(), im::turms::proto::ANDROID);
    writeTcpFrame(socket, sessionInfoPush());
    writeTcpFrame(socket, "");
    writeTcpFrame(socket, response(1, 1000));
    const TurmsRequest query = parseRequest(readTcpFrame(socket));
    EXPECT_EQ(query.request_id(), 2);
    writeTcpFrame(socket, response(2, 1001));
    waitForEof(socket);
  });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  EXPECT_EQ(client->login(9, "pw", im::turms::proto::ANDROID).code(), 1000);

  TurmsRequest query;
  query.mutable_query_user_profiles_request()->add_user_ids(9);
  EXPECT_EQ(client->request(query).code(), 1001);

  auto push = client->receive(1s);
  ASSERT_TRUE(push);
  ASSERT_EQ(push->kind, Frame::Kind::kNotification);
  EXPECT_EQ(push->notification.data().user_session().session_id(), "7");
  auto heartbeat = client->receive(1s);
  ASSERT_TRUE(heartbeat);
  EXPECT_EQ(heartbeat->kind, Frame::Kind::kHeartbeat);
  EXPECT_FALSE(client->receive(50ms));
  client->close();
  EXPECT_FALSE(client->isOpen());
}

TEST(TurmsClientTcpTest, SendsExactBytes) {
  FakeServer server([](Tcp::socket& socket) {
    std::string received(6, '\0');
    asio::read(socket, asio::buffer(received));
    EXPECT_EQ(received, bytes({0x00, 0xde, 0xad, 0x02, 0xbe, 0xef}));
    waitForEof(socket);
  });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  client->sendHeartbeat();
  client->sendRaw(bytes({0xde, 0xad}));
  client->sendRawFrame(bytes({0xbe, 0xef}));
}

TEST(TurmsClientTcpTest, WaitForSkipsAndKeepsEarlierFrames) {
  FakeServer server([](Tcp::socket& socket) {
    writeTcpFrame(socket, response(5, 1000));
    writeTcpFrame(socket, "");
    writeTcpFrame(socket, closeSignal(500));
    waitForEof(socket);
  });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  auto close_signal =
      client->waitFor([](const Frame& frame) { return frame.notification.has_close_status(); }, 1s);
  ASSERT_TRUE(close_signal);
  EXPECT_EQ(close_signal->notification.close_status(), 500);
  EXPECT_EQ(client->receive(1s)->notification.request_id(), 5);
  EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kHeartbeat);
}

TEST(TurmsClientTcpTest, ReportsPeerCloseAsClosedFrame) {
  FakeServer server([](Tcp::socket& socket) { writeTcpFrame(socket, response(1, 1000)); });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kNotification);
  EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kClosed);
  EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kClosed);
  EXPECT_FALSE(client->isOpen());
  // Nothing can match any more: no need to wait out the timeout.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(client->waitFor([](const Frame& f) { return f.kind != Frame::Kind::kClosed; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  TurmsRequest request;
  request.mutable_delete_session_request();
  EXPECT_THROW(client->request(request, 1s), std::runtime_error);
}

TEST(TurmsClientTcpTest, ThrowsOnUnparseablePayloadThenContinues) {
  FakeServer server([](Tcp::socket& socket) {
    writeTcpFrame(socket, bytes({0xff, 0xff, 0xff}));
    writeTcpFrame(socket, response(1, 1000));
    waitForEof(socket);
  });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  EXPECT_THROW(client->receive(1s), ProtocolError);
  EXPECT_EQ(client->receive(1s)->notification.code(), 1000);
}

TEST(TurmsClientTcpTest, ThrowsOnCorruptFramingThenIsClosed) {
  FakeServer server([](Tcp::socket& socket) {
    asio::write(socket, asio::buffer(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01})));
    waitForEof(socket);
  });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  try {
    client->receive(1s);
    ADD_FAILURE() << "expected ProtocolError";
  } catch (const ProtocolError& error) {
    EXPECT_NE(std::string(error.what()).find("longer than 5 bytes"), std::string::npos);
  }
  EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kClosed);
}

TEST(TurmsClientTcpTest, RequestThrowsOnCloseSignalAndLeavesItQueued) {
  FakeServer server([](Tcp::socket& socket) {
    readTcpFrame(socket);
    writeTcpFrame(socket, closeSignal(500));
    waitForEof(socket);
  });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  TurmsRequest request;
  request.mutable_delete_session_request();
  try {
    client->request(request, 1s);
    ADD_FAILURE() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("close_status 500"), std::string::npos);
  }
  EXPECT_EQ(client->receive(1s)->notification.close_status(), 500);
}

TEST(TurmsClientTcpTest, RequestTimesOut) {
  FakeServer server([](Tcp::socket& socket) { waitForEof(socket); });
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", server.port());
  TurmsRequest request;
  request.mutable_query_user_online_statuses_request();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(client->request(request, 100ms), std::runtime_error);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_TRUE(client->isOpen());
}

TEST(TurmsClientTcpTest, ConnectRefusedThrows) {
  uint16_t port;
  {
    asio::io_context io_context;
    Tcp::acceptor acceptor(io_context, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }
  EXPECT_THROW(TurmsClient::connect(Transport::kTcp, "127.0.0.1", port), std::runtime_error);
  EXPECT_THROW(TurmsClient::connect(Transport::kWebSocket, "127.0.0.1", port), std::runtime_error);
}

// --- WebSocket ----------------------------------------------------------------------------------

TEST(TurmsClientWebSocketTest, LoginHeartbeatAndServerClose) {
  FakeServer server(webSocketScript([](WebSocket& ws) {
    const TurmsRequest login = parseRequest(readWebSocket(ws));
    EXPECT_EQ(login.request_id(), 1);
    EXPECT_EQ(login.create_session_request().user_id(), 1);
    writeWebSocket(ws, response(1, 1000));
    writeWebSocket(ws, sessionInfoPush());
    EXPECT_EQ(readWebSocket(ws), "");
    EXPECT_TRUE(ws.got_binary());
    writeWebSocket(ws, "");
    EXPECT_EQ(readWebSocket(ws), bytes({0x01, 0x02}));
    ws.close(websocket::close_code::normal);
    beast::flat_buffer buffer;
    boost::system::error_code error;
    ws.read(buffer, error);  // the client's close reply
  }));
  auto client = TurmsClient::connect(Transport::kWebSocket, "127.0.0.1", server.port());
  EXPECT_EQ(client->login(1, "123").code(), 1000);
  auto push =
      client->waitFor([](const Frame& f) { return f.notification.data().has_user_session(); }, 1s);
  ASSERT_TRUE(push);
  client->sendHeartbeat();
  EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kHeartbeat);
  client->sendRaw(bytes({0x01, 0x02}));
  EXPECT_EQ(client->receive(2s)->kind, Frame::Kind::kClosed);
  EXPECT_EQ(client->webSocketCloseCode(), 1000);
  EXPECT_FALSE(client->isOpen());
}

TEST(TurmsClientWebSocketTest, ThrowsOnTextMessage) {
  FakeServer server(webSocketScript([](WebSocket& ws) {
    ws.text(true);
    ws.write(asio::buffer(std::string("hello")));
    beast::flat_buffer buffer;
    boost::system::error_code error;
    ws.read(buffer, error);
  }));
  auto client = TurmsClient::connect(Transport::kWebSocket, "127.0.0.1", server.port());
  EXPECT_THROW(client->receive(1s), ProtocolError);
}

TEST(TurmsClientWebSocketTest, CloseSendsCloseFrame) {
  std::atomic<bool> saw_close_frame = false;
  {
    FakeServer server(webSocketScript([&](WebSocket& ws) {
      writeWebSocket(ws, response(3, 1000));
      beast::flat_buffer buffer;
      boost::system::error_code error;
      ws.read(buffer, error);
      saw_close_frame = error == websocket::error::closed;
    }));
    auto client = TurmsClient::connect(Transport::kWebSocket, "127.0.0.1", server.port());
    // Let the server's frame arrive first: Beast's close handshake discards data frames it reads,
    // so only frames the client already read can survive the close. Nothing here matches an open
    // connection, so the frame stays queued.
    ASSERT_FALSE(
        client->waitFor([](const Frame& f) { return f.kind == Frame::Kind::kClosed; }, 500ms));
    client->close();
    EXPECT_FALSE(client->isOpen());
    // Frames that arrived before the close are still there.
    EXPECT_EQ(client->receive(1s)->notification.request_id(), 3);
    EXPECT_EQ(client->receive(1s)->kind, Frame::Kind::kClosed);
    EXPECT_THROW(client->sendHeartbeat(), std::runtime_error);
  }
  EXPECT_TRUE(saw_close_frame);
}

TEST(TurmsClientWebSocketTest, DestructionDoesNotWaitForAnUnresponsiveServer) {
  std::atomic<bool> client_gone = false;
  FakeServer server(webSocketScript([&](WebSocket&) {
    // Never reads, so the client's close frame is never answered.
    while (!client_gone) std::this_thread::sleep_for(10ms);
  }));
  auto client = TurmsClient::connect(Transport::kWebSocket, "127.0.0.1", server.port());
  const auto started = std::chrono::steady_clock::now();
  client.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  client_gone = true;
}

TEST(TurmsClientWebSocketTest, HandshakeFailureThrows) {
  FakeServer server([](Tcp::socket& socket) {
    char buffer[1024];
    socket.read_some(asio::buffer(buffer));
    asio::write(
        socket,
        asio::buffer(std::string("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")));
  });
  try {
    TurmsClient::connect(Transport::kWebSocket, "127.0.0.1", server.port());
    ADD_FAILURE() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("handshake"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("HTTP 405"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace parley::client
