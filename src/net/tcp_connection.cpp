#include "net/tcp_connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace parley::net {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpConnection::TcpConnection(tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                             const TransportLimits& limits)
    : socket_(std::move(socket)),
      close_timer_(socket_.get_executor()),
      id_(id),
      handler_(handler),
      limits_(limits),
      decoder_(limits.max_frame_bytes) {
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  remote_address_ =
      ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void TcpConnection::start() {
  handler_.onOpen(shared_from_this());
  readNext();
}

void TcpConnection::readNext() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                            if (ec) {
                              self->finish();
                              return;
                            }
                            self->decoder_.feed(std::string_view(self->read_buffer_.data(), n));
                            std::string_view payload;
                            while (!self->finished_) {
                              auto state = self->decoder_.next(&payload);
                              if (state == VarintFrameDecoder::State::kNeedMore) break;
                              if (state == VarintFrameDecoder::State::kError) {
                                self->handler_.onRejected(self, self->decoder_.error());
                                self->finish();
                                return;
                              }
                              // After close() we keep reading only to notice the peer's EOF.
                              if (!self->closing_) self->handler_.onFrame(self, payload);
                            }
                            if (!self->finished_) self->readNext();
                          });
}

void TcpConnection::send(Payload payload) {
  post([self = shared_from_this(), payload = std::move(payload)]() mutable {
    if (self->closing_ || self->finished_) return;
    self->queue_.push_back(std::move(payload));
    if (!self->writing_) self->writeNext();
  });
}

void TcpConnection::writeNext() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) afterFlush();
    return;
  }
  writing_ = true;
  header_.clear();
  appendVarint32(header_, static_cast<uint32_t>(queue_.front()->size()));
  std::array<asio::const_buffer, 2> buffers{asio::buffer(header_), asio::buffer(*queue_.front())};
  asio::async_write(socket_, buffers,
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      // finish() (e.g. on the peer's EOF) may have run while this write's
                      // success was already queued, and it emptied the queue.
                      if (ec || self->finished_) {
                        self->finish();
                        return;
                      }
                      self->queue_.pop_front();
                      self->writeNext();
                    });
}

void TcpConnection::close(Payload last_frame) {
  post([self = shared_from_this(), last = std::move(last_frame)]() mutable {
    if (self->closing_ || self->finished_) return;
    if (last) self->queue_.push_back(std::move(last));
    self->closing_ = true;
    if (!self->writing_) self->writeNext();
  });
}

void TcpConnection::afterFlush() {
  // The client closes on the close signal; give it close_timeout to do so, then close ourselves.
  close_timer_.expires_after(std::chrono::milliseconds(limits_.close_timeout_millis));
  close_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
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
  boost::system::error_code ignored;
  close_timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  handler_.onClosed(shared_from_this());
}

}  // namespace parley::net
