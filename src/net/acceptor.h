#pragma once
// Private to src/net: a listening socket that spreads accepted sockets over the io threads.
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "net/io_pool.h"

namespace parley::net {

class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;

  // Binds with SO_REUSEADDR and SO_REUSEPORT (several Parley processes may share a port).
  // Throws std::runtime_error("<what> port N: <reason>").
  Acceptor(IoPool& pool, const std::string& what, const std::string& bind, int port,
           OnAccept on_accept);
  void start();
  void stop();
  uint16_t port() const { return port_; }

 private:
  void acceptNext();

  IoPool& pool_;
  std::string what_;
  boost::asio::ip::tcp::acceptor acceptor_;
  OnAccept on_accept_;
  uint16_t port_ = 0;
};

}  // namespace parley::net
