#pragma once
// The node-to-node RPC server (port 7510): accepts peers' connections and hands their requests
// to an RpcHandler. Frames are rpc_frame.h's; a malformed or oversized frame closes that
// connection only, with one log line. Asio stays in the .cpp.
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
  std::string bind_address = "0.0.0.0";
  uint16_t port = 7510;  // 0: any free port (tests)
  size_t max_frame_size = 64u * 1024 * 1024;
};

struct RpcServerStats {
  uint64_t connections = 0;  // accepted
  uint64_t pushes = 0;
  uint64_t close_requests = 0;
  uint64_t malformed = 0;  // connections closed for a bad frame
};

class RpcServer {
 public:
  // Binds and starts accepting on io (run by one thread). kIllegalArgument for a bad address,
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
