#pragma once
// WebSocket framing, server side (RFC 6455 §5): decodes masked client frames into messages and
// encodes unmasked server frame headers. Pure (no sockets) so it can be unit-tested and fuzzed.
//
// The reader borrows the caller's bytes (typically the io thread's shared read buffer) and keeps
// only the bytes of an incomplete frame, and the fragments of an incomplete message, in memory
// of its own: an idle connection owns no buffer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace parley::net {

namespace ws_opcode {
constexpr uint8_t kContinuation = 0x0;
constexpr uint8_t kText = 0x1;
constexpr uint8_t kBinary = 0x2;
constexpr uint8_t kClose = 0x8;
constexpr uint8_t kPing = 0x9;
constexpr uint8_t kPong = 0xA;
}  // namespace ws_opcode

namespace ws_close_code {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kTooBig = 1009;
}  // namespace ws_close_code

// Longest server frame header: 2 bytes + a 64-bit length.
constexpr size_t kWsMaxServerHeaderBytes = 10;

// Writes the header of an unmasked, final server frame to out (room for
// kWsMaxServerHeaderBytes); returns its length.
size_t encodeWsFrameHeader(uint8_t opcode, uint64_t payload_size, char* out);

class WsFrameReader {
 public:
  enum class State {
    kNeedMore,  // every byte fed so far is consumed or kept; feed more
    kBinary,    // a complete binary message
    kText,      // a complete text message; its payload is not kept (Turms ignores text)
    kPing,
    kPong,
    kClose,  // payload: the close frame's body (status code and reason), already validated
    kError,  // the connection must be closed with closeCode(); error() says why
  };

  // max_message_bytes bounds a whole (reassembled) data message.
  explicit WsFrameReader(size_t max_message_bytes);
  ~WsFrameReader();
  WsFrameReader(const WsFrameReader&) = delete;
  WsFrameReader& operator=(const WsFrameReader&) = delete;

  // Borrows bytes (payloads are unmasked in place) until next() returns kNeedMore or kError;
  // then whatever is left of an incomplete frame has been copied. Call only initially or after
  // next() returned kNeedMore.
  void feed(char* data, size_t size);

  // Takes the next message or control frame; *payload views it until the next call.
  State next(std::string_view* payload);

  std::string error() const;
  uint16_t closeCode() const;
  // Bytes held for an incomplete frame or message (0 when idle).
  size_t buffered() const;

 private:
  enum class Error : uint8_t {
    kNone,
    kReservedBits,
    kReservedOpcode,
    kUnmasked,
    kFragmentedControl,
    kControlTooLong,
    kNonMinimalLength,
    kLengthTooLong,
    kUnexpectedContinuation,
    kExpectedContinuation,
    kBadClosePayload,
    kBadCloseCode,
    kTooBig,
  };
  struct Held;  // allocated only while a frame or a message is incomplete

  State fail(Error error);
  State needMore();
  Held& held();
  void releaseIfEmpty();

  uint64_t max_message_bytes_;
  std::unique_ptr<Held> held_;
  char* input_ = nullptr;  // borrowed bytes, or held_->pending's
  size_t input_size_ = 0;
  size_t input_pos_ = 0;
  uint64_t message_bytes_ = 0;  // of the fragmented message in progress
  uint8_t message_opcode_ = 0;  // kText/kBinary while a fragmented message is in progress
  bool input_is_held_ = false;
  bool release_message_ = false;  // the last kBinary viewed held_->message
  Error error_ = Error::kNone;
};

}  // namespace parley::net
