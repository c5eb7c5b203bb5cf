#pragma once
// Turms raw-TCP framing: varint32(payload length) + payload, both directions. This decoder is
// pure (no sockets) so it can be unit-tested and fuzzed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::net {

// Appends the base-128 varint encoding of value (at most 5 bytes).
void appendVarint32(std::string& out, uint32_t value);

// Incremental decoder: feed bytes as they arrive, then take complete frames.
class VarintFrameDecoder {
 public:
  enum class State { kNeedMore, kFrame, kError };

  explicit VarintFrameDecoder(size_t max_frame_size) : max_frame_size_(max_frame_size) {}

  // Appends received bytes to the internal buffer.
  void feed(std::string_view bytes) { buffer_.append(bytes); }

  // Tries to take the next frame. kFrame: *payload views the frame (valid until the next call);
  // an empty payload is a heartbeat. kError: the stream is corrupt (varint over 5 bytes or a
  // length above the limit) and the connection must be closed; error() says why.
  State next(std::string_view* payload);

  const std::string& error() const { return error_; }
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  size_t max_frame_size_;
  std::string buffer_;
  size_t consumed_ = 0;  // bytes of buffer_ already returned; compacted lazily
  std::string error_;
};

}  // namespace parley::net
