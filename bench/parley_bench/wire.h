#pragma once
// Client-side framing for the load generator: WebSocket (RFC 6455, client frames masked) and
// varint32-prefixed TCP. Written for throughput rather than generality: frames are appended to
// one output buffer so that a burst goes out in a single write. Pure code, no sockets.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parley_bench/scenario.h"

namespace parley::bench::wire {

// The HTTP upgrade request for ws://host:port/.
std::string webSocketHandshake(std::string_view host, uint16_t port);

// Appends one binary frame carrying payload (an empty payload is a Turms heartbeat).
void appendFrame(Transport transport, std::string_view payload, uint32_t mask_key,
                 std::string& out);
// A WebSocket pong answering a ping with this payload (masked, as every client frame).
void appendPong(std::string_view payload, uint32_t mask_key, std::string& out);

// Incremental decoder over a caller-owned buffer.
class FrameReader {
 public:
  enum class Status { kNeedMore, kFrame, kError };
  enum class Kind { kBinary, kPing, kClose, kIgnored };

  FrameReader(Transport transport, size_t max_frame_bytes)
      : transport_(transport), max_frame_bytes_(max_frame_bytes) {}

  // Tries to take one frame from data[0, size). On kFrame, *consumed is how many bytes it used
  // and *payload views it (inside data, or inside the reassembly buffer for fragmented WebSocket
  // messages). On kError, error() says why.
  Status next(const char* data, size_t size, size_t* consumed, Kind* kind,
              std::string_view* payload);
  const std::string& error() const { return error_; }

 private:
  Status nextWebSocket(const char* data, size_t size, size_t* consumed, Kind* kind,
                       std::string_view* payload);
  Status nextTcp(const char* data, size_t size, size_t* consumed, std::string_view* payload);

  Transport transport_;
  size_t max_frame_bytes_;
  std::string fragments_;  // a WebSocket message split over continuation frames
  bool in_fragmented_message_ = false;
  std::string error_;
};

}  // namespace parley::bench::wire
