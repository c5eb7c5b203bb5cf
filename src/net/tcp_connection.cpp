#include "net/tcp_connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "net/gather_write.h"
#include "net/read_buffer.h"

namespace parley::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr size_t kMaxVarintBytes = 5;
}  // namespace

struct TcpConnection::WriteBatch {
  std::vector<Payload> frames;
  std::vector<char> headers;
  std::vector<asio::const_buffer> buffers;
};

TcpConnection::TcpConnection(tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                             const TransportLimits& limits)
    : socket_(std::move(socket)),
      id_(id),
      handler_(handler),
      limits_(limits),
      decoder_(limits.max_frame_bytes) {
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  remote_address_ =
      ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

TcpConnection::~TcpConnection() = default;

void TcpConnection::start() {
  boost::system::error_code ec;
  // Reads happen only after the socket reported readable, and must never block the io thread.
  socket_.non_blocking(true, ec);
  handler_.onOpen(shared_from_this());
  if (!finished_) waitReadable();
}

void TcpConnection::waitReadable() {
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

void TcpConnection::onReadable() {
  boost::system::error_code ec;
  const auto bytes = readReady(socket_, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    waitReadable();
    return;
  }
  if (ec) {
    finish();
    return;
  }
  onFrames(bytes);
  if (!finished_) waitReadable();
}

void TcpConnection::onFrames(std::span<char> bytes) {
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

void TcpConnection::send(Payload payload) {
  post([self = shared_from_this(), payload = std::move(payload)]() mutable {
    if (self->closing_ || self->finished_) return;
    self->queue_.push_back(std::move(payload));
    if (!self->batch_) self->writeNext();
  });
}

void TcpConnection::writeNext() {
  if (queue_.empty()) {
    // Idle again: give back the write state.
    batch_.reset();
    queue_ = std::vector<Payload>();
    if (closing_) afterFlush();
    return;
  }
  if (!batch_) batch_ = std::make_unique<WriteBatch>();
  auto& batch = *batch_;
  batch.frames.clear();
  batch.frames.swap(queue_);
  batch.headers.resize(batch.frames.size() * kMaxVarintBytes);
  batch.buffers.clear();
  batch.buffers.reserve(batch.frames.size() * 2);
  for (size_t i = 0; i < batch.frames.size(); ++i) {
    const size_t payload_size = batch.frames[i] ? batch.frames[i]->size() : 0;
    char* header = batch.headers.data() + i * kMaxVarintBytes;
    batch.buffers.emplace_back(header, encodeVarint32(static_cast<uint32_t>(payload_size), header));
    if (payload_size > 0) batch.buffers.emplace_back(asio::buffer(*batch.frames[i]));
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
                      self->writeNext();
                    });
}

void TcpConnection::close(Payload last_frame) {
  post([self = shared_from_this(), last = std::move(last_frame)]() mutable {
    if (self->closing_ || self->finished_) return;
    if (last) self->queue_.push_back(std::move(last));
    self->closing_ = true;
    if (!self->batch_) self->writeNext();
  });
}

void TcpConnection::afterFlush() {
  if (close_timer_ || finished_) return;
  // The client closes on the close signal; give it close_timeout to do so, then close ourselves.
  close_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
  close_timer_->expires_after(std::chrono::milliseconds(limits_.close_timeout_millis));
  close_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->finish();
  });
}

void TcpConnection::post(std::function<void()> fn) {
  asio::post(socket_.get_executor(), std::move(fn));
}

void TcpConnection::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  if (close_timer_) close_timer_->cancel();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // The write in progress (batch_) still references its frames until its handler runs.
  queue_ = std::vector<Payload>();
  handler_.onClosed(shared_from_this());
}

}  // namespace parley::net
