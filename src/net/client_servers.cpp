#include "net/client_servers.h"

#include <atomic>

#include "net/acceptor.h"
#include "net/tcp_connection.h"
#include "net/ws_connection.h"

namespace parley::net {

struct ClientServers::Impl {
  std::shared_ptr<Acceptor> ws;
  std::shared_ptr<Acceptor> tcp;
  std::atomic<uint64_t> next_id{1};
};

ClientServers::ClientServers(IoPool& pool, ConnectionHandler& handler,
                             const ClientServerOptions& options)
    : impl_(std::make_unique<Impl>()) {
  auto* impl = impl_.get();
  auto limits = options.limits;
  if (options.ws_port >= 0) {
    impl->ws = std::make_shared<Acceptor>(
        pool, "websocket", options.bind, options.ws_port,
        [impl, &handler, limits, tls = options.ws_tls](boost::asio::ip::tcp::socket socket) {
          const auto context = tls ? tls->current() : nullptr;
          std::make_shared<WsConnection>(std::move(socket), impl->next_id++, handler, limits,
                                         context.get())
              ->start();
        });
  }
  if (options.tcp_port >= 0) {
    impl->tcp = std::make_shared<Acceptor>(
        pool, "tcp", options.bind, options.tcp_port,
        [impl, &handler, limits, tls = options.tcp_tls](boost::asio::ip::tcp::socket socket) {
          const auto context = tls ? tls->current() : nullptr;
          std::make_shared<TcpConnection>(std::move(socket), impl->next_id++, handler, limits,
                                          context.get())
              ->start();
        });
  }
  if (impl->ws) impl->ws->start();
  if (impl->tcp) impl->tcp->start();
}

ClientServers::~ClientServers() { stopAccepting(); }

uint16_t ClientServers::wsPort() const { return impl_->ws ? impl_->ws->port() : 0; }
uint16_t ClientServers::tcpPort() const { return impl_->tcp ? impl_->tcp->port() : 0; }

void ClientServers::stopAccepting() {
  if (impl_->ws) impl_->ws->stop();
  if (impl_->tcp) impl_->tcp->stop();
}

}  // namespace parley::net
