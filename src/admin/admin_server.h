#pragma once
// The admin HTTP/1.1 server: /health, /metrics and the user and session API of admin_routes.h.
// Beast lives in admin_server.cpp only; this header forward-declares the io_context.
#include <cstdint>
#include <memory>
#include <string>

#include "admin/admin_routes.h"
#include "net/tls_context.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace parley {

class AdminServer {
 public:
  // Starts listening on bind:port (port 0 = any free port) before returning, and serves on
  // io_context. Throws std::runtime_error("admin port N: ...") when it cannot listen: that is
  // start-up, and fatal.
  //
  // Handlers call the repositories and the password hasher synchronously (an Argon2 hash takes
  // tens of milliseconds), so give the server an io_context of its own rather than one that
  // serves client connections. Any number of threads may run it: the server keeps its state on
  // one strand. io_context and everything in deps must outlive both the server and the run of
  // io_context.
  //
  // tls: HTTPS with its certificate (reloadable); null = plain HTTP.
  AdminServer(boost::asio::io_context& io_context, AdminDeps deps, std::string bind, int port,
              std::shared_ptr<net::ReloadableTlsContext> tls = nullptr);
  // Calls stop().
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The port actually bound (useful with port 0).
  uint16_t port() const;

  // Stops accepting and closes open connections; requests being answered are cut off. Safe from
  // any thread and more than once; returns without waiting for the io_context to do it.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the coroutines, which may outlive the server object
};

}  // namespace parley
