#pragma once
// Private to src/net: a varint-framed TCP client connection. Like WsConnection, an idle one owns
// no read buffer, timer or write state.
#include <boost/asio/ip/tcp.hpp>
#include <span>

#include "net/stream_connection.h"
#include "net/varint_frame.h"

namespace parley::net {

class TcpConnection final : public StreamConnection<TcpConnection, Payload> {
 public:
  // tls: null for plaintext.
  TcpConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                const TransportLimits& limits, const TlsContext* tls = nullptr);
  ~TcpConnection() override;

  std::string_view transport() const override { return "tcp"; }

 private:
  friend class StreamConnection<TcpConnection, Payload>;

  static constexpr size_t kMaxHeaderBytes = 5;  // a varint32
  static Payload dataFrame(Payload payload) { return payload; }
  static const Payload& payloadOf(const Payload& frame) { return frame; }
  static size_t encodeHeader(const Payload& frame, size_t payload_size, char* out);
  void onStarted();
  void onBytes(std::span<char> bytes);

  VarintFrameDecoder decoder_;
};

}  // namespace parley::net
