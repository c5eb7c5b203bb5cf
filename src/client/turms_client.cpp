#include "client/turms_client.h"

#include <array>
#include <deque>
#include <limits>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>

namespace parley::client {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;
using im::turms::proto::TurmsNotification;
using im::turms::proto::TurmsRequest;

// Completion state shared with a handler, so a handler that outlives the call that started it
// (after a timeout) never touches a dead stack frame.
struct OpState {
  bool done = false;
  ErrorCode error;
};

// Bounds the WebSocket close handshake the destructor attempts: a test tearing down many clients
// against a hung server must not stall for the full I/O timeout on each.
constexpr auto kDestructorCloseBound = std::chrono::milliseconds(500);
// Enough for every handler to observe a closed socket; only a stuck resolver can take longer.
constexpr auto kDrainBound = std::chrono::seconds(1);
constexpr size_t kTcpReadChunkBytes = 64 * 1024;

std::string hexPrefix(std::string_view bytes, size_t limit = 32) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (i > 0) out += ' ';
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  if (bytes.size() > limit) out += " ...";
  return out;
}

std::string requestKindName(const TurmsRequest& request) {
  const auto* field = TurmsRequest::descriptor()->FindFieldByNumber(request.kind_case());
  return field != nullptr ? field->name() : "empty request";
}

// Ways a connection ends that are a normal close rather than something the caller must hear
// about: the server closing (EOF, RST with SO_LINGER 0, close frame) or this client closing.
bool isOrdinaryClose(const ErrorCode& error) {
  return error == asio::error::eof || error == asio::error::connection_reset ||
         error == asio::error::connection_aborted || error == asio::error::operation_aborted ||
         error == asio::error::broken_pipe || error == asio::error::not_connected ||
         error == asio::error::shut_down || error == asio::error::bad_descriptor ||
         error == websocket::error::closed;
}

long long millisecondsOf(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

}  // namespace

bool isSuccessCode(int code) { return code >= 1000 && code < 1100; }

struct TurmsClient::Impl {
  // One received frame, or the reason the bytes in its place could not be understood.
  struct Inbound {
    Frame frame;
    std::string error;  // non-empty: receive() throws ProtocolError with this text
  };

  // Where waitFor's search ended.
  struct Match {
    enum class Kind { kNone, kQueued, kClosed } kind = Kind::kNone;
    size_t index = 0;  // into inbound_, for kQueued
  };

  Impl(Transport transport, std::string peer, Clock::duration io_timeout)
      : transport_(transport),
        peer_(std::move(peer)),
        io_timeout_(io_timeout),
        socket_(io_context_),
        decoder_(kMaxInboundFrameBytes) {}

  ~Impl() { abort(); }

  Tcp::socket& socket() { return ws_ ? ws_->next_layer() : socket_; }

  // Runs the io_context on this thread until `done` holds or the deadline passes. Returns false
  // on timeout, or when no pending operation could ever make `done` true.
  template <typename Predicate>
  bool runUntil(Predicate done, Clock::time_point deadline) {
    while (!done()) {
      const auto now = Clock::now();
      if (now >= deadline) return false;
      if (io_context_.stopped()) io_context_.restart();
      if (io_context_.run_one_for(deadline - now) == 0 && io_context_.stopped()) return done();
    }
    return true;
  }

  void connect(const std::string& host, uint16_t port) {
    const auto deadline = Clock::now() + io_timeout_;
    const auto timeout_text = std::to_string(millisecondsOf(io_timeout_)) + " ms";

    struct ResolveState : OpState {
      Tcp::resolver::results_type endpoints;
    };
    auto resolved = std::make_shared<ResolveState>();
    Tcp::resolver resolver(io_context_);
    resolver.async_resolve(host, std::to_string(port),
                           [resolved](const ErrorCode& error, Tcp::resolver::results_type results) {
                             resolved->done = true;
                             resolved->error = error;
                             resolved->endpoints = std::move(results);
                           });
    if (!runUntil([&] { return resolved->done; }, deadline)) {
      throw std::runtime_error("resolving " + host + " timed out after " + timeout_text);
    }
    if (resolved->error) {
      throw std::runtime_error("cannot resolve " + host + ": " + resolved->error.message());
    }

    auto connected = std::make_shared<OpState>();
    asio::async_connect(socket_, resolved->endpoints,
                        [connected](const ErrorCode& error, const Tcp::endpoint&) {
                          connected->done = true;
                          connected->error = error;
                        });
    if (!runUntil([&] { return connected->done; }, deadline)) {
      throw std::runtime_error("connecting to " + peer_ + " timed out after " + timeout_text);
    }
    if (connected->error) {
      throw std::runtime_error("cannot connect to " + peer_ + ": " + connected->error.message());
    }
    ErrorCode ignored;
    socket_.set_option(Tcp::no_delay(true), ignored);

    if (transport_ == Transport::kWebSocket) handshake(deadline, timeout_text);
    startRead();
  }

  void handshake(Clock::time_point deadline, const std::string& timeout_text) {
    ws_.emplace(std::move(socket_));
    ws_->binary(true);
    ws_->auto_fragment(false);
    ws_->read_message_max(kMaxInboundFrameBytes);
    ws_->set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "parley-client");
    }));

    struct HandshakeState : OpState {
      websocket::response_type response;
    };
    auto state = std::make_shared<HandshakeState>();
    ws_->async_handshake(state->response, peer_, "/", [state](const ErrorCode& error) {
      state->done = true;
      state->error = error;
    });
    const std::string url = "ws://" + peer_ + "/";
    if (!runUntil([&] { return state->done; }, deadline)) {
      throw std::runtime_error("WebSocket handshake with " + url + " timed out after " +
                               timeout_text);
    }
    if (state->error) {
      std::string message =
          "WebSocket handshake with " + url + " failed: " + state->error.message();
      if (state->error == websocket::error::upgrade_declined) {
        message += " (HTTP " + std::to_string(state->response.result_int()) + ")";
      }
      throw std::runtime_error(message);
    }
  }

  // Exactly one read is outstanding from connect until the connection ends, so frames are
  // collected whenever the io_context runs, whichever call runs it.
  void startRead() {
    if (ws_) {
      ws_->async_read(ws_buffer_,
                      [this](const ErrorCode& error, size_t) { onWebSocketRead(error); });
    } else {
      socket_.async_read_some(
          asio::buffer(tcp_chunk_),
          [this](const ErrorCode& error, size_t bytes) { onTcpRead(error, bytes); });
    }
  }

  void onWebSocketRead(const ErrorCode& error) {
    if (error) return finishReading(error);
    std::string payload = beast::buffers_to_string(ws_buffer_.data());
    ws_buffer_.consume(ws_buffer_.size());
    if (ws_->got_text()) {
      inbound_.push_back({Frame{}, "server sent a WebSocket text message (" +
                                       std::to_string(payload.size()) +
                                       " bytes); Turms servers only send binary messages"});
    } else {
      enqueuePayload(payload);
    }
    startRead();
  }

  void onTcpRead(const ErrorCode& error, size_t bytes) {
    if (error) return finishReading(error);
    decoder_.append(std::string_view(tcp_chunk_.data(), bytes));
    std::string payload;
    for (;;) {
      switch (decoder_.next(&payload)) {
        case wire::FrameDecoder::Status::kFrame:
          enqueuePayload(payload);
          break;
        case wire::FrameDecoder::Status::kNeedMore:
          startRead();
          return;
        case wire::FrameDecoder::Status::kCorrupt:
          // Frame boundaries are lost, so nothing after this point can be trusted.
          inbound_.push_back(
              {Frame{}, "corrupt TCP frame from " + peer_ + ": " + decoder_.error()});
          reader_done_ = true;
          closeSocket();
          return;
      }
    }
  }

  void enqueuePayload(const std::string& payload) {
    Inbound item;
    if (payload.empty()) {
      item.frame.kind = Frame::Kind::kHeartbeat;
    } else if (item.frame.notification.ParseFromString(payload)) {
      item.frame.kind = Frame::Kind::kNotification;
    } else {
      item.error = "server sent a " + std::to_string(payload.size()) +
                   "-byte frame that is not a TurmsNotification: " + hexPrefix(payload);
    }
    inbound_.push_back(std::move(item));
  }

  void finishReading(const ErrorCode& error) {
    reader_done_ = true;
    if (ws_ && error == websocket::error::closed) websocket_close_code_ = ws_->reason().code;
    if (!isOrdinaryClose(error)) {
      inbound_.push_back({Frame{}, "reading from " + peer_ + " failed: " + error.message()});
    }
  }

  void write(std::string bytes) {
    if (closed_by_us_) throw std::runtime_error("cannot send to " + peer_ + ": client is closed");
    auto state = std::make_shared<OpState>();
    auto data = std::make_shared<std::string>(std::move(bytes));
    auto on_written = [state, data](const ErrorCode& error, size_t) {
      state->done = true;
      state->error = error;
    };
    if (ws_) {
      ws_->async_write(asio::buffer(*data), std::move(on_written));
    } else {
      asio::async_write(socket_, asio::buffer(*data), std::move(on_written));
    }
    if (!runUntil([&] { return state->done; }, Clock::now() + io_timeout_)) {
      // A write stuck half-way leaves the stream unusable for any later write.
      abort();
      throw std::runtime_error("sending " + std::to_string(data->size()) + " bytes to " + peer_ +
                               " timed out after " + std::to_string(millisecondsOf(io_timeout_)) +
                               " ms");
    }
    if (state->error) {
      throw std::runtime_error("sending to " + peer_ + " failed: " + state->error.message());
    }
  }

  // Wire-level framing of one payload.
  void writeFrame(std::string_view payload) {
    if (ws_) return write(std::string(payload));
    std::string framed;
    wire::appendVarint32(framed, static_cast<uint32_t>(payload.size()));
    framed.append(payload);
    write(std::move(framed));
  }

  Match findOrWait(const std::function<bool(const Frame&)>& predicate, Clock::time_point deadline) {
    size_t scanned = 0;
    for (;;) {
      for (; scanned < inbound_.size(); ++scanned) {
        if (!inbound_[scanned].error.empty()) {
          const std::string error = std::move(inbound_[scanned].error);
          inbound_.erase(inbound_.begin() + static_cast<std::ptrdiff_t>(scanned));
          throw ProtocolError(error);
        }
        if (predicate(inbound_[scanned].frame)) return {Match::Kind::kQueued, scanned};
      }
      if (reader_done_) {
        return {predicate(Frame{Frame::Kind::kClosed, {}}) ? Match::Kind::kClosed
                                                           : Match::Kind::kNone};
      }
      if (!runUntil([&] { return inbound_.size() > scanned || reader_done_; }, deadline)) {
        return {};
      }
    }
  }

  Frame take(size_t index) {
    Frame frame = std::move(inbound_[index].frame);
    inbound_.erase(inbound_.begin() + static_cast<std::ptrdiff_t>(index));
    return frame;
  }

  void closeGracefully(Clock::duration bound) {
    if (closed_by_us_) return;
    closed_by_us_ = true;
    const auto deadline = Clock::now() + bound;
    if (!reader_done_) {
      if (ws_) {
        auto state = std::make_shared<OpState>();
        ws_->async_close(websocket::close_code::normal, [state](const ErrorCode& error) {
          state->done = true;
          state->error = error;
        });
        runUntil([&] { return state->done && reader_done_; }, deadline);
      } else {
        // Half-close and wait for the server's EOF, so frames it sent before seeing our FIN are
        // still read and the socket does not end with an RST from unread data.
        ErrorCode ignored;
        socket_.shutdown(Tcp::socket::shutdown_send, ignored);
        runUntil([&] { return reader_done_; }, deadline);
      }
    }
    abort();
  }

  void closeSocket() {
    ErrorCode ignored;
    socket().close(ignored);
  }

  // Drops the connection and lets every pending handler see it, so none outlives this object.
  void abort() {
    closed_by_us_ = true;
    closeSocket();
    io_context_.restart();
    io_context_.run_for(kDrainBound);
  }

  // io_context_ first: it must outlive every I/O object below, which are destroyed before it.
  asio::io_context io_context_;
  Transport transport_;
  std::string peer_;  // host:port, for messages
  Clock::duration io_timeout_;
  Tcp::socket socket_;  // the TCP transport; moved into ws_ for WebSocket
  std::optional<websocket::stream<Tcp::socket>> ws_;
  beast::flat_buffer ws_buffer_;
  std::array<char, kTcpReadChunkBytes> tcp_chunk_{};
  wire::FrameDecoder decoder_;
  std::deque<Inbound> inbound_;
  bool reader_done_ = false;
  bool closed_by_us_ = false;
  std::optional<uint16_t> websocket_close_code_;
  int64_t next_request_id_ = 1;
};

std::unique_ptr<TurmsClient> TurmsClient::connect(Transport transport, const std::string& host,
                                                  uint16_t port,
                                                  std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>(transport, host + ":" + std::to_string(port), timeout);
  impl->connect(host, port);
  return std::unique_ptr<TurmsClient>(new TurmsClient(std::move(impl)));
}

TurmsClient::TurmsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TurmsClient::~TurmsClient() {
  try {
    impl_->closeGracefully(kDestructorCloseBound);
  } catch (...) {
    // A destructor has nobody to report to; Impl's destructor still drops the socket.
  }
}

void TurmsClient::send(const im::turms::proto::TurmsRequest& request) {
  impl_->writeFrame(request.SerializeAsString());
}

void TurmsClient::sendRaw(std::string_view bytes) { impl_->write(std::string(bytes)); }

void TurmsClient::sendRawFrame(std::string_view payload) { impl_->writeFrame(payload); }

void TurmsClient::sendHeartbeat() { impl_->writeFrame({}); }

std::optional<Frame> TurmsClient::receive(std::chrono::milliseconds timeout) {
  return waitFor([](const Frame&) { return true; }, timeout);
}

std::optional<Frame> TurmsClient::waitFor(std::function<bool(const Frame&)> predicate,
                                          std::chrono::milliseconds timeout) {
  const Impl::Match match = impl_->findOrWait(predicate, Clock::now() + timeout);
  switch (match.kind) {
    case Impl::Match::Kind::kQueued:
      return impl_->take(match.index);
    case Impl::Match::Kind::kClosed:
      return Frame{Frame::Kind::kClosed, {}};
    case Impl::Match::Kind::kNone:
      break;
  }
  return std::nullopt;
}

im::turms::proto::TurmsNotification TurmsClient::request(im::turms::proto::TurmsRequest request,
                                                         std::chrono::milliseconds timeout) {
  const int64_t request_id = impl_->next_request_id_++;
  request.set_request_id(request_id);
  const std::string description =
      requestKindName(request) + " (request_id " + std::to_string(request_id) + ")";
  send(request);

  auto is_response_or_close_signal = [request_id](const Frame& frame) {
    if (frame.kind != Frame::Kind::kNotification) return false;
    const TurmsNotification& notification = frame.notification;
    const bool is_response = !notification.has_relayed_request() && notification.has_request_id() &&
                             notification.request_id() == request_id;
    return is_response || notification.has_close_status();
  };
  const Impl::Match match = impl_->findOrWait(is_response_or_close_signal, Clock::now() + timeout);
  switch (match.kind) {
    case Impl::Match::Kind::kQueued: {
      const TurmsNotification& notification = impl_->inbound_[match.index].frame.notification;
      if (notification.has_request_id() && notification.request_id() == request_id) {
        return impl_->take(match.index).notification;
      }
      // Left queued: the caller may want to inspect the close signal.
      std::string message =
          "server closed the session (close_status " + std::to_string(notification.close_status());
      if (notification.has_code()) message += ", code " + std::to_string(notification.code());
      if (notification.has_reason()) message += ", reason \"" + notification.reason() + "\"";
      throw std::runtime_error(message + ") before responding to " + description);
    }
    case Impl::Match::Kind::kClosed:
      break;
    case Impl::Match::Kind::kNone:
      if (!impl_->reader_done_) {
        throw std::runtime_error("no response to " + description + " from " + impl_->peer_ +
                                 " within " + std::to_string(timeout.count()) + " ms");
      }
      break;
  }
  throw std::runtime_error("connection to " + impl_->peer_ + " closed before the response to " +
                           description);
}

im::turms::proto::TurmsNotification TurmsClient::login(int64_t user_id, const std::string& password,
                                                       int device_type,
                                                       std::chrono::milliseconds timeout) {
  TurmsRequest request;
  auto* create_session = request.mutable_create_session_request();
  create_session->set_version(1);
  create_session->set_user_id(user_id);
  create_session->set_password(password);
  // Unchecked on purpose: tests send out-of-range device types, which servers map to UNKNOWN.
  create_session->set_device_type(static_cast<im::turms::proto::DeviceType>(device_type));
  return this->request(std::move(request), timeout);
}

void TurmsClient::close() { impl_->closeGracefully(impl_->io_timeout_); }

bool TurmsClient::isOpen() const { return !impl_->closed_by_us_ && !impl_->reader_done_; }

Transport TurmsClient::transport() const { return impl_->transport_; }

std::optional<uint16_t> TurmsClient::webSocketCloseCode() const {
  return impl_->websocket_close_code_;
}

namespace wire {

void appendVarint32(std::string& out, uint32_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void FrameDecoder::append(std::string_view bytes) {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 4096 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

FrameDecoder::Status FrameDecoder::next(std::string* payload) {
  if (!error_.empty()) return Status::kCorrupt;
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  // Same limits as the Turms server's decoder (Netty ProtobufVarint32FrameDecoder): at most 5
  // varint bytes, and the result must fit a signed 32-bit length.
  constexpr size_t kMaxVarintBytes = 5;
  uint64_t length = 0;
  size_t prefix_bytes = 0;
  for (;;) {
    if (prefix_bytes == pending.size()) return Status::kNeedMore;
    if (prefix_bytes == kMaxVarintBytes) {
      error_ = "length varint longer than 5 bytes";
      return Status::kCorrupt;
    }
    const auto byte = static_cast<unsigned char>(pending[prefix_bytes]);
    length |= static_cast<uint64_t>(byte & 0x7f) << (7 * prefix_bytes);
    ++prefix_bytes;
    if ((byte & 0x80) == 0) break;
  }
  if (length > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    error_ = "frame length " + std::to_string(length) + " is negative as an int32";
    return Status::kCorrupt;
  }
  if (length > max_frame_bytes_) {
    error_ = "frame length " + std::to_string(length) + " exceeds the limit of " +
             std::to_string(max_frame_bytes_) + " bytes";
    return Status::kCorrupt;
  }
  if (pending.size() - prefix_bytes < length) return Status::kNeedMore;
  payload->assign(pending.substr(prefix_bytes, length));
  consumed_ += prefix_bytes + length;
  return Status::kFrame;
}

}  // namespace wire

}  // namespace parley::client
