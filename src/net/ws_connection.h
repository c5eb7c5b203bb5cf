#pragma once
// Private to src/net: a WebSocket client connection (binary frames carry protobuf payloads),
// implemented directly over the socket so that an idle connection costs a few hundred bytes:
// no read buffer, no timer and no write state while idle.
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <span>

#include "net/stream_connection.h"
#include "net/ws_frame.h"

namespace parley::net {

struct WsOutgoingFrame {
  Payload payload;
  uint8_t opcode;
};

class WsConnection final : public StreamConnection<WsConnection, WsOutgoingFrame> {
 public:
  // tls: null for plaintext.
  WsConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
               const TransportLimits& limits, const TlsContext* tls = nullptr);
  ~WsConnection() override;

  std::string_view transport() const override { return "ws"; }

 private:
  friend class StreamConnection<WsConnection, WsOutgoingFrame>;
  struct Handshake;  // while the opening handshake is in progress

  static constexpr size_t kMaxHeaderBytes = kWsMaxServerHeaderBytes;
  static WsOutgoingFrame dataFrame(Payload payload) {
    return {std::move(payload), ws_opcode::kBinary};
  }
  static const Payload& payloadOf(const WsOutgoingFrame& frame) { return frame.payload; }
  static size_t encodeHeader(const WsOutgoingFrame& frame, size_t payload_size, char* out);
  void onStarted();
  void onBytes(std::span<char> bytes);
  bool readsOn() const;
  void onReadFailed(const boost::system::error_code& ec);
  void onQueueTaken() { pong_queued_ = false; }
  void onWritten();
  void onCloseTimeout();

  void onHandshakeBytes(std::span<char> bytes);
  void onUpgraded();
  void onFrames(std::span<char> bytes);
  void onPeerClose(std::string_view body);
  void enqueue(Payload payload, uint8_t opcode);
  void sendCloseNow(uint16_t code);  // code 0: a close frame without a body

  // The flags first: they fill the base's tail padding.
  bool close_sent_ = false;
  bool close_received_ = false;    // reply with a close frame once the write in progress ends
  bool pong_queued_ = false;       // one pong at a time: a ping flood cannot grow the queue
  uint16_t close_reply_code_ = 0;  // 0: the peer's close frame had no status code
  WsFrameReader reader_;
  std::unique_ptr<Handshake> handshake_;  // the base's timer_ is the handshake timeout meanwhile
};

}  // namespace parley::net
