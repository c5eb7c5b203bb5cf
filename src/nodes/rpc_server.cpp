#include "nodes/rpc_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/config.h"
#include "net/byte_stream_socket.h"
#include "nodes/rpc_auth.h"
#include "nodes/rpc_frame.h"
#include "nodes/rpc_handshake.h"
#include "nodes/run_sync.h"

namespace parley::nodes {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

class ServerConnection;

// The peer's IP address ("?" when the socket has none any more), without the port.
std::string remoteAddress(const tcp::socket& socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  return ec ? std::string("?") : remote.address().to_string();
}

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxFramesPerWrite = 64;

}  // namespace

// All state is touched on `strand` only, except the atomic counters.
struct RpcServer::Impl : std::enable_shared_from_this<RpcServer::Impl> {
  Impl(asio::io_context& io_context, RpcServerOptions opts, RpcHandler& h)
      : io(io_context),
        strand(asio::make_strand(io_context)),
        acceptor(strand),
        idle_timer(strand),
        options(std::move(opts)),
        handler(&h) {}

  void acceptNext();
  // Closes connections idle past options.idle_timeout, then rearms itself.
  void sweepIdle();
  void forget(const std::shared_ptr<ServerConnection>& connection);
  // A connection from address passed its handshake or closed before passing it.
  void handshakeEnded(const std::string& address);

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  asio::steady_timer idle_timer;
  RpcServerOptions options;
  RpcHandler* handler;  // null once stopped
  uint16_t port = 0;
  std::unordered_set<std::shared_ptr<ServerConnection>> connections;
  bool refusing = false;  // logged that connections are refused; reset below the limit
  // Connections still in their handshake, by remote address; an address leaves at zero.
  std::unordered_map<std::string, size_t> handshaking;
  bool refusing_handshakes = false;  // logged once until a handshake slot frees

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> pushes{0};
  std::atomic<uint64_t> close_requests{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> auth_failures{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> idle_closed{0};
  std::atomic<uint64_t> overflowed{0};
};

namespace {

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(std::shared_ptr<RpcServer::Impl> server, tcp::socket socket, std::string address)
      : server_(std::move(server)),
        address_(std::move(address)),
        stream_(std::move(socket), kReadChunk, kMaxFramesPerWrite),
        handshake_timer_(server_->strand),
        decoder_(server_->options.max_frame_size) {
    error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    peer_ =
        ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  // The handshake first (rpc_auth.h); frames are read and acted on only once it has passed.
  void start() {
    const auto& options = server_->options;
    handshake_timer_.expires_after(options.handshake_timeout);
    handshake_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->closed_ || self->serving_) return;
      self->refuse("did not finish the handshake within " +
                   std::to_string(self->server_->options.handshake_timeout.count()) + " ms");
    });
    rpc::RpcFrame challenge;
    if (!options.secret.empty()) {
      server_nonce_ = newRpcNonce();
      challenge.mutable_auth_challenge()->set_server_nonce(server_nonce_);
    } else {
      challenge.mutable_auth_challenge();  // empty: no secret, requests may follow at once
    }
    detail::asyncWriteHandshakeFrame(stream_.socket(), challenge,
                                     [self = shared_from_this()](const std::string& error) {
                                       if (!self->live()) return;
                                       if (!error.empty()) {
                                         self->lost("writing the challenge failed: " + error);
                                       } else if (self->server_->options.secret.empty()) {
                                         self->startFrames();
                                       } else {
                                         self->readAuthResponse();
                                       }
                                     });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    if (!serving_) server_->handshakeEnded(address_);
    handshake_timer_.cancel();
    stream_.close();
    server_->forget(shared_from_this());
  }

  bool serving() const { return serving_; }
  SteadyClock::time_point lastFrameAt() const { return last_frame_at_; }

  void closeIdle() {
    ++server_->idle_closed;
    spdlog::info("rpc server: closing the connection from {}: no frame for {} ms", peer_,
                 server_->options.idle_timeout.count());
    close();
  }

 private:
  bool live() const { return !closed_ && server_->handler; }

  void readAuthResponse() {
    detail::asyncReadHandshakeFrame(
        stream_.socket(), [self = shared_from_this()](const std::string& error, rpc::RpcFrame& f) {
          if (!self->live()) return;
          if (!error.empty()) {
            self->refuse(error);
            return;
          }
          self->checkAuthResponse(f);
        });
  }

  void checkAuthResponse(const rpc::RpcFrame& frame) {
    if (frame.body_case() != rpc::RpcFrame::kAuthResponse) {
      refuse("sent frame type " + std::to_string(frame.body_case()) + " before authenticating");
      return;
    }
    const auto& response = frame.auth_response();
    const std::string& secret = server_->options.secret;
    if (response.client_nonce().size() != kRpcNonceSize ||
        !sameRpcProof(
            rpcClientProof(secret, server_nonce_, response.client_nonce(), response.node_id()),
            response.proof())) {
      // The node id is the peer's claim, unproven: logged as such.
      refuse("its proof (claiming node '" + response.node_id().substr(0, 64) +
             "') does not match this node's cluster.secret");
      return;
    }
    peer_ = "node " + response.node_id() + " (" + peer_ + ")";
    rpc::RpcFrame accepted;
    accepted.mutable_auth_accepted()->set_proof(
        rpcServerProof(secret, response.client_nonce(), server_nonce_));
    detail::asyncWriteHandshakeFrame(
        stream_.socket(), accepted, [self = shared_from_this()](const std::string& error) {
          if (!self->live()) return;
          if (!error.empty()) {
            self->lost("writing the handshake answer failed: " + error);
            return;
          }
          self->startFrames();
        });
  }

  void startFrames() {
    serving_ = true;
    server_->handshakeEnded(address_);
    handshake_timer_.cancel();
    last_frame_at_ = SteadyClock::now();
    stream_.start({[this](std::string_view bytes) { return onBytes(bytes); },
                   [this](const std::string& why) { lost(why); },
                   [this](std::vector<std::string>& written) {
                     for (const auto& bytes : written) queued_reply_bytes_ -= bytes.size();
                   }},
                  weak_from_this());
  }

  // One line naming the remote address, counted; nothing the connection sent was acted on.
  void refuse(const std::string& why) {
    ++server_->auth_failures;
    spdlog::warn("rpc server: refusing the connection from {}: {}", peer_, why);
    close();
  }

  void lost(const std::string& why) {
    spdlog::debug("rpc server: connection from {} lost: {}", peer_, why);
    close();
  }

  // false when the connection was closed.
  bool onBytes(std::string_view bytes) {
    if (!live()) return false;
    decoder_.feed(bytes);
    for (;;) {
      auto state = decoder_.next(&frame_);
      if (state == RpcFrameDecoder::State::kNeedMore) return true;
      if (state == RpcFrameDecoder::State::kError) {
        malformed(decoder_.error());
        return false;
      }
      last_frame_at_ = SteadyClock::now();
      if (!handle()) return false;
      if (!live() || !stream_.isOpen()) return false;  // stopped by the handler
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
        return answer(status);
      }
      case rpc::RpcFrame::kNodeJoined: {
        if (frame_.request_id() == 0) {
          malformed("node-joined announcement without a request id");
          return false;
        }
        handler.onNodeJoined(frame_.node_joined());
        return answer(Status::ok());
      }
      case rpc::RpcFrame::kPing: {
        if (frame_.request_id() == 0) {
          malformed("ping without a request id");
          return false;
        }
        return answer(Status::ok());
      }
      default:
        malformed("unexpected frame type " + std::to_string(frame_.body_case()));
        return false;
    }
  }

  // false when the connection was closed.
  bool answer(const Status& status) {
    rpc::RpcFrame reply;
    reply.set_request_id(frame_.request_id());
    reply.mutable_response()->set_code(static_cast<int32_t>(status.code));
    reply.mutable_response()->set_reason(status.reason);
    std::string bytes = encodeRpcFrame(reply);
    queued_reply_bytes_ += bytes.size();
    if (queued_reply_bytes_ > server_->options.max_queued_reply_bytes) {
      // A peer that sends requests but does not read the answers.
      ++server_->overflowed;
      spdlog::warn(
          "rpc server: closing the connection from {}: more than {} bytes of replies "
          "unread",
          peer_, server_->options.max_queued_reply_bytes);
      close();
      return false;
    }
    stream_.write(std::move(bytes));
    return true;
  }

  void malformed(const std::string& why) {
    ++server_->malformed;
    spdlog::warn("rpc server: closing the connection from {}: {}", peer_, why);
    close();
  }

  std::shared_ptr<RpcServer::Impl> server_;
  const std::string address_;  // the remote IP, for RpcServer::Impl::handshaking
  net::ByteStreamSocket<std::string> stream_;
  asio::steady_timer handshake_timer_;
  std::string peer_;
  std::string server_nonce_;
  bool serving_ = false;
  bool closed_ = false;
  SteadyClock::time_point last_frame_at_{};
  size_t queued_reply_bytes_ = 0;  // written to stream_ and not yet reported written
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
    } else if (self->connections.size() >= self->options.max_connections) {
      ++self->refused;
      if (!self->refusing) {
        self->refusing = true;
        error_code ignored;
        auto remote = socket.remote_endpoint(ignored);
        spdlog::warn(
            "rpc server: refusing the connection from {}: {} connections are open "
            "(cluster.rpc-max-connections); further refusals are counted only",
            remote.address().to_string() + ":" + std::to_string(remote.port()),
            self->connections.size());
      }
      error_code ignored;
      socket.close(ignored);
    } else if (const std::string address = remoteAddress(socket);
               self->handshaking[address] >= self->options.max_handshaking_per_address) {
      ++self->refused;
      if (!self->refusing_handshakes) {
        self->refusing_handshakes = true;
        spdlog::warn(
            "rpc server: refusing a connection from {}: {} of its connections have not finished "
            "the handshake; further refusals are counted only",
            address, self->handshaking[address]);
      }
      error_code ignored;
      socket.close(ignored);
    } else {
      ++self->accepted;
      ++self->handshaking[address];
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<ServerConnection>(self, std::move(socket), address);
      self->connections.insert(connection);
      connection->start();
    }
    self->acceptNext();
  });
}

void RpcServer::Impl::handshakeEnded(const std::string& address) {
  auto it = handshaking.find(address);
  if (it == handshaking.end()) return;
  if (--it->second == 0) handshaking.erase(it);
  refusing_handshakes = false;
}

void RpcServer::Impl::forget(const std::shared_ptr<ServerConnection>& connection) {
  connections.erase(connection);
  if (connections.size() < options.max_connections) refusing = false;
}

void RpcServer::Impl::sweepIdle() {
  // A quarter of the timeout between sweeps: a connection is closed at most 1.25 timeouts after
  // its last frame, for one timer per server instead of one per connection.
  idle_timer.expires_after(std::max(options.idle_timeout / 4, std::chrono::milliseconds(10)));
  idle_timer.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || !self->handler) return;
    const auto now = SteadyClock::now();
    std::vector<std::shared_ptr<ServerConnection>> idle;
    for (const auto& connection : self->connections) {
      // Handshaking connections have their own, shorter, deadline.
      if (connection->serving() && now - connection->lastFrameAt() > self->options.idle_timeout) {
        idle.push_back(connection);
      }
    }
    for (const auto& connection : idle) connection->closeIdle();
    self->sweepIdle();
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
  if (options.secret.empty() && !address.is_loopback()) {
    return error(StatusCode::kIllegalArgument,
                 "rpc: without cluster.secret the RPC port listens on loopback only (127.0.0.0/8 "
                 "or ::1), not on '" +
                     options.bind_address +
                     "': anyone reaching it could push to any user and close any session");
  }
  if (!options.secret.empty() && options.secret.size() < kMinClusterSecretBytes) {
    return error(StatusCode::kIllegalArgument,
                 "rpc: cluster.secret has " + std::to_string(options.secret.size()) +
                     " bytes; use at least " + std::to_string(kMinClusterSecretBytes));
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
  if (options.secret.empty()) {
    spdlog::warn(
        "rpc server: no cluster.secret: connections to port {} are not authenticated (allowed on "
        "loopback only); set cluster.secret on every node before binding another address",
        impl->port);
  }
  asio::post(impl->strand, [impl] {
    impl->acceptNext();
    impl->sweepIdle();
  });
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
    impl->idle_timer.cancel();
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
  stats.auth_failures = impl_->auth_failures.load();
  stats.refused = impl_->refused.load();
  stats.idle_closed = impl_->idle_closed.load();
  stats.overflowed = impl_->overflowed.load();
  return stats;
}

}  // namespace parley::nodes
