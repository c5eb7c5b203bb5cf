#pragma once
// Private to src/net: a varint-framed TCP client connection.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>

#include "net/connection.h"
#include "net/varint_frame.h"

namespace parley::net {

class TcpConnection final : public Connection, public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                const TransportLimits& limits);

  void start();

  uint64_t id() const override { return id_; }
  std::string_view transport() const override { return "tcp"; }
  const std::string& remoteAddress() const override { return remote_address_; }
  void send(Payload payload) override;
  void close(Payload last_frame) override;
  void post(std::function<void()> fn) override;

 private:
  void readNext();
  void writeNext();
  void afterFlush();
  void finish();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer close_timer_;
  uint64_t id_;
  ConnectionHandler& handler_;
  TransportLimits limits_;
  std::string remote_address_;
  VarintFrameDecoder decoder_;
  std::array<char, 2048> read_buffer_;
  std::deque<Payload> queue_;
  std::string header_;  // varint prefix of the frame being written
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace parley::net
