#include "net/ws_handshake.h"

#include <gtest/gtest.h>

#include "net/sha1.h"

namespace parley::net {
namespace {

using State = WsUpgradeRequest::State;

std::string hex(const std::array<uint8_t, 20>& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

std::string base64(std::string_view text) {
  return base64Encode(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

constexpr std::string_view kRequest =
    "GET /chat?x=1 HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "upgrade: WebSocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

std::string withoutHeader(std::string_view name) {
  std::string request(kRequest);
  const size_t start = request.find(name);
  request.erase(start, request.find("\r\n", start) + 2 - start);
  return request;
}

std::string replaced(std::string_view from, std::string_view to) {
  std::string request(kRequest);
  request.replace(request.find(from), from.size(), to);
  return request;
}

TEST(Sha1, MatchesFipsVectors) {
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  // 55, 56 and 64 bytes: the padding boundaries.
  EXPECT_EQ(hex(sha1(std::string(55, 'a'))), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(hex(sha1(std::string(56, 'a'))), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(hex(sha1(std::string(64, 'a'))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(WsHandshake, AcceptValueMatchesRfc6455Example) {
  EXPECT_EQ(wsAcceptValue("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, AcceptsAnUpgradeRequest) {
  const std::string bytes = std::string(kRequest) + "\x82\x80";  // a frame right behind it
  const auto request = parseWsUpgradeRequest(bytes, 8192);
  ASSERT_EQ(request.state, State::kAccept) << request.error;
  EXPECT_EQ(request.key, "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(request.request_bytes, kRequest.size());
}

TEST(WsHandshake, ResponseSwitchesProtocolsAndDeclinesCompression) {
  const std::string response = wsAcceptResponse("dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nServer: parley\r\n"), std::string::npos);
  EXPECT_EQ(response.find("Extensions"), std::string::npos);
  EXPECT_EQ(response.substr(response.size() - 4), "\r\n\r\n");
}

TEST(WsHandshake, WaitsForTheWholeRequest) {
  for (size_t n = 0; n < kRequest.size(); ++n) {
    EXPECT_EQ(parseWsUpgradeRequest(kRequest.substr(0, n), 8192).state, State::kNeedMore) << n;
  }
}

TEST(WsHandshake, RejectsOtherRequestsEarly) {
  EXPECT_EQ(parseWsUpgradeRequest("POST", 8192).state, State::kReject);
  EXPECT_EQ(parseWsUpgradeRequest("\x16\x03\x01", 8192).state, State::kReject);  // TLS hello
  EXPECT_EQ(parseWsUpgradeRequest("GET /" + std::string(9000, 'a'), 8192).state, State::kReject);
}

TEST(WsHandshake, RejectsIncompleteUpgrades) {
  for (std::string_view header :
       {"Host", "upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version"}) {
    const auto request = parseWsUpgradeRequest(withoutHeader(header), 8192);
    EXPECT_EQ(request.state, State::kReject) << header;
    EXPECT_FALSE(request.unsupported_version) << header;
  }
  EXPECT_EQ(parseWsUpgradeRequest(replaced("HTTP/1.1", "HTTP/1.0"), 8192).state, State::kReject);
  EXPECT_EQ(parseWsUpgradeRequest(replaced("Upgrade\r\n", "close\r\n"), 8192).state,
            State::kReject);
  EXPECT_EQ(parseWsUpgradeRequest(replaced("WebSocket", "h2c"), 8192).state, State::kReject);
  EXPECT_EQ(parseWsUpgradeRequest(replaced("Origin:", "Origin"), 8192).state, State::kReject);
  EXPECT_EQ(parseWsUpgradeRequest(replaced("Origin:", " Origin:"), 8192).state, State::kReject);
  EXPECT_EQ(
      parseWsUpgradeRequest(replaced("dGhlIHNhbXBsZSBub25jZQ==", std::string(25, 'k')), 8192).state,
      State::kReject);
}

TEST(WsHandshake, OtherVersionsGet426) {
  const auto request = parseWsUpgradeRequest(replaced("Version: 13", "Version: 8"), 8192);
  ASSERT_EQ(request.state, State::kReject);
  EXPECT_TRUE(request.unsupported_version);
  const std::string response = wsRejectResponse(request);
  EXPECT_EQ(response.rfind("HTTP/1.1 426 Upgrade Required\r\n", 0), 0u);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST(WsHandshake, RejectResponseIsA400WithTheReason) {
  const auto request = parseWsUpgradeRequest(withoutHeader("Sec-WebSocket-Key"), 8192);
  const std::string response = wsRejectResponse(request);
  EXPECT_EQ(response.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  EXPECT_NE(response.find("Content-Length: " + std::to_string(request.error.size()) + "\r\n"),
            std::string::npos);
  EXPECT_EQ(response.substr(response.size() - request.error.size()), request.error);
}

}  // namespace
}  // namespace parley::net
