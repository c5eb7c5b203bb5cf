#pragma once
// SHA-1 and base64, only for the WebSocket handshake's Sec-WebSocket-Accept (RFC 6455 §4.2.2).
// SHA-1 is not used for anything secret here; libsodium has none, and this avoids a dependency.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::net {

std::array<uint8_t, 20> sha1(std::string_view data);

std::string base64Encode(const uint8_t* data, size_t size);

}  // namespace parley::net
