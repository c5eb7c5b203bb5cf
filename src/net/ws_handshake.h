#pragma once
// Server side of the WebSocket opening handshake (RFC 6455 §4.2): parses the client's HTTP/1.1
// Upgrade request and builds the reply. Pure (no sockets) so it can be unit-tested and fuzzed.
#include <cstddef>
#include <string>
#include <string_view>

namespace parley::net {

struct WsUpgradeRequest {
  enum class State { kNeedMore, kAccept, kReject };
  State state = State::kNeedMore;
  // kAccept: bytes taken by the request, blank line included; anything after is frame data.
  size_t request_bytes = 0;
  std::string_view key;  // kAccept: Sec-WebSocket-Key, a view into the input
  // kReject: why, for the 400 body and the debug log (static text).
  std::string_view error;
  bool unsupported_version = false;  // kReject: answer 426 with the version we speak
};

// Parses the request at the start of bytes. Rejects (rather than waits) once max_request_bytes
// arrived without the blank line, or as soon as the bytes cannot be a GET request.
WsUpgradeRequest parseWsUpgradeRequest(std::string_view bytes, size_t max_request_bytes);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string wsAcceptValue(std::string_view key);

// 101 Switching Protocols. No Sec-WebSocket-Extensions: permessage-deflate offers are declined.
std::string wsAcceptResponse(std::string_view key);

// 400 Bad Request (426 Upgrade Required for another protocol version), to send before closing.
std::string wsRejectResponse(const WsUpgradeRequest& request);

}  // namespace parley::net
