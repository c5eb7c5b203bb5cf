#include "net/acceptor.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <stdexcept>

namespace parley::net {

namespace asio = boost::asio;
using asio::ip::tcp;

Acceptor::Acceptor(IoPool& pool, const std::string& what, const std::string& bind, int port,
                   OnAccept on_accept)
    : pool_(pool), what_(what), acceptor_(pool.context(0)), on_accept_(std::move(on_accept)) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(bind, ec);
  if (ec) throw std::runtime_error(what + ": bad bind address '" + bind + "'");
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) {
    int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(what + " port " + std::to_string(port) + " on " + bind + ": " +
                             ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
}

void Acceptor::start() { acceptNext(); }

void Acceptor::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Acceptor::acceptNext() {
  // Accepting straight onto the next io thread's context pins the connection there for life.
  acceptor_.async_accept(
      pool_.nextContext(),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec) {
          // EMFILE and friends: log and keep accepting; the limit may clear as clients leave.
          // Back off briefly so a persistent error does not spin a core.
          spdlog::warn("{}: accept failed: {}", self->what_, ec.message());
          auto timer = std::make_shared<asio::steady_timer>(self->acceptor_.get_executor());
          timer->expires_after(std::chrono::milliseconds(100));
          timer->async_wait([self, timer](boost::system::error_code) { self->acceptNext(); });
          return;
        } else {
          boost::system::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          self->on_accept_(std::move(socket));
        }
        self->acceptNext();
      });
}

}  // namespace parley::net
