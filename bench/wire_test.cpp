#include "parley_bench/wire.h"

#include <gtest/gtest.h>

namespace parley::bench::wire {
namespace {

using Status = FrameReader::Status;
using Kind = FrameReader::Kind;

// A server frame (unmasked), as a server would send it.
std::string serverFrame(uint8_t first_byte, std::string_view payload) {
  std::string out(1, static_cast<char>(first_byte));
  if (payload.size() < 126) {
    out += static_cast<char>(payload.size());
  } else {
    out += static_cast<char>(126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  }
  out += payload;
  return out;
}

TEST(WireTest, WebSocketClientFramesAreMaskedBinary) {
  std::string out;
  appendFrame(Transport::kWebSocket, "abc", 0x04030201, out);
  ASSERT_EQ(out.size(), 2u + 4 + 3);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x82);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0x80 | 3);
  EXPECT_EQ(out[6], static_cast<char>('a' ^ 0x01));
  EXPECT_EQ(out[7], static_cast<char>('b' ^ 0x02));
  EXPECT_EQ(out[8], static_cast<char>('c' ^ 0x03));
  out.clear();
  appendFrame(Transport::kWebSocket, std::string(300, 'x'), 0, out);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0x80 | 126);
  EXPECT_EQ(out.size(), 4u + 4 + 300);
}

TEST(WireTest, TcpFramesAreVarintPrefixed) {
  std::string out;
  appendFrame(Transport::kTcp, {}, 0, out);
  EXPECT_EQ(out, std::string(1, '\0'));  // the Turms heartbeat
  out.clear();
  appendFrame(Transport::kTcp, std::string(300, 'x'), 0, out);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0xAC);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0x02);
  EXPECT_EQ(out.size(), 302u);
}

TEST(WireTest, TcpReaderWaitsForWholeFramesAndSplitsBatches) {
  std::string stream;
  appendFrame(Transport::kTcp, "hello", 0, stream);
  appendFrame(Transport::kTcp, {}, 0, stream);
  FrameReader reader(Transport::kTcp, 1024);
  size_t consumed = 0;
  Kind kind;
  std::string_view payload;
  EXPECT_EQ(reader.next(stream.data(), 3, &consumed, &kind, &payload), Status::kNeedMore);
  ASSERT_EQ(reader.next(stream.data(), stream.size(), &consumed, &kind, &payload), Status::kFrame);
  EXPECT_EQ(payload, "hello");
  ASSERT_EQ(
      reader.next(stream.data() + consumed, stream.size() - consumed, &consumed, &kind, &payload),
      Status::kFrame);
  EXPECT_TRUE(payload.empty());
}

TEST(WireTest, TcpReaderRejectsOversizedFrames) {
  std::string stream;
  appendFrame(Transport::kTcp, std::string(2000, 'x'), 0, stream);
  FrameReader reader(Transport::kTcp, 1024);
  size_t consumed = 0;
  Kind kind;
  std::string_view payload;
  EXPECT_EQ(reader.next(stream.data(), stream.size(), &consumed, &kind, &payload), Status::kError);
}

TEST(WireTest, WebSocketReaderHandlesBinaryPingCloseAndFragments) {
  FrameReader reader(Transport::kWebSocket, 1 << 20);
  size_t consumed = 0;
  Kind kind;
  std::string_view payload;
  std::string frame = serverFrame(0x82, std::string(200, 'y'));
  EXPECT_EQ(reader.next(frame.data(), 3, &consumed, &kind, &payload), Status::kNeedMore);
  ASSERT_EQ(reader.next(frame.data(), frame.size(), &consumed, &kind, &payload), Status::kFrame);
  EXPECT_EQ(kind, Kind::kBinary);
  EXPECT_EQ(payload.size(), 200u);
  EXPECT_EQ(consumed, frame.size());

  frame = serverFrame(0x89, "p");
  ASSERT_EQ(reader.next(frame.data(), frame.size(), &consumed, &kind, &payload), Status::kFrame);
  EXPECT_EQ(kind, Kind::kPing);

  const std::string first = serverFrame(0x02, "ab");  // binary, not FIN
  const std::string last = serverFrame(0x80, "cd");   // continuation, FIN
  ASSERT_EQ(reader.next(first.data(), first.size(), &consumed, &kind, &payload), Status::kFrame);
  EXPECT_EQ(kind, Kind::kIgnored);
  ASSERT_EQ(reader.next(last.data(), last.size(), &consumed, &kind, &payload), Status::kFrame);
  EXPECT_EQ(kind, Kind::kBinary);
  EXPECT_EQ(payload, "abcd");

  frame = serverFrame(0x88, "");
  ASSERT_EQ(reader.next(frame.data(), frame.size(), &consumed, &kind, &payload), Status::kFrame);
  EXPECT_EQ(kind, Kind::kClose);
}

TEST(WireTest, WebSocketReaderRejectsMaskedServerFrames) {
  FrameReader reader(Transport::kWebSocket, 1024);
  std::string frame;
  appendFrame(Transport::kWebSocket, "x", 7, frame);  // a client frame is masked
  size_t consumed = 0;
  Kind kind;
  std::string_view payload;
  EXPECT_EQ(reader.next(frame.data(), frame.size(), &consumed, &kind, &payload), Status::kError);
}

TEST(WireTest, HandshakeNamesHostAndUpgrade) {
  const std::string request = webSocketHandshake("127.0.0.1", 10510);
  EXPECT_EQ(request.rfind("GET / HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(request.find("Host: 127.0.0.1:10510\r\n"), std::string::npos);
  EXPECT_NE(request.find("Upgrade: websocket\r\n"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace parley::bench::wire
