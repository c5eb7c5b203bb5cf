#pragma once
// The client side of node-to-node RPC: one connection per peer node, opened lazily and reopened
// after a failure. NodeClients is an interface so that routing can be tested without sockets.
//
// Pushes wait out a short outage: while a peer cannot be reached (it restarts, its address is
// being looked up again) they stay queued and the connection is retried with backoff, for up to
// push_retry_window; pushes still queued then, or past the queue's bound, are dropped and
// counted, with one log line per outage, and clients pull what they missed by sequence id. A
// push already written to a connection that breaks is not sent again (it may have arrived).
// Close requests are answered, pipelined on the same connection and matched by request id, and
// fail with kServerUnavailable on a timeout or an unreachable peer.
//
// Every connection starts with the handshake of rpc_auth.h: nothing is sent before the peer has
// proved that it holds the same cluster.secret (or, without one, that it has none either). An
// idle connection is pinged, so that the peer's idle timeout does not close it and a peer that
// stopped answering is noticed; nodes that left the membership are forgotten (forgetAllBut).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status_code.h"

namespace boost::asio {
class io_context;
}

namespace parley::rpc {
class NodeJoined;
}

namespace parley::nodes {

class Membership;

struct PeerStats {
  std::string node_id;
  bool connected = false;
  uint64_t pushes_sent = 0;     // push frames written to the socket
  uint64_t pushes_dropped = 0;  // peer unreachable past the retry window, or queue full
  uint64_t close_requests = 0;
  uint64_t rpc_errors = 0;  // close requests that failed (timeout, connection lost, refused)
  uint64_t connects = 0;
  uint64_t connect_failures = 0;
  uint64_t handshake_failures = 0;  // of those, the peer did not prove the secret (or refused)
};

struct NodeClientsStats {
  uint64_t pushes_sent = 0;
  uint64_t pushes_dropped = 0;
  uint64_t close_requests = 0;
  uint64_t rpc_errors = 0;
  uint64_t handshake_failures = 0;
  std::vector<PeerStats> peers;  // in node id order; forgotten nodes still count in the totals
};

class NodeClients {
 public:
  using CloseCallback = std::function<void(Status)>;

  virtual ~NodeClients() = default;

  // Fire-and-forget; any thread; never blocks.
  virtual void push(const std::string& node_id, std::span<const int64_t> user_ids,
                    std::shared_ptr<const std::string> notification, int64_t except_user_id,
                    int32_t except_device_type) = 0;
  // Any thread; done runs exactly once, on an io thread, with the peer's answer or the failure.
  virtual void closeSessionsAsync(const std::string& node_id, int64_t user_id,
                                  std::span<const int32_t> device_types, int32_t close_status,
                                  StatusCode code, const std::string& reason,
                                  CloseCallback done) = 0;
  // Blocking, for the blocking pool: the peer's answer, or kServerUnavailable within the
  // request timeout. Refuses with kServerInternalError on the clients' own io thread.
  virtual Status closeSessions(const std::string& node_id, int64_t user_id,
                               std::span<const int32_t> device_types, int32_t close_status,
                               StatusCode code, const std::string& reason) = 0;
  // Blocking: tells node_id that `joined` (this node) is live, and waits for its answer.
  virtual Status announceJoin(const std::string& node_id, const rpc::NodeJoined& joined) {
    return {};
  }
  virtual NodeClientsStats stats() const = 0;
  // True while this node has a working connection to node_id. Any thread.
  virtual bool connected(std::string_view node_id) const { return false; }
};

struct NodeAddress {
  std::string host;
  uint16_t port = 0;
};
// Where a node's RPC server listens; nullopt for an unknown node. Called on the io thread.
using NodeResolver = std::function<std::optional<NodeAddress>(std::string_view node_id)>;

// Addresses from Membership::find.
NodeResolver membershipResolver(const Membership& membership);

struct NodeClientsOptions {
  // This node's id, told to peers in the handshake (for their logs).
  std::string node_id;
  // cluster.secret, proved to every peer and required of it; empty = peers must have none.
  std::string secret;
  // Covers the TCP connect and the handshake.
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{5000};
  // How long a push waits for an unreachable peer before it is dropped.
  std::chrono::milliseconds push_retry_window{5000};
  // After a failed connect, requests fail fast for this long (doubling up to the max) instead of
  // each waiting for a connect timeout.
  std::chrono::milliseconds reconnect_min_delay{100};
  std::chrono::milliseconds reconnect_max_delay{5000};
  // Per peer, frames queued or being written; past it pushes are dropped (a slow peer must not
  // grow this node's memory without bound).
  size_t max_queued_bytes = 64u * 1024 * 1024;
  // Must not exceed the peers' RpcServerOptions::max_frame_size: larger frames are not sent.
  size_t max_frame_size = 1024 * 1024;
  // A connected peer is pinged this often: well inside its RpcServerOptions::idle_timeout, and a
  // ping still unanswered at the next one drops the connection (the peer is gone or stuck).
  std::chrono::milliseconds keepalive_interval{30'000};
};

class RpcNodeClients final : public NodeClients {
 public:
  // io is run by one thread; connections and callbacks live there.
  RpcNodeClients(boost::asio::io_context& io, NodeResolver resolver,
                 NodeClientsOptions options = {});
  // Closes every connection and fails pending requests with kServerUnavailable.
  ~RpcNodeClients() override;
  RpcNodeClients(const RpcNodeClients&) = delete;
  RpcNodeClients& operator=(const RpcNodeClients&) = delete;

  void push(const std::string& node_id, std::span<const int64_t> user_ids,
            std::shared_ptr<const std::string> notification, int64_t except_user_id,
            int32_t except_device_type) override;
  void closeSessionsAsync(const std::string& node_id, int64_t user_id,
                          std::span<const int32_t> device_types, int32_t close_status,
                          StatusCode code, const std::string& reason, CloseCallback done) override;
  Status announceJoin(const std::string& node_id, const rpc::NodeJoined& joined) override;
  Status closeSessions(const std::string& node_id, int64_t user_id,
                       std::span<const int32_t> device_types, int32_t close_status, StatusCode code,
                       const std::string& reason) override;
  NodeClientsStats stats() const override;
  bool connected(std::string_view node_id) const override;
  // Drops the connection, queues and pending requests of every node not named (nodes that left
  // the membership): failed and counted as for an unreachable node. Any thread; does not block.
  void forgetAllBut(std::vector<std::string> live_node_ids);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace parley::nodes
