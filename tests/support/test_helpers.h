#pragma once
// Shared helpers for integration tests that talk to a real parley process.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "client/turms_client.h"
#include "support/parley_process.h"
#include "turms/turms_request.pb.h"

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

inline bool isHeartbeat(const Frame& frame) { return frame.kind == Frame::Kind::kHeartbeat; }

// A push relaying another client's request of this kind.
inline bool isRelayed(const Frame& frame, im::turms::proto::TurmsRequest::KindCase kind) {
  return frame.kind == Frame::Kind::kNotification && frame.notification.has_relayed_request() &&
         frame.notification.relayed_request().kind_case() == kind;
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

// A suite whose tests share one parley process, started before its first test and stopped after
// its last, so each test does not pay for a start-up. Suite is the fixture itself (one process
// per suite, not one for all suites); it may define a public static parleyOptions().
template <typename Suite, typename Base = ::testing::Test>
class SharedParleySuite : public Base {
 public:
  static ParleyOptions parleyOptions() { return {}; }

 protected:
  static void SetUpTestSuite() {
    parley_ = std::make_unique<ParleyProcess>(Suite::parleyOptions());
  }
  static void TearDownTestSuite() { parley_.reset(); }

  static inline std::unique_ptr<ParleyProcess> parley_;
};

}  // namespace parley::testing
