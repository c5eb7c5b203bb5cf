#include "net/ws_connection.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

WsConnection::WsConnection(tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                           const TransportLimits& limits)
    : ws_(std::move(socket)),
      close_timer_(ws_.get_executor()),
      id_(id),
      handler_(handler),
      limits_(limits) {
  boost::system::error_code ec;
  auto endpoint = ws_.next_layer().remote_endpoint(ec);
  remote_address_ =
      ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void WsConnection::start() {
  // permessage-deflate stays off (Beast's default), which declines the client's offer as the
  // upstream server does. Handshake timeout from Beast's server defaults; no keep-alive pings
  // (Turms heartbeats are application frames).
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = websocket::stream_base::none();
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "parley"); }));
  ws_.binary(true);
  ws_.read_message_max(limits_.max_frame_bytes);
  ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      // Not a WebSocket handshake (or it timed out): nothing was opened, so nothing to report
      // to the handler beyond a debug line.
      spdlog::debug("ws {}: handshake failed: {}", self->remote_address_, ec.message());
      self->finished_ = true;
      return;
    }
    self->opened_ = true;
    self->handler_.onOpen(self);
    self->readNext();
  });
}

void WsConnection::readNext() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        self->handler_.onRejected(self, "frame exceeds the limit of " +
                                            std::to_string(self->limits_.max_frame_bytes) +
                                            " bytes");
      } else if (ec != websocket::error::closed && ec != asio::error::eof &&
                 ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
                 ec != beast::error::timeout) {
        // Protocol violations (bad opcodes, unmasked frames, ...) are malformed input.
        self->handler_.onRejected(self, "websocket: " + ec.message());
      }
      self->finish();
      return;
    }
    // Text frames carry nothing in the Turms protocol; upstream drops them silently.
    if (self->ws_.got_binary() && !self->closing_) {
      auto data = self->read_buffer_.cdata();
      self->handler_.onFrame(self,
                             std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    self->read_buffer_.clear();
    if (!self->finished_) self->readNext();
  });
}

void WsConnection::send(Payload payload) {
  post([self = shared_from_this(), payload = std::move(payload)]() mutable {
    if (self->closing_ || self->finished_) return;
    self->queue_.push_back(std::move(payload));
    if (!self->writing_) self->writeNext();
  });
}

void WsConnection::writeNext() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) afterFlush();
    return;
  }
  writing_ = true;
  ws_.async_write(asio::buffer(*queue_.front()),
                  [self = shared_from_this()](beast::error_code ec, size_t) {
                    // finish() (e.g. on the peer's close) may have run while this write's
                    // success was already queued, and it emptied the queue.
                    if (ec || self->finished_) {
                      self->finish();
                      return;
                    }
                    self->queue_.pop_front();
                    self->writeNext();
                  });
}

void WsConnection::close(Payload last_frame) {
  post([self = shared_from_this(), last = std::move(last_frame)]() mutable {
    if (self->closing_ || self->finished_) return;
    if (last) self->queue_.push_back(std::move(last));
    self->closing_ = true;
    if (!self->writing_) self->writeNext();
  });
}

void WsConnection::afterFlush() {
  // Clients close the socket themselves on a close signal. If one does not within the close
  // timeout, send the close frame (1000, as upstream) and drop the connection shortly after.
  close_timer_.expires_after(std::chrono::milliseconds(limits_.close_timeout_millis));
  close_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->finished_) return;
    if (self->close_sent_) {
      self->finish();
      return;
    }
    self->close_sent_ = true;
    self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {
      // The read loop sees the close handshake complete; this timer is the backstop.
      self->close_timer_.expires_after(std::chrono::milliseconds(1000));
      self->close_timer_.async_wait([self](boost::system::error_code ec) {
        if (!ec) self->finish();
      });
    });
  });
}

void WsConnection::post(std::function<void()> fn) { asio::post(ws_.get_executor(), std::move(fn)); }

void WsConnection::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  close_timer_.cancel();
  boost::system::error_code ignored;
  ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  ws_.next_layer().close(ignored);
  queue_.clear();
  if (opened_) handler_.onClosed(shared_from_this());
}

}  // namespace parley::net
