// Parses arbitrary bytes as a WebSocket upgrade request and checks that every prefix of an
// accepted request waits for more, and that what is accepted is well-formed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/ws_handshake.h"

using parley::net::WsUpgradeRequest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMax = 1024;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto request = parley::net::parseWsUpgradeRequest(bytes, kMax);
  switch (request.state) {
    case WsUpgradeRequest::State::kAccept: {
      if (request.request_bytes > bytes.size() || request.request_bytes > kMax) std::abort();
      if (request.key.empty() || request.key.size() > 24) std::abort();
      const auto prefix =
          parley::net::parseWsUpgradeRequest(bytes.substr(0, request.request_bytes - 1), kMax);
      if (prefix.state != WsUpgradeRequest::State::kNeedMore) std::abort();
      if (parley::net::wsAcceptResponse(request.key).empty()) std::abort();
      break;
    }
    case WsUpgradeRequest::State::kReject:
      if (request.error.empty() || parley::net::wsRejectResponse(request).empty()) std::abort();
      break;
    case WsUpgradeRequest::State::kNeedMore:
      if (bytes.size() >= kMax) std::abort();
      break;
  }
  return 0;
}
