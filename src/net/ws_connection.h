#pragma once
// Private to src/net: a WebSocket client connection (binary frames carry protobuf payloads),
// implemented directly over the socket so that an idle connection costs a few hundred bytes:
// no read buffer, no timer and no write state while idle.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "net/connection.h"
#include "net/ws_frame.h"

namespace parley::net {

class WsConnection final : public Connection, public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
               const TransportLimits& limits);
  ~WsConnection() override;

  void start();

  uint64_t id() const override { return id_; }
  std::string_view transport() const override { return "ws"; }
  const std::string& remoteAddress() const override { return remote_address_; }
  void send(Payload payload) override;
  void close(Payload last_frame) override;
  void post(std::function<void()> fn) override;

 private:
  struct Outgoing {
    Payload payload;
    uint8_t opcode;
  };
  struct Handshake;   // while the opening handshake is in progress
  struct WriteBatch;  // while a write is in progress

  void waitReadable();
  void onReadable();
  void onHandshakeBytes(std::span<char> bytes);
  void onUpgraded();
  void onFrames(std::span<char> bytes);
  void onPeerClose(std::string_view body);
  void enqueue(Payload payload, uint8_t opcode);
  void writeNext();
  void afterFlush();
  void startTimer(std::chrono::milliseconds after, void (*on_expiry)(WsConnection&));
  // Sends a short control message now if the socket takes it; used only when nothing else is
  // being written, right before the socket is closed.
  void sendNow(std::string_view bytes);
  void sendCloseNow(uint16_t code);  // code 0: a close frame without a body
  void finish();

  boost::asio::ip::tcp::socket socket_;
  uint64_t id_;
  ConnectionHandler& handler_;
  TransportLimits limits_;
  std::string remote_address_;
  WsFrameReader reader_;
  std::unique_ptr<Handshake> handshake_;
  std::unique_ptr<WriteBatch> batch_;
  std::unique_ptr<boost::asio::steady_timer> timer_;  // handshake timeout, then close timeouts
  std::vector<Outgoing> queue_;
  bool opened_ = false;  // handshake done and onOpen called
  bool closing_ = false;
  bool close_sent_ = false;
  bool close_received_ = false;    // reply with a close frame once the write in progress ends
  bool pong_queued_ = false;       // one pong at a time: a ping flood cannot grow the queue
  uint16_t close_reply_code_ = 0;  // 0: the peer's close frame had no status code
  bool finished_ = false;
};

}  // namespace parley::net
