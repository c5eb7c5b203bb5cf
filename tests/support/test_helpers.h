#pragma once
// Shared helpers for integration tests that talk to a real parley process.
#include <chrono>
#include <memory>

#include "client/turms_client.h"
#include "support/parley_process.h"

namespace parley::testing {

using client::Frame;
using client::Transport;
using client::TurmsClient;
using namespace std::chrono_literals;

inline std::unique_ptr<TurmsClient> connectTo(const ParleyProcess& parley, Transport transport) {
  return TurmsClient::connect(
      transport, "127.0.0.1",
      transport == Transport::kWebSocket ? parley.wsPort() : parley.tcpPort());
}

inline bool isCloseSignal(const Frame& frame) {
  return frame.kind == Frame::Kind::kNotification && frame.notification.has_close_status();
}

// Waits for the close signal; returns its close_status (or -1 when none came in time).
inline int waitForCloseStatus(TurmsClient& client, std::chrono::milliseconds timeout = 10s) {
  auto frame = client.waitFor(
      [](const Frame& f) { return isCloseSignal(f) || f.kind == Frame::Kind::kClosed; }, timeout);
  if (!frame || frame->kind != Frame::Kind::kNotification) return -1;
  return frame->notification.close_status();
}

// True when the server closed the socket within the timeout.
inline bool waitForSocketClose(TurmsClient& client, std::chrono::milliseconds timeout = 10s) {
  auto frame =
      client.waitFor([](const Frame& f) { return f.kind == Frame::Kind::kClosed; }, timeout);
  return frame.has_value();
}

inline const char* transportName(Transport transport) {
  return transport == Transport::kWebSocket ? "WebSocket" : "Tcp";
}

}  // namespace parley::testing
