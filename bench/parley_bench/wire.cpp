#include "parley_bench/wire.h"

#include <cstring>

namespace parley::bench::wire {

namespace {

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kOpContinuation = 0x0;
constexpr uint8_t kOpText = 0x1;
constexpr uint8_t kOpBinary = 0x2;
constexpr uint8_t kOpClose = 0x8;
constexpr uint8_t kOpPing = 0x9;
constexpr uint8_t kMaskBit = 0x80;

void appendWebSocketFrame(uint8_t opcode, std::string_view payload, uint32_t mask_key,
                          std::string& out) {
  const size_t length = payload.size();
  const size_t start = out.size();
  size_t header = 2 + 4;
  if (length >= 126) header += length <= 0xFFFF ? 2 : 8;
  out.resize(start + header + length);
  auto* p = reinterpret_cast<uint8_t*>(out.data() + start);
  *p++ = kFin | opcode;
  if (length < 126) {
    *p++ = kMaskBit | static_cast<uint8_t>(length);
  } else if (length <= 0xFFFF) {
    *p++ = kMaskBit | 126;
    *p++ = static_cast<uint8_t>(length >> 8);
    *p++ = static_cast<uint8_t>(length);
  } else {
    *p++ = kMaskBit | 127;
    for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<uint8_t>(length >> shift);
  }
  uint8_t mask[4];
  std::memcpy(mask, &mask_key, 4);
  std::memcpy(p, mask, 4);
  p += 4;
  for (size_t i = 0; i < length; ++i) {
    p[i] = static_cast<uint8_t>(payload[i]) ^ mask[i & 3];
  }
}

}  // namespace

std::string webSocketHandshake(std::string_view host, uint16_t port) {
  std::string request = "GET / HTTP/1.1\r\nHost: ";
  request += host;
  request += ':';
  request += std::to_string(port);
  // The key's only purpose is to prove the server speaks WebSocket; a fixed one is enough here.
  request +=
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  return request;
}

void appendFrame(Transport transport, std::string_view payload, uint32_t mask_key,
                 std::string& out) {
  if (transport == Transport::kWebSocket) {
    appendWebSocketFrame(kOpBinary, payload, mask_key, out);
    return;
  }
  auto value = static_cast<uint32_t>(payload.size());
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  out.append(payload);
}

void appendPong(std::string_view payload, uint32_t mask_key, std::string& out) {
  appendWebSocketFrame(0xA, payload, mask_key, out);
}

FrameReader::Status FrameReader::next(const char* data, size_t size, size_t* consumed, Kind* kind,
                                      std::string_view* payload) {
  if (!error_.empty()) return Status::kError;
  if (transport_ == Transport::kTcp) {
    *kind = Kind::kBinary;
    return nextTcp(data, size, consumed, payload);
  }
  return nextWebSocket(data, size, consumed, kind, payload);
}

FrameReader::Status FrameReader::nextTcp(const char* data, size_t size, size_t* consumed,
                                         std::string_view* payload) {
  uint64_t length = 0;
  size_t i = 0;
  for (;; ++i) {
    if (i == size) return Status::kNeedMore;
    if (i == 5) {
      error_ = "frame length varint longer than 5 bytes";
      return Status::kError;
    }
    const auto byte = static_cast<uint8_t>(data[i]);
    length |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  ++i;
  if (length > max_frame_bytes_) {
    error_ = "frame of " + std::to_string(length) + " bytes above the limit";
    return Status::kError;
  }
  if (size - i < length) return Status::kNeedMore;
  *payload = std::string_view(data + i, length);
  *consumed = i + length;
  return Status::kFrame;
}

FrameReader::Status FrameReader::nextWebSocket(const char* data, size_t size, size_t* consumed,
                                               Kind* kind, std::string_view* payload) {
  if (size < 2) return Status::kNeedMore;
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  const bool fin = (p[0] & kFin) != 0;
  const uint8_t opcode = p[0] & 0x0F;
  const bool masked = (p[1] & kMaskBit) != 0;
  uint64_t length = p[1] & 0x7F;
  size_t header = 2;
  if (length == 126) {
    if (size < 4) return Status::kNeedMore;
    length = (uint64_t{p[2]} << 8) | p[3];
    header = 4;
  } else if (length == 127) {
    if (size < 10) return Status::kNeedMore;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
    header = 10;
  }
  if (masked) {
    error_ = "the server sent a masked frame";
    return Status::kError;
  }
  if (length > max_frame_bytes_) {
    error_ = "frame of " + std::to_string(length) + " bytes above the limit";
    return Status::kError;
  }
  if (size < header + length) return Status::kNeedMore;
  *consumed = header + length;
  const std::string_view body(data + header, length);
  switch (opcode) {
    case kOpBinary:
    case kOpText:
    case kOpContinuation: {
      const bool is_text = opcode == kOpText;
      if (opcode != kOpContinuation && in_fragmented_message_) {
        error_ = "new data frame inside a fragmented message";
        return Status::kError;
      }
      if (opcode == kOpContinuation && !in_fragmented_message_) {
        error_ = "continuation frame without a message";
        return Status::kError;
      }
      if (fin && !in_fragmented_message_) {
        *kind = is_text ? Kind::kIgnored : Kind::kBinary;
        *payload = body;
        return Status::kFrame;
      }
      if (!in_fragmented_message_) {
        fragments_.assign(body);
        in_fragmented_message_ = true;
      } else {
        fragments_.append(body);
      }
      if (!fin) {
        *kind = Kind::kIgnored;
        *payload = {};
        return Status::kFrame;
      }
      in_fragmented_message_ = false;
      *kind = Kind::kBinary;
      *payload = fragments_;
      return Status::kFrame;
    }
    case kOpClose:
      *kind = Kind::kClose;
      *payload = body;
      return Status::kFrame;
    case kOpPing:
      *kind = Kind::kPing;
      *payload = body;
      return Status::kFrame;
    default:
      *kind = Kind::kIgnored;
      *payload = body;
      return Status::kFrame;
  }
}

}  // namespace parley::bench::wire
