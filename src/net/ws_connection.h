#pragma once
// Private to src/net: a WebSocket client connection (binary frames carry protobuf payloads).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>

#include "net/connection.h"

namespace parley::net {

class WsConnection final : public Connection, public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
               const TransportLimits& limits);

  void start();

  uint64_t id() const override { return id_; }
  std::string_view transport() const override { return "ws"; }
  const std::string& remoteAddress() const override { return remote_address_; }
  void send(Payload payload) override;
  void close(Payload last_frame) override;
  void post(std::function<void()> fn) override;

 private:
  void readNext();
  void writeNext();
  void afterFlush();
  void finish();

  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::asio::steady_timer close_timer_;
  uint64_t id_;
  ConnectionHandler& handler_;
  TransportLimits limits_;
  std::string remote_address_;
  boost::beast::flat_buffer read_buffer_;
  std::deque<Payload> queue_;
  bool opened_ = false;  // handshake done and onOpen called
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
};

}  // namespace parley::net
