#pragma once
// The node-to-node RPC server (port 7510): accepts peers' connections and hands their requests
// to an RpcHandler. Frames are rpc_frame.h's; a malformed or oversized frame closes that
// connection only, with one log line. Asio stays in the .cpp.
//
// Whoever reaches this port could otherwise push any bytes to any user, close anyone's sessions
// and announce a fake node. So with a secret every connection first proves it holds it
// (rpc_auth.h) and nothing it sends before is acted on; without one the server listens on
// loopback only. Frames, queued replies, connections and idle time are bounded, so that a peer
// (or anyone who reaches the port) cannot grow this node's memory without limit.
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"
#include "core/status_code.h"

namespace boost::asio {
class io_context;
}

namespace parley::rpc {
class NodeJoined;
}

namespace parley::nodes {

// Runs on the server's io thread: it must not block (post heavy work elsewhere).
class RpcHandler {
 public:
  virtual ~RpcHandler() = default;
  virtual void onPush(std::span<const int64_t> user_ids,
                      std::shared_ptr<const std::string> notification, int64_t except_user_id,
                      int32_t except_device_type) = 0;
  virtual Status onCloseSessions(int64_t user_id, std::span<const int32_t> device_types,
                                 int32_t close_status, StatusCode code,
                                 const std::string& reason) = 0;
  // Another node joined the cluster (it announces itself before serving clients).
  virtual void onNodeJoined(const rpc::NodeJoined& joined) {}
};

struct RpcServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 7510;  // 0: any free port (tests)
  // cluster.secret. Empty: connections are not authenticated, so listen() refuses any address
  // but loopback (127.0.0.0/8, ::1).
  std::string secret;
  // Every frame but a push is tiny; a push carries one notification (bounded by the gateway's
  // max request size) and at most kMaxUsersPerPushFrame user ids.
  size_t max_frame_size = 1024 * 1024;
  // Replies written to a peer that does not read pile up here; past it the connection is closed.
  size_t max_queued_reply_bytes = 1024 * 1024;
  // Connections beyond this are closed as soon as they are accepted.
  size_t max_connections = 256;
  // Connections from one address that have not finished the handshake yet; more are closed as
  // soon as they are accepted, so that one host cannot hold every slot with handshakes it never
  // finishes. A peer has one or two connections to this node at a time.
  size_t max_handshaking_per_address = 16;
  // A connection without a frame for this long is closed; clients ping well within it.
  std::chrono::milliseconds idle_timeout{120'000};
  // A connection that has not proved the secret this long after it was accepted is closed.
  std::chrono::milliseconds handshake_timeout{5'000};
};

struct RpcServerStats {
  uint64_t connections = 0;  // accepted
  uint64_t pushes = 0;
  uint64_t close_requests = 0;
  uint64_t malformed = 0;      // connections closed for a bad or oversized frame
  uint64_t auth_failures = 0;  // closed for a failed, wrong or unfinished handshake
  uint64_t refused =
      0;  // closed at once: max_connections, or max_handshaking_per_address, were open
  uint64_t idle_closed = 0;  // closed after idle_timeout without a frame
  uint64_t overflowed = 0;   // closed with more than max_queued_reply_bytes unsent
};

class RpcServer {
 public:
  // Binds and starts accepting on io (run by one thread). kIllegalArgument for a bad address, a
  // secret too short (rpc_auth.h) or no secret on an address that is not loopback,
  // kServerInternalError when the port cannot be bound (the message names both).
  static Result<std::unique_ptr<RpcServer>> listen(boost::asio::io_context& io,
                                                   RpcServerOptions options, RpcHandler& handler);
  // stop() first.
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  uint16_t port() const;
  // Closes the acceptor and every connection; the handler is not called after this returns.
  // Callable from any thread, the io thread included.
  void stop();
  RpcServerStats stats() const;

  struct Impl;

 private:
  explicit RpcServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace parley::nodes
