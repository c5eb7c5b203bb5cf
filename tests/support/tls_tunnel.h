#pragma once
// A loopback TLS client for tests whose clients speak plaintext, in the manner of stunnel: it
// listens on a free loopback port and carries every connection made to it on to a server port
// over TLS (net::TlsEngine in the client role), checking the server's certificate. Tests then
// connect TurmsClient to port() as to any plaintext server, and the bytes reaching the server
// are real TLS.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/tls_context.h"

namespace parley::testing {

class TlsTunnel {
 public:
  // server_name is checked against the server's certificate.
  TlsTunnel(uint16_t server_port, const net::TlsClientFiles& files,
            std::string server_name = "127.0.0.1");
  // Closes every connection and waits for their threads.
  ~TlsTunnel();
  TlsTunnel(const TlsTunnel&) = delete;
  TlsTunnel& operator=(const TlsTunnel&) = delete;

  uint16_t port() const { return port_; }
  // The server certificate's subject seen by the latest handshake that completed ("/CN=...").
  std::string lastServerSubject() const;
  // Why the latest connection's TLS session failed; empty when none did.
  std::string lastError() const;

 private:
  void acceptLoop();
  void carry(int plain_fd);

  std::shared_ptr<const net::TlsContext> context_;
  const uint16_t server_port_;
  const std::string server_name_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string last_subject_;
  std::string last_error_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace parley::testing
