#include "net/ws_connection.h"

#include <spdlog/spdlog.h>

#include "net/ws_handshake.h"

namespace parley::net {

namespace asio = boost::asio;

namespace {

// An upgrade request is a few hundred bytes; browsers with many cookies stay well below this.
constexpr size_t kMaxHandshakeBytes = 8 * 1024;
// As Beast's suggested server handshake timeout, which this server used before.
constexpr std::chrono::seconds kHandshakeTimeout{30};
// How long to wait for the client's reply to our close frame before dropping the socket.
constexpr std::chrono::milliseconds kCloseReplyTimeout{1000};

const Payload& normalCloseBody() {
  static const Payload body = std::make_shared<const std::string>(
      std::string{static_cast<char>(ws_close_code::kNormal >> 8),
                  static_cast<char>(ws_close_code::kNormal & 0xFF)});
  return body;
}

}  // namespace

struct WsConnection::Handshake {
  std::string received;  // request bytes so far, once a read did not hold the whole request
  std::string leftover;  // frame bytes that arrived right behind the request
  bool accepted = false;
};

WsConnection::WsConnection(asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                           const TransportLimits& limits, const TlsContext* tls)
    : StreamConnection(std::move(socket), id, handler, limits, tls),
      reader_(limits.max_frame_bytes) {}

WsConnection::~WsConnection() = default;

size_t WsConnection::encodeHeader(const WsOutgoingFrame& frame, size_t payload_size, char* out) {
  return encodeWsFrameHeader(frame.opcode, payload_size, out);
}

void WsConnection::onStarted() {
  handshake_ = std::make_unique<Handshake>();
  startTimer(kHandshakeTimeout, [](WsConnection& self) {
    if (self.opened_) return;
    spdlog::debug("ws {}: handshake timed out", self.remote_address_);
    self.finish();
  });
  waitReadable();
}

void WsConnection::onReadFailed(const boost::system::error_code& ec) {
  // EOF or reset: the client went away, which is not a protocol error.
  if (!opened_) spdlog::debug("ws {}: closed during handshake: {}", remote_address_, ec.message());
}

void WsConnection::onBytes(std::span<char> bytes) {
  if (opened_) {
    onFrames(bytes);
  } else {
    onHandshakeBytes(bytes);
  }
}

bool WsConnection::readsOn() const {
  // After the peer's close frame nothing more is read; while the 101 is being written,
  // onUpgraded() resumes reading.
  return !close_received_ && !(handshake_ && handshake_->accepted);
}

void WsConnection::onHandshakeBytes(std::span<char> bytes) {
  auto& handshake = *handshake_;
  std::string_view input(bytes.data(), bytes.size());
  if (!handshake.received.empty()) {
    handshake.received.append(input);
    input = handshake.received;
  }
  const auto request = parseWsUpgradeRequest(input, kMaxHandshakeBytes);
  switch (request.state) {
    case WsUpgradeRequest::State::kNeedMore:
      if (handshake.received.empty()) handshake.received.assign(input);
      return;
    case WsUpgradeRequest::State::kReject:
      // Not a WebSocket handshake: nothing was opened, so nothing to report to the handler
      // beyond a debug line.
      spdlog::debug("ws {}: handshake rejected: {}", remote_address_, request.error);
      sendNow(wsRejectResponse(request));
      finish();
      return;
    case WsUpgradeRequest::State::kAccept:
      break;
  }
  handshake.leftover.assign(input.substr(request.request_bytes));
  handshake.received = std::string();
  handshake.accepted = true;
  writeAnswer(wsAcceptResponse(request.key), [](WsConnection& self) { self.onUpgraded(); });
}

void WsConnection::onUpgraded() {
  timer_->cancel();
  timer_.reset();
  std::string leftover = std::move(handshake_->leftover);
  handshake_.reset();
  open();
  // A client may not send frames before it has our 101, but one that does is served in order.
  if (!leftover.empty() && !finished_) onFrames({leftover.data(), leftover.size()});
  if (!finished_ && !close_received_) waitReadable();
}

void WsConnection::onFrames(std::span<char> bytes) {
  reader_.feed(bytes.data(), bytes.size());
  std::string_view payload;
  while (!finished_) {
    switch (reader_.next(&payload)) {
      case WsFrameReader::State::kNeedMore:
        return;
      case WsFrameReader::State::kBinary:
        // After close() we keep reading only to notice the client's close or EOF.
        if (!closing_) handler_.onFrame(shared_from_this(), payload);
        break;
      case WsFrameReader::State::kText:  // carries nothing in Turms; upstream drops it too
      case WsFrameReader::State::kPong:
        break;
      case WsFrameReader::State::kPing:
        if (!pong_queued_) {
          pong_queued_ = true;
          enqueue(std::make_shared<const std::string>(payload), ws_opcode::kPong);
          if (!batch_) writeNext();
        }
        break;
      case WsFrameReader::State::kClose:
        onPeerClose(payload);
        return;
      case WsFrameReader::State::kError:
        handler_.onRejected(shared_from_this(), reader_.error());
        // A close frame in the middle of a frame being written would corrupt the stream.
        if (!batch_) sendCloseNow(reader_.closeCode());
        finish();
        return;
    }
  }
}

void WsConnection::onPeerClose(std::string_view body) {
  close_received_ = true;
  closing_ = true;
  if (close_sent_) {  // the client's reply to our close frame
    finish();
    return;
  }
  close_reply_code_ = body.size() >= 2 ? static_cast<uint16_t>(static_cast<uint8_t>(body[0]) << 8 |
                                                               static_cast<uint8_t>(body[1]))
                                       : 0;
  queue_.clear();
  if (batch_) return;  // the write in progress replies when it completes
  sendCloseNow(close_reply_code_);
  finish();
}

void WsConnection::enqueue(Payload payload, uint8_t opcode) {
  queue_.push_back(WsOutgoingFrame{std::move(payload), opcode});
}

void WsConnection::onWritten() {
  if (close_received_) {
    batch_.reset();
    sendCloseNow(close_reply_code_);
    finish();
    return;
  }
  writeNext();
}

void WsConnection::onCloseTimeout() {
  // Clients close the socket themselves on a close signal. This one did not: send the close
  // frame (1000, as upstream) and drop the connection shortly after.
  close_sent_ = true;
  enqueue(normalCloseBody(), ws_opcode::kClose);
  if (!batch_) writeNext();
  // The client's close reply ends the connection; this is the backstop.
  startTimer(kCloseReplyTimeout, [](WsConnection& self) { self.finish(); });
}

void WsConnection::sendCloseNow(uint16_t code) {
  char frame[kWsMaxServerHeaderBytes + 2];
  const size_t body = code == 0 ? 0 : 2;
  size_t size = encodeWsFrameHeader(ws_opcode::kClose, body, frame);
  if (body > 0) {
    frame[size++] = static_cast<char>(code >> 8);
    frame[size++] = static_cast<char>(code & 0xFF);
  }
  sendNow(std::string_view(frame, size));
}

}  // namespace parley::net
