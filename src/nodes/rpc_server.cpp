#include "nodes/rpc_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <unordered_set>
#include <utility>
#include <vector>

#include "net/byte_stream_socket.h"
#include "nodes/rpc_frame.h"
#include "nodes/run_sync.h"

namespace parley::nodes {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

class ServerConnection;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxFramesPerWrite = 64;

}  // namespace

// All state is touched on `strand` only, except the atomic counters.
struct RpcServer::Impl : std::enable_shared_from_this<RpcServer::Impl> {
  Impl(asio::io_context& io_context, RpcServerOptions opts, RpcHandler& h)
      : io(io_context),
        strand(asio::make_strand(io_context)),
        acceptor(strand),
        options(std::move(opts)),
        handler(&h) {}

  void acceptNext();

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  RpcServerOptions options;
  RpcHandler* handler;  // null once stopped
  uint16_t port = 0;
  std::unordered_set<std::shared_ptr<ServerConnection>> connections;

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> pushes{0};
  std::atomic<uint64_t> close_requests{0};
  std::atomic<uint64_t> malformed{0};
};

namespace {

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(std::shared_ptr<RpcServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)),
        stream_(std::move(socket), kReadChunk, kMaxFramesPerWrite),
        decoder_(server_->options.max_frame_size) {
    error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    peer_ =
        ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  void start() {
    stream_.start({[this](std::string_view bytes) { return onBytes(bytes); },
                   [this](const std::string& why) {
                     spdlog::debug("rpc server: connection from {} lost: {}", peer_, why);
                     close();
                   },
                   [](std::vector<std::string>&) {}},
                  weak_from_this());
  }

  void close() {
    stream_.close();
    server_->connections.erase(shared_from_this());
  }

 private:
  // false when the connection was closed.
  bool onBytes(std::string_view bytes) {
    if (!server_->handler) return false;
    decoder_.feed(bytes);
    for (;;) {
      auto state = decoder_.next(&frame_);
      if (state == RpcFrameDecoder::State::kNeedMore) return true;
      if (state == RpcFrameDecoder::State::kError) {
        malformed(decoder_.error());
        return false;
      }
      if (!handle()) return false;
      if (!server_->handler || !stream_.isOpen()) return false;  // stopped by the handler
    }
  }

  // false when the connection was closed.
  bool handle() {
    RpcHandler& handler = *server_->handler;
    switch (frame_.body_case()) {
      case rpc::RpcFrame::kPush: {
        ++server_->pushes;
        auto* push = frame_.mutable_push();
        auto notification =
            std::make_shared<const std::string>(std::move(*push->mutable_notification()));
        handler.onPush(std::span<const int64_t>(push->user_ids().data(), push->user_ids_size()),
                       std::move(notification), push->except_user_id(), push->except_device_type());
        return true;
      }
      case rpc::RpcFrame::kCloseSessions: {
        if (frame_.request_id() == 0) {
          malformed("close-sessions request without a request id");
          return false;
        }
        ++server_->close_requests;
        const auto& request = frame_.close_sessions();
        Status status = handler.onCloseSessions(
            request.user_id(),
            std::span<const int32_t>(request.device_types().data(), request.device_types_size()),
            request.close_status(), static_cast<StatusCode>(request.code()), request.reason());
        rpc::RpcFrame reply;
        reply.set_request_id(frame_.request_id());
        reply.mutable_response()->set_code(static_cast<int32_t>(status.code));
        reply.mutable_response()->set_reason(status.reason);
        send(encodeRpcFrame(reply));
        return true;
      }
      case rpc::RpcFrame::kNodeJoined: {
        if (frame_.request_id() == 0) {
          malformed("node-joined announcement without a request id");
          return false;
        }
        handler.onNodeJoined(frame_.node_joined());
        rpc::RpcFrame reply;
        reply.set_request_id(frame_.request_id());
        reply.mutable_response()->set_code(static_cast<int32_t>(StatusCode::kOk));
        send(encodeRpcFrame(reply));
        return true;
      }
      default:
        malformed("unexpected frame type " + std::to_string(frame_.body_case()));
        return false;
    }
  }

  void malformed(const std::string& why) {
    ++server_->malformed;
    spdlog::warn("rpc server: closing the connection from {}: {}", peer_, why);
    close();
  }

  void send(std::string bytes) { stream_.write(std::move(bytes)); }

  std::shared_ptr<RpcServer::Impl> server_;
  net::ByteStreamSocket<std::string> stream_;
  std::string peer_;
  RpcFrameDecoder decoder_;
  rpc::RpcFrame frame_;
};

}  // namespace

void RpcServer::Impl::acceptNext() {
  // Connections share the server's strand: a handful of peers, so one strand is plenty, and the
  // connection set needs no lock.
  acceptor.async_accept(strand, [self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (!self->handler || !self->acceptor.is_open()) return;
    if (ec) {
      spdlog::warn("rpc server: accept failed: {}", ec.message());
    } else {
      ++self->accepted;
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<ServerConnection>(self, std::move(socket));
      self->connections.insert(connection);
      connection->start();
    }
    self->acceptNext();
  });
}

Result<std::unique_ptr<RpcServer>> RpcServer::listen(asio::io_context& io, RpcServerOptions options,
                                                     RpcHandler& handler) {
  error_code ec;
  auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec) {
    return error(StatusCode::kIllegalArgument,
                 "rpc: bad bind address '" + options.bind_address + "'");
  }
  auto impl = std::make_shared<Impl>(io, options, handler);
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return error(StatusCode::kServerInternalError, "rpc: cannot listen on " + options.bind_address +
                                                       " port " + std::to_string(options.port) +
                                                       ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  spdlog::info("rpc server listening on {}:{}", options.bind_address, impl->port);
  asio::post(impl->strand, [impl] { impl->acceptNext(); });
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(impl)));
}

RpcServer::RpcServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RpcServer::~RpcServer() { stop(); }

uint16_t RpcServer::port() const { return impl_->port; }

void RpcServer::stop() {
  detail::runSync(impl_->io, impl_->strand, [impl = impl_] {
    if (!impl->handler) return;
    impl->handler = nullptr;
    error_code ignored;
    impl->acceptor.close(ignored);
    auto connections = impl->connections;
    for (const auto& connection : connections) connection->close();
  });
}

RpcServerStats RpcServer::stats() const {
  RpcServerStats stats;
  stats.connections = impl_->accepted.load();
  stats.pushes = impl_->pushes.load();
  stats.close_requests = impl_->close_requests.load();
  stats.malformed = impl_->malformed.load();
  return stats;
}

}  // namespace parley::nodes
