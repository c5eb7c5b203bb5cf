#pragma once
// A client connection as the gateway sees it: frames in, frames out, close. Transport details
// (WebSocket or varint-framed TCP) stay behind this interface, and nothing here knows about
// sessions or business (STYLE.md rule 1).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace parley::net {

// Frames are shared so that a fan-out encodes once and writes the same bytes everywhere.
using Payload = std::shared_ptr<const std::string>;

class Connection {
 public:
  virtual ~Connection() = default;

  virtual uint64_t id() const = 0;
  virtual std::string_view transport() const = 0;  // "ws" or "tcp"
  virtual const std::string& remoteAddress() const = 0;

  // Thread-safe. Queues one frame; an empty payload is a heartbeat frame. Ignored once closing.
  virtual void send(Payload payload) = 0;
  // Thread-safe. Sends last_frame (if not null), then gives the client close_timeout to close
  // the socket itself before closing it (WebSocket: close frame 1000). Idempotent.
  virtual void close(Payload last_frame) = 0;
  // Thread-safe. Runs fn on the io thread that owns this connection.
  virtual void post(std::function<void()> fn) = 0;

  // Opaque per-connection state owned by the handler (the gateway's session). Touch only on the
  // connection's io thread.
  std::shared_ptr<void>& handlerState() { return handler_state_; }

 private:
  std::shared_ptr<void> handler_state_;
};

using ConnectionPtr = std::shared_ptr<Connection>;

// Callbacks from the transports, each on the connection's own io thread.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void onOpen(const ConnectionPtr& connection) = 0;
  // One complete inbound frame; empty = heartbeat.
  virtual void onFrame(const ConnectionPtr& connection, std::string_view payload) = 0;
  // The transport rejected input (malformed or oversized frame) and is closing the connection.
  virtual void onRejected(const ConnectionPtr& connection, std::string_view reason) = 0;
  // The client let more than max_unsent_bytes of frames pile up behind its socket (it is not
  // reading them); the connection is dropped right after, without a close frame it would not
  // read either.
  virtual void onNotReading(const ConnectionPtr& connection, size_t unsent_bytes) {}
  // Called exactly once, after the socket is gone.
  virtual void onClosed(const ConnectionPtr& connection) = 0;
};

struct TransportLimits {
  size_t max_frame_bytes = 16 * 1024;
  int close_timeout_millis = 1000;
  // Frames queued for a client beyond what its socket buffer took; a frame arriving while more
  // than this waits drops the connection. Without a bound a client that stops reading (a frozen
  // app, or one that wants the server to run out of memory) keeps every push addressed to it in
  // the server's memory.
  size_t max_unsent_bytes = 1024 * 1024;
};

}  // namespace parley::net
