#pragma once
// Turms raw-TCP framing: varint32(payload length) + payload, both directions. This decoder is
// pure (no sockets) so it can be unit-tested and fuzzed.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace parley::net {

// Appends the base-128 varint encoding of value (at most 5 bytes).
void appendVarint32(std::string& out, uint32_t value);
// Writes the encoding to out (at least 5 bytes); returns its length.
size_t encodeVarint32(uint32_t value, char* out);

// Incremental decoder: feed bytes as they arrive, then take complete frames. It owns memory only
// while a frame is incomplete, so an idle connection holds no buffer.
class VarintFrameDecoder {
 public:
  enum class State { kNeedMore, kFrame, kError };

  explicit VarintFrameDecoder(size_t max_frame_size);
  ~VarintFrameDecoder();
  VarintFrameDecoder(const VarintFrameDecoder&) = delete;
  VarintFrameDecoder& operator=(const VarintFrameDecoder&) = delete;

  // Copies received bytes into the decoder.
  void feed(std::string_view bytes);
  // Borrows received bytes until next() returns kNeedMore or kError; then only the bytes of an
  // incomplete frame have been copied. Saves a copy when the caller's buffer is reused later
  // (the io thread's read buffer).
  void feedBorrowed(std::string_view bytes);

  // Tries to take the next frame. kFrame: *payload views the frame (valid until the next call);
  // an empty payload is a heartbeat. kError: the stream is corrupt (varint over 5 bytes or a
  // length above the limit) and the connection must be closed; error() says why.
  State next(std::string_view* payload);

  std::string error() const;
  size_t buffered() const;

 private:
  enum class Error : uint8_t { kNone, kVarintTooLong, kOverInt32, kOverLimit };

  void holdBorrowedRest();

  size_t max_frame_size_;
  std::unique_ptr<std::string> held_;  // received bytes not yet taken, while there are any
  size_t held_consumed_ = 0;           // bytes of *held_ already returned; compacted lazily
  std::string_view borrowed_;          // unconsumed borrowed bytes, if any
  uint32_t error_length_ = 0;
  Error error_ = Error::kNone;
};

}  // namespace parley::net
