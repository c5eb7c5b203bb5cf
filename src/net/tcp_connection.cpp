#include "net/tcp_connection.h"

namespace parley::net {

TcpConnection::TcpConnection(boost::asio::ip::tcp::socket socket, uint64_t id,
                             ConnectionHandler& handler, const TransportLimits& limits,
                             const TlsContext* tls)
    : StreamConnection(std::move(socket), id, handler, limits, tls),
      decoder_(limits.max_frame_bytes) {}

TcpConnection::~TcpConnection() = default;

size_t TcpConnection::encodeHeader(const Payload&, size_t payload_size, char* out) {
  return encodeVarint32(static_cast<uint32_t>(payload_size), out);
}

void TcpConnection::onStarted() {
  open();
  if (!finished_) waitReadable();
}

void TcpConnection::onBytes(std::span<char> bytes) {
  decoder_.feedBorrowed(std::string_view(bytes.data(), bytes.size()));
  std::string_view payload;
  while (!finished_) {
    auto state = decoder_.next(&payload);
    if (state == VarintFrameDecoder::State::kNeedMore) return;
    if (state == VarintFrameDecoder::State::kError) {
      handler_.onRejected(shared_from_this(), decoder_.error());
      finish();
      return;
    }
    // After close() we keep reading only to notice the peer's EOF.
    if (!closing_) handler_.onFrame(shared_from_this(), payload);
  }
}

}  // namespace parley::net
