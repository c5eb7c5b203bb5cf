#pragma once
// A blocking Turms protocol client for Parley's integration tests and parley-cli. It speaks the
// wire protocol directly (WebSocket binary messages or varint32-prefixed TCP frames) so tests can
// also send malformed input and observe exactly what the server puts on the wire.
//
// Not thread-safe: one instance belongs to one thread at a time. Its network I/O only progresses
// inside its own calls, so nothing runs in the background between them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "turms/turms_notification.pb.h"
#include "turms/turms_request.pb.h"

namespace parley::client {

enum class Transport { kWebSocket, kTcp };

// One inbound frame.
struct Frame {
  // kClosed: the peer closed the connection (EOF, reset or a WebSocket close frame), or this
  // client closed it. Once closed, every later receive() yields kClosed again.
  enum class Kind { kHeartbeat, kNotification, kClosed } kind = Kind::kClosed;
  im::turms::proto::TurmsNotification notification;  // valid for kNotification
};

// Success codes are 1000 <= code < 1100 (OK, NO_CONTENT, ALREADY_UP_TO_DATE, ...).
bool isSuccessCode(int code);

// Signals that the server sent bytes that are not a Turms frame, or that framing broke down.
// Timeouts, refused connections and unexpected closes are plain std::runtime_error.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TurmsClient {
 public:
  // Inbound frames above this size are treated as a protocol error.
  static constexpr size_t kMaxInboundFrameBytes = 1 << 20;

  // Connects (WebSocket: handshake to ws://host:port/; TCP: plain connect). Throws
  // std::runtime_error on failure or timeout. `timeout` also bounds every later send and close.
  static std::unique_ptr<TurmsClient> connect(
      Transport transport, const std::string& host, uint16_t port,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Closes within a short bound: a WebSocket close handshake the server does not answer in time
  // is abandoned rather than waited for.
  ~TurmsClient();
  TurmsClient(const TurmsClient&) = delete;
  TurmsClient& operator=(const TurmsClient&) = delete;

  // One frame carrying the serialized request, as is (request_id untouched).
  void send(const im::turms::proto::TurmsRequest& request);
  // TCP: exactly these bytes on the socket, no framing. WebSocket: one binary message holding
  // exactly these bytes. For malformed-input tests.
  void sendRaw(std::string_view bytes);
  // The payload framed properly (TCP: varint32 prefix; WebSocket: one binary message).
  void sendRawFrame(std::string_view payload);
  // An empty frame (WebSocket: 0-byte binary message; TCP: the single byte 0x00).
  void sendHeartbeat();

  // The next inbound frame in arrival order, or nullopt when none arrives within `timeout`.
  // Throws ProtocolError when the next frame is not a TurmsNotification or the stream is corrupt
  // (the offending frame is consumed; after a corrupt stream the connection is closed).
  std::optional<Frame> receive(std::chrono::milliseconds timeout);

  // Sends `request` with a fresh positive request_id (1, 2, ...) and waits for the response with
  // that id. Other frames stay queued for receive() in arrival order. Throws std::runtime_error
  // on timeout, when the connection closes, or when the server sends a close signal
  // (close_status) first; the close signal itself stays queued.
  im::turms::proto::TurmsNotification request(
      im::turms::proto::TurmsRequest request,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // CreateSession{version 1, user_id, password, device_type} via request(); returns the
  // response whatever its code. The session-info push (data.user_session) stays queued.
  im::turms::proto::TurmsNotification login(
      int64_t user_id, const std::string& password, int device_type = 0 /* DESKTOP */,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The first frame, queued or arriving within `timeout`, for which `predicate` holds; it is
  // removed from the queue and every other frame stays queued. `predicate` also sees a kClosed
  // frame once the connection has closed. nullopt on timeout, or at once if the connection closed
  // and `predicate` rejected kClosed.
  std::optional<Frame> waitFor(std::function<bool(const Frame&)> predicate,
                               std::chrono::milliseconds timeout);

  // Graceful close (WebSocket close handshake / TCP shutdown), bounded by the connect timeout.
  // Frames received before the close can still be read with receive().
  void close();
  // False once either side has closed the connection, as far as this client has observed.
  bool isOpen() const;

  Transport transport() const;
  // The code of the WebSocket close frame the server sent, once one has been read (Turms servers
  // always use 1000). nullopt for TCP, or while no close frame has arrived.
  std::optional<uint16_t> webSocketCloseCode() const;

 private:
  struct Impl;
  explicit TurmsClient(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

// The TCP framing, exposed so it can be tested without sockets. Implemented independently of the
// server's decoder on purpose: a test client sharing the server's code would hide its bugs.
namespace wire {

// Appends the protobuf base-128 varint encoding of `value` (1 to 5 bytes).
void appendVarint32(std::string& out, uint32_t value);

// Incremental decoder for varint32(length) + payload frames.
class FrameDecoder {
 public:
  enum class Status { kNeedMore, kFrame, kCorrupt };

  explicit FrameDecoder(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  void append(std::string_view bytes);
  // kFrame: *payload holds the next payload (empty for a heartbeat). kCorrupt: a varint over 5
  // bytes, a length over 2^31-1 or over the limit; error() says which, and the stream is lost.
  Status next(std::string* payload);
  const std::string& error() const { return error_; }

 private:
  size_t max_frame_bytes_;
  std::string buffer_;
  size_t consumed_ = 0;  // prefix of buffer_ already handed out; compacted on append
  std::string error_;
};

}  // namespace wire

}  // namespace parley::client
