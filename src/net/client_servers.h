#pragma once
// The client-facing listeners: WebSocket (turms-client-js) and varint-framed TCP (the Kotlin,
// Swift, Dart and C++ clients). Both hand frames to one ConnectionHandler.
#include <cstdint>
#include <memory>
#include <string>

#include "net/connection.h"
#include "net/io_pool.h"
#include "net/tls_context.h"

namespace parley::net {

struct ClientServerOptions {
  std::string bind = "0.0.0.0";
  int ws_port = 10510;   // 0 = any free port, -1 = off
  int tcp_port = 11510;  // 0 = any free port, -1 = off
  TransportLimits limits;
  // wss:// and TLS over the TCP port; null = plaintext. A reload applies to connections
  // accepted after it.
  std::shared_ptr<ReloadableTlsContext> ws_tls;
  std::shared_ptr<ReloadableTlsContext> tcp_tls;
};

class ClientServers {
 public:
  // Binds and starts accepting. Throws std::runtime_error naming the port when binding fails.
  ClientServers(IoPool& pool, ConnectionHandler& handler, const ClientServerOptions& options);
  ~ClientServers();

  uint16_t wsPort() const;   // 0 when off
  uint16_t tcpPort() const;  // 0 when off
  void stopAccepting();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::net
