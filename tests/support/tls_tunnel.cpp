#include "support/tls_tunnel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string_view>

#include "net/tls_engine.h"
#include "support/http_client.h"

namespace parley::testing {

namespace {

// Polls wake up this often to notice the tunnel stopping.
constexpr int kPollMillis = 50;

bool sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

}  // namespace

TlsTunnel::TlsTunnel(uint16_t server_port, const net::TlsClientFiles& files,
                     std::string server_name)
    : context_(net::TlsContext::forClient(files)),
      server_port_(server_port),
      server_name_(std::move(server_name)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("TlsTunnel: cannot listen on loopback");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

TlsTunnel::~TlsTunnel() {
  stopping_ = true;
  acceptor_.join();
  for (auto& thread : threads_) thread.join();
  ::close(listen_fd_);
}

std::string TlsTunnel::lastServerSubject() const {
  std::lock_guard lock(mutex_);
  return last_subject_;
}

std::string TlsTunnel::lastError() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void TlsTunnel::acceptLoop() {
  while (!stopping_) {
    pollfd listening{listen_fd_, POLLIN, 0};
    if (::poll(&listening, 1, kPollMillis) <= 0) continue;
    const int plain_fd = ::accept(listen_fd_, nullptr, nullptr);
    if (plain_fd < 0) continue;
    // Only this thread touches threads_ until the destructor joins it.
    threads_.emplace_back([this, plain_fd] { carry(plain_fd); });
  }
}

void TlsTunnel::carry(int plain_fd) {
  int tls_fd = -1;
  try {
    tls_fd = connectToLoopback(server_port_);
  } catch (const std::runtime_error&) {
    ::close(plain_fd);
    return;
  }
  const int one = 1;
  ::setsockopt(tls_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  net::TlsEngine engine(*context_, net::TlsEngine::Role::kClient, server_name_);
  engine.startHandshake();
  bool open = sendAll(tls_fd, engine.output());
  engine.output().clear();
  bool subject_recorded = false;
  std::string waiting;  // plaintext the client sent before the handshake completed
  char buffer[16 * 1024];
  while (open && !stopping_) {
    pollfd fds[2] = {{plain_fd, POLLIN, 0}, {tls_fd, POLLIN, 0}};
    if (::poll(fds, 2, kPollMillis) <= 0) continue;
    if (fds[0].revents != 0) {
      const ssize_t size = ::recv(plain_fd, buffer, sizeof buffer, 0);
      if (size <= 0) break;
      waiting.append(buffer, static_cast<size_t>(size));
    }
    if (fds[1].revents != 0) {
      const ssize_t size = ::recv(tls_fd, buffer, sizeof buffer, 0);
      if (size <= 0) break;
      const auto result = engine.feed(
          std::string_view(buffer, static_cast<size_t>(size)), [&](std::span<char> plain) {
            open = sendAll(plain_fd, std::string_view(plain.data(), plain.size()));
            return open;
          });
      if (result == net::TlsEngine::FeedResult::kFailed) {
        std::lock_guard lock(mutex_);
        last_error_ = engine.error();
        break;
      }
      if (result == net::TlsEngine::FeedResult::kPeerClosed) break;
    }
    if (engine.established()) {
      if (!subject_recorded) {
        subject_recorded = true;
        std::lock_guard lock(mutex_);
        last_subject_ = engine.peerSubject();
      }
      if (!waiting.empty() && !engine.encrypt(waiting)) break;
      waiting.clear();
    }
    if (!engine.output().empty()) {
      open = open && sendAll(tls_fd, engine.output());
      engine.output().clear();
    }
  }
  // Closing one side closes the other, as a direct connection would have been closed.
  ::close(tls_fd);
  ::close(plain_fd);
}

}  // namespace parley::testing
