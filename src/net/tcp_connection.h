#pragma once
// Private to src/net: a varint-framed TCP client connection. Like WsConnection, an idle one owns
// no read buffer, timer or write state.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <span>
#include <vector>

#include "net/connection.h"
#include "net/varint_frame.h"

namespace parley::net {

class TcpConnection final : public Connection, public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                const TransportLimits& limits);
  ~TcpConnection() override;

  void start();

  uint64_t id() const override { return id_; }
  std::string_view transport() const override { return "tcp"; }
  const std::string& remoteAddress() const override { return remote_address_; }
  void send(Payload payload) override;
  void close(Payload last_frame) override;
  void post(std::function<void()> fn) override;

 private:
  struct WriteBatch;  // while a write is in progress

  void waitReadable();
  void onReadable();
  void onFrames(std::span<char> bytes);
  void writeNext();
  void afterFlush();
  void finish();

  boost::asio::ip::tcp::socket socket_;
  uint64_t id_;
  ConnectionHandler& handler_;
  TransportLimits limits_;
  std::string remote_address_;
  VarintFrameDecoder decoder_;
  std::unique_ptr<WriteBatch> batch_;
  std::unique_ptr<boost::asio::steady_timer> close_timer_;
  std::vector<Payload> queue_;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace parley::net
