#include "net/ws_connection.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "net/gather_write.h"
#include "net/read_buffer.h"
#include "net/ws_handshake.h"

namespace parley::net {

namespace asio = boost::asio;
using asio::ip::tcp;

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
  std::string response;  // the 101 being written
  bool accepted = false;
};

struct WsConnection::WriteBatch {
  std::vector<Outgoing> frames;
  std::vector<char> headers;
  std::vector<asio::const_buffer> buffers;
};

WsConnection::WsConnection(tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                           const TransportLimits& limits)
    : socket_(std::move(socket)),
      id_(id),
      handler_(handler),
      limits_(limits),
      reader_(limits.max_frame_bytes) {
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  remote_address_ =
      ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

WsConnection::~WsConnection() = default;

void WsConnection::start() {
  boost::system::error_code ec;
  // Reads happen only after the socket reported readable, and must never block the io thread.
  socket_.non_blocking(true, ec);
  handshake_ = std::make_unique<Handshake>();
  startTimer(kHandshakeTimeout, [](WsConnection& self) {
    if (self.opened_) return;
    spdlog::debug("ws {}: handshake timed out", self.remote_address_);
    self.finish();
  });
  waitReadable();
}

void WsConnection::waitReadable() {
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (self->finished_) return;
                       if (ec) {
                         self->finish();
                         return;
                       }
                       self->onReadable();
                     });
}

void WsConnection::onReadable() {
  boost::system::error_code ec;
  const auto bytes = readReady(socket_, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    waitReadable();
    return;
  }
  if (ec) {
    // EOF or reset: the client went away, which is not a protocol error.
    if (!opened_)
      spdlog::debug("ws {}: closed during handshake: {}", remote_address_, ec.message());
    finish();
    return;
  }
  if (opened_) {
    onFrames(bytes);
  } else {
    onHandshakeBytes(bytes);
  }
  if (finished_ || close_received_ || (handshake_ && handshake_->accepted)) return;
  waitReadable();
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
  handshake.response = wsAcceptResponse(request.key);
  handshake.leftover.assign(input.substr(request.request_bytes));
  handshake.received = std::string();
  handshake.accepted = true;
  asio::async_write(socket_, asio::buffer(handshake.response),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec || self->finished_) {
                        self->finish();
                        return;
                      }
                      self->onUpgraded();
                    });
}

void WsConnection::onUpgraded() {
  timer_->cancel();
  timer_.reset();
  std::string leftover = std::move(handshake_->leftover);
  handshake_.reset();
  opened_ = true;
  handler_.onOpen(shared_from_this());
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

void WsConnection::send(Payload payload) {
  post([self = shared_from_this(), payload = std::move(payload)]() mutable {
    if (self->closing_ || self->finished_) return;
    self->enqueue(std::move(payload), ws_opcode::kBinary);
    if (!self->batch_) self->writeNext();
  });
}

void WsConnection::enqueue(Payload payload, uint8_t opcode) {
  queue_.push_back(Outgoing{std::move(payload), opcode});
}

void WsConnection::writeNext() {
  if (queue_.empty()) {
    // Idle again: give back the write state.
    batch_.reset();
    queue_ = std::vector<Outgoing>();
    if (closing_) afterFlush();
    return;
  }
  if (!batch_) batch_ = std::make_unique<WriteBatch>();
  auto& batch = *batch_;
  batch.frames.clear();
  batch.frames.swap(queue_);
  pong_queued_ = false;
  batch.headers.resize(batch.frames.size() * kWsMaxServerHeaderBytes);
  batch.buffers.clear();
  batch.buffers.reserve(batch.frames.size() * 2);
  for (size_t i = 0; i < batch.frames.size(); ++i) {
    const auto& frame = batch.frames[i];
    char* header = batch.headers.data() + i * kWsMaxServerHeaderBytes;
    const size_t payload_size = frame.payload ? frame.payload->size() : 0;
    batch.buffers.emplace_back(header, encodeWsFrameHeader(frame.opcode, payload_size, header));
    if (payload_size > 0) batch.buffers.emplace_back(asio::buffer(*frame.payload));
  }
  asio::async_write(socket_, ConstBufferRange(batch.buffers),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      // finish() (e.g. on the peer's EOF) may have run while this write's
                      // success was already queued.
                      if (ec || self->finished_) {
                        self->batch_.reset();
                        self->finish();
                        return;
                      }
                      if (self->close_received_) {
                        self->batch_.reset();
                        self->sendCloseNow(self->close_reply_code_);
                        self->finish();
                        return;
                      }
                      self->writeNext();
                    });
}

void WsConnection::close(Payload last_frame) {
  post([self = shared_from_this(), last = std::move(last_frame)]() mutable {
    if (self->closing_ || self->finished_) return;
    if (last) self->enqueue(std::move(last), ws_opcode::kBinary);
    self->closing_ = true;
    if (!self->batch_) self->writeNext();
  });
}

void WsConnection::afterFlush() {
  // Once only: later flushes (a pong, our close frame) must not restart the countdown.
  if (timer_ || finished_) return;
  // Clients close the socket themselves on a close signal. If one does not within the close
  // timeout, send the close frame (1000, as upstream) and drop the connection shortly after.
  startTimer(std::chrono::milliseconds(limits_.close_timeout_millis), [](WsConnection& self) {
    self.close_sent_ = true;
    self.enqueue(normalCloseBody(), ws_opcode::kClose);
    if (!self.batch_) self.writeNext();
    // The client's close reply ends the connection; this is the backstop.
    self.startTimer(kCloseReplyTimeout, [](WsConnection& self) { self.finish(); });
  });
}

void WsConnection::startTimer(std::chrono::milliseconds after, void (*on_expiry)(WsConnection&)) {
  if (!timer_) timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
  timer_->expires_after(after);
  timer_->async_wait([self = shared_from_this(), on_expiry](boost::system::error_code ec) {
    if (ec || self->finished_) return;
    on_expiry(*self);
  });
}

void WsConnection::sendNow(std::string_view bytes) {
  boost::system::error_code ignored;
  socket_.send(asio::buffer(bytes.data(), bytes.size()), 0, ignored);
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

void WsConnection::post(std::function<void()> fn) {
  asio::post(socket_.get_executor(), std::move(fn));
}

void WsConnection::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  if (timer_) timer_->cancel();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // The write in progress (batch_) still references its frames until its handler runs.
  queue_ = std::vector<Outgoing>();
  if (opened_) handler_.onClosed(shared_from_this());
}

}  // namespace parley::net
