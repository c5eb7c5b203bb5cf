#include "nodes/node_clients.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "net/byte_stream_socket.h"
#include "nodes/membership.h"
#include "nodes/rpc_auth.h"
#include "nodes/rpc_frame.h"
#include "nodes/rpc_handshake.h"
#include "nodes/run_sync.h"

namespace parley::nodes {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

NodeResolver membershipResolver(const Membership& membership) {
  return [&membership](std::string_view node_id) -> std::optional<NodeAddress> {
    auto node = membership.find(node_id);
    if (!node || node->rpc_port == 0 || node->rpc_host.empty()) return std::nullopt;
    return NodeAddress{node->rpc_host, node->rpc_port};
  };
}

namespace {

class Peer;

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxFramesPerWrite = 64;

struct Outgoing {
  std::shared_ptr<const std::string> bytes;
  bool push = false;
  SteadyClock::time_point deadline{};  // pushes: dropped if still queued by then
};

asio::const_buffer bufferOf(const Outgoing& outgoing) { return asio::buffer(*outgoing.bytes); }

}  // namespace

struct RpcNodeClients::Impl {
  Impl(asio::io_context& io_context, NodeResolver r, NodeClientsOptions o)
      : io(io_context), strand(asio::make_strand(io_context)), resolver(std::move(r)), options(o) {}

  // On the strand.
  std::shared_ptr<Peer> peer(const std::string& node_id);
  void shutdown();

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  NodeResolver resolver;
  NodeClientsOptions options;
  bool stopped = false;  // on the strand
  std::atomic<int64_t> next_request_id{1};

  // Written on the strand, read by stats() from any thread.
  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<Peer>, std::less<>> peers;
  // The counters of peers forgotten (forgetAllBut): totals never go down.
  NodeClientsStats forgotten;
};

namespace {

// One peer node's connection and queues. Everything but the counters is touched on the owner's
// strand only. A connect attempt (or connection) has a generation number: callbacks of an older
// one find it changed and do nothing.
class Peer : public std::enable_shared_from_this<Peer> {
 public:
  Peer(RpcNodeClients::Impl& owner, std::string node_id)
      : owner_(owner),
        node_id_(std::move(node_id)),
        stream_(owner.strand, kReadChunk, kMaxFramesPerWrite),
        resolver_(owner.strand),
        connect_timer_(owner.strand),
        retry_timer_(owner.strand),
        keepalive_timer_(owner.strand),
        decoder_(owner.options.max_frame_size) {
    backoff_ = owner.options.reconnect_min_delay;
  }

  void send(std::shared_ptr<const std::string> frame, int64_t request_id,
            NodeClients::CloseCallback done) {
    const bool push = request_id == 0;
    if (state_ == State::kShutdown) {
      reject(push, std::move(done), "shutting down");
      return;
    }
    const auto now = SteadyClock::now();
    if (state_ == State::kBackoff) {
      if (now >= retry_at_) {
        state_ = State::kIdle;
      } else if (!push) {
        reject(push, std::move(done), "unreachable: " + last_error_);
        return;
      }
      // A push waits in the queue for the retry timer's connect.
    }
    if (frame->size() > owner_.options.max_frame_size + kRpcFrameHeaderSize) {
      spdlog::warn("rpc: a frame of {} bytes for node {} exceeds the frame limit; not sent",
                   frame->size(), node_id_);
      reject(push, std::move(done), "frame too large");
      return;
    }
    if (queued_bytes_ + frame->size() > owner_.options.max_queued_bytes) {
      if (!queue_full_logged_) {
        queue_full_logged_ = true;
        spdlog::warn("rpc: outbound queue to node {} is full ({} bytes); dropping pushes", node_id_,
                     queued_bytes_);
      }
      reject(push, std::move(done), "outbound queue full");
      return;
    }
    if (!push) addPending(request_id, std::move(done));
    queued_bytes_ += frame->size();
    stream_.write(Outgoing{std::move(frame), push, now + owner_.options.push_retry_window});
    if (state_ == State::kIdle) {
      connect();
    } else if (state_ == State::kBackoff && !retry_armed_) {
      armRetry();
    }
  }

  void shutdown() {
    state_ = State::kShutdown;
    retry_timer_.cancel();
    failAll("shutting down");
  }

  PeerStats stats() const {
    PeerStats stats;
    stats.node_id = node_id_;
    stats.connected = connected_.load();
    stats.pushes_sent = pushes_sent_.load();
    stats.pushes_dropped = pushes_dropped_.load();
    stats.close_requests = close_requests_.load();
    stats.rpc_errors = rpc_errors_.load();
    stats.connects = connects_.load();
    stats.connect_failures = connect_failures_.load();
    stats.handshake_failures = handshake_failures_.load();
    return stats;
  }

 private:
  enum class State { kIdle, kConnecting, kConnected, kBackoff, kShutdown };

  struct Pending {
    NodeClients::CloseCallback done;
    std::unique_ptr<asio::steady_timer> timer;
  };

  void reject(bool push, NodeClients::CloseCallback done, const std::string& why) {
    if (push) {
      ++pushes_dropped_;
      return;
    }
    ++close_requests_;
    ++rpc_errors_;
    done(error(StatusCode::kServerUnavailable, "node " + node_id_ + ": " + why));
  }

  void addPending(int64_t request_id, NodeClients::CloseCallback done) {
    ++close_requests_;
    auto timer = std::make_unique<asio::steady_timer>(owner_.strand);
    timer->expires_after(owner_.options.request_timeout);
    timer->async_wait([self = shared_from_this(), request_id](error_code ec) {
      if (ec) return;
      self->complete(
          request_id,
          error(StatusCode::kServerUnavailable,
                "node " + self->node_id_ + " did not answer within " +
                    std::to_string(self->owner_.options.request_timeout.count()) + " ms"));
    });
    pending_.emplace(request_id, Pending{std::move(done), std::move(timer)});
  }

  void complete(int64_t request_id, Status status) {
    auto it = pending_.find(request_id);
    if (it == pending_.end()) return;  // timed out already, or answered twice by a broken peer
    Pending pending = std::move(it->second);
    pending_.erase(it);
    pending.timer->cancel();
    if (!status.isOk()) ++rpc_errors_;
    pending.done(std::move(status));
  }

  void connect() {
    auto address = owner_.resolver(node_id_);
    if (!address) {
      connectFailed("not a known node");
      return;
    }
    address_ = address->host + ":" + std::to_string(address->port);
    state_ = State::kConnecting;
    const uint64_t attempt = ++attempt_;
    connect_timer_.expires_after(owner_.options.connect_timeout);
    connect_timer_.async_wait([self = shared_from_this(), attempt](error_code ec) {
      if (ec || attempt != self->attempt_) return;
      self->connectFailed("connect timed out");
    });
    resolver_.async_resolve(
        address->host, std::to_string(address->port),
        [self = shared_from_this(), attempt](error_code ec, tcp::resolver::results_type results) {
          if (attempt != self->attempt_) return;
          if (ec) {
            self->connectFailed("cannot resolve: " + ec.message());
            return;
          }
          asio::async_connect(self->stream_.socket(), results,
                              [self, attempt](error_code ec, const tcp::endpoint&) {
                                if (attempt != self->attempt_) return;
                                if (ec) {
                                  self->connectFailed(ec.message());
                                  return;
                                }
                                self->readChallenge(attempt);
                              });
        });
  }

  // The handshake of rpc_auth.h, within the connect timeout. Nothing queued is written before it
  // has passed: the stream starts only in onConnected.
  void readChallenge(uint64_t attempt) {
    detail::asyncReadHandshakeFrame(
        stream_.socket(),
        [self = shared_from_this(), attempt](const std::string& error, rpc::RpcFrame& frame) {
          if (attempt != self->attempt_) return;
          if (!error.empty()) {
            self->handshakeFailed("no challenge: " + error);
            return;
          }
          if (frame.body_case() != rpc::RpcFrame::kAuthChallenge) {
            self->handshakeFailed("it sent frame type " + std::to_string(frame.body_case()) +
                                  " instead of a challenge");
            return;
          }
          self->answerChallenge(attempt, frame.auth_challenge().server_nonce());
        });
  }

  void answerChallenge(uint64_t attempt, const std::string& server_nonce) {
    const std::string& secret = owner_.options.secret;
    if (secret.empty() != server_nonce.empty()) {
      // Both ends must agree: an authenticated cluster never talks to an open node.
      handshakeFailed(secret.empty()
                          ? "it requires a cluster.secret and this node has none"
                          : "it has no cluster.secret and this node has one: set the same on both");
      return;
    }
    if (secret.empty()) {
      onConnected();
      return;
    }
    if (server_nonce.size() != kRpcNonceSize) {
      handshakeFailed("its challenge is not a nonce");
      return;
    }
    const std::string client_nonce = newRpcNonce();
    rpc::RpcFrame response;
    auto* body = response.mutable_auth_response();
    body->set_client_nonce(client_nonce);
    body->set_node_id(owner_.options.node_id);
    body->set_proof(rpcClientProof(secret, server_nonce, client_nonce, owner_.options.node_id));
    detail::asyncWriteHandshakeFrame(
        stream_.socket(), response, [self = shared_from_this(), attempt](const std::string& error) {
          if (attempt != self->attempt_ || error.empty()) return;
          self->handshakeFailed("writing the answer failed: " + error);
        });
    detail::asyncReadHandshakeFrame(
        stream_.socket(), [self = shared_from_this(), attempt,
                           expected = rpcServerProof(secret, client_nonce, server_nonce)](
                              const std::string& error, rpc::RpcFrame& frame) {
          if (attempt != self->attempt_) return;
          if (!error.empty()) {
            // A server that finds the proof wrong closes the connection without a word.
            self->handshakeFailed("refused this node's proof (is cluster.secret the same?): " +
                                  error);
            return;
          }
          if (frame.body_case() != rpc::RpcFrame::kAuthAccepted ||
              !sameRpcProof(expected, frame.auth_accepted().proof())) {
            self->handshakeFailed("its answer does not prove this node's cluster.secret");
            return;
          }
          self->onConnected();
        });
  }

  void handshakeFailed(const std::string& why) {
    ++handshake_failures_;
    connectFailed("handshake failed: " + why);
  }

  void onConnected() {
    connect_timer_.cancel();
    state_ = State::kConnected;
    connected_ = true;
    ++connects_;
    backoff_ = owner_.options.reconnect_min_delay;
    if (outage_logged_) spdlog::info("rpc: node {} ({}) reachable again", node_id_, address_);
    outage_logged_ = false;
    error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    decoder_ = RpcFrameDecoder(owner_.options.max_frame_size);
    ping_id_ = 0;
    stream_.start({[this](std::string_view bytes) { return onBytes(bytes); },
                   [this](const std::string& why) { connectionLost(why); },
                   [this](std::vector<Outgoing>& written) { onWritten(written); }},
                  weak_from_this());
    armKeepalive(attempt_);
  }

  // A ping per interval keeps the peer's idle timeout from closing this connection; one still
  // unanswered an interval later means the peer is gone or stuck, and the connection is dropped
  // (requests then fail fast and pushes wait for a new one instead of going into a dead socket).
  void armKeepalive(uint64_t attempt) {
    keepalive_timer_.expires_after(owner_.options.keepalive_interval);
    keepalive_timer_.async_wait([self = shared_from_this(), attempt](error_code ec) {
      if (ec || attempt != self->attempt_ || self->state_ != State::kConnected) return;
      if (self->ping_id_ != 0) {
        self->connectionLost("no answer to a keepalive ping within " +
                             std::to_string(self->owner_.options.keepalive_interval.count()) +
                             " ms");
        return;
      }
      self->ping_id_ = self->owner_.next_request_id++;
      rpc::RpcFrame frame;
      frame.set_request_id(self->ping_id_);
      frame.mutable_ping();
      auto bytes = std::make_shared<const std::string>(encodeRpcFrame(frame));
      self->queued_bytes_ += bytes->size();
      self->stream_.write(Outgoing{std::move(bytes), false, {}});
      self->armKeepalive(attempt);
    });
  }

  void connectFailed(const std::string& why) {
    ++connect_failures_;
    last_error_ = why;
    closeSocket();
    if (!outage_logged_) {
      outage_logged_ = true;
      spdlog::warn(
          "rpc: node {} ({}) unreachable: {}; pushes to it wait up to {} ms for it, then are "
          "dropped",
          node_id_, address_.empty() ? "no address" : address_, why,
          owner_.options.push_retry_window.count());
    }
    failRequests("unreachable: " + why);
    dropExpiredPushes();
    state_ = State::kBackoff;
    retry_at_ = SteadyClock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, owner_.options.reconnect_max_delay);
    if (!stream_.queue().empty()) armRetry();
  }

  // A connection that worked is lost: reconnect at once if pushes wait (the peer may simply
  // have restarted); only a failing connect backs off.
  void connectionLost(const std::string& why) {
    last_error_ = why;
    closeSocket();
    if (!outage_logged_) {
      outage_logged_ = true;
      spdlog::warn("rpc: connection to node {} ({}) lost: {}", node_id_, address_, why);
    }
    failRequests("connection lost: " + why);
    dropExpiredPushes();
    state_ = State::kIdle;
    if (!stream_.queue().empty()) connect();
  }

  // After the backoff, a connect for the pushes that wait (or their expiry).
  void armRetry() {
    if (retry_armed_) return;
    retry_armed_ = true;
    retry_timer_.expires_at(retry_at_);
    retry_timer_.async_wait([self = shared_from_this()](error_code ec) {
      self->retry_armed_ = false;
      if (ec || self->state_ != State::kBackoff) return;
      self->dropExpiredPushes();
      if (self->stream_.queue().empty()) return;
      self->state_ = State::kIdle;
      self->connect();
    });
  }

  void dropExpiredPushes() {
    const auto now = SteadyClock::now();
    std::erase_if(stream_.queue(), [&](const Outgoing& outgoing) {
      if (!outgoing.push || outgoing.deadline > now) return false;
      ++pushes_dropped_;
      queued_bytes_ -= std::min(outgoing.bytes->size(), queued_bytes_);
      return true;
    });
  }

  void closeSocket() {
    ++attempt_;
    connected_ = false;
    connect_timer_.cancel();
    keepalive_timer_.cancel();
    resolver_.cancel();
    // Written (perhaps in part) to a connection now gone: not sent again, it may have arrived.
    for (const auto& outgoing : stream_.close()) {
      if (outgoing.push) ++pushes_dropped_;
      queued_bytes_ -= std::min(outgoing.bytes->size(), queued_bytes_);
    }
  }

  // Drops what is queued and fails what awaits an answer.
  void failAll(const std::string& why) {
    closeSocket();
    for (const auto& outgoing : stream_.queue()) {
      if (outgoing.push) ++pushes_dropped_;
    }
    stream_.queue().clear();
    queued_bytes_ = 0;
    queue_full_logged_ = false;
    failRequests(why);
  }

  // Fails the close requests, queued or awaiting an answer; pushes stay queued.
  void failRequests(const std::string& why) {
    std::erase_if(stream_.queue(), [&](const Outgoing& outgoing) {
      if (outgoing.push) return false;
      queued_bytes_ -= std::min(outgoing.bytes->size(), queued_bytes_);
      return true;
    });
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, request] : pending) {
      request.timer->cancel();
      ++rpc_errors_;
      request.done(error(StatusCode::kServerUnavailable, "node " + node_id_ + ": " + why));
    }
  }

  void onWritten(std::vector<Outgoing>& written) {
    for (const auto& outgoing : written) {
      if (outgoing.push) ++pushes_sent_;
      queued_bytes_ -= std::min(outgoing.bytes->size(), queued_bytes_);
    }
    if (stream_.queue().empty()) queue_full_logged_ = false;
  }

  // false when a frame closed the connection.
  bool onBytes(std::string_view bytes) {
    const uint64_t attempt = attempt_;
    decoder_.feed(bytes);
    for (;;) {
      auto state = decoder_.next(&frame_);
      if (state == RpcFrameDecoder::State::kNeedMore) return true;
      if (state == RpcFrameDecoder::State::kError) {
        connectionLost("bad frame from the peer: " + decoder_.error());
        return false;
      }
      if (frame_.body_case() != rpc::RpcFrame::kResponse) {
        connectionLost("unexpected frame type from the peer");
        return false;
      }
      if (ping_id_ != 0 && frame_.request_id() == ping_id_) {
        ping_id_ = 0;
        continue;
      }
      const auto& response = frame_.response();
      complete(frame_.request_id(),
               Status{static_cast<StatusCode>(response.code()), response.reason()});
      if (attempt != attempt_) return false;  // a callback dropped the connection
    }
  }

  RpcNodeClients::Impl& owner_;
  const std::string node_id_;
  State state_ = State::kIdle;
  std::string address_;  // host:port of the last attempt, for logs
  std::string last_error_;
  net::ByteStreamSocket<Outgoing> stream_;
  tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  asio::steady_timer retry_timer_;
  asio::steady_timer keepalive_timer_;
  int64_t ping_id_ = 0;  // the request id of the ping awaiting its answer; 0 = none
  bool retry_armed_ = false;
  uint64_t attempt_ = 0;
  SteadyClock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  bool outage_logged_ = false;
  bool queue_full_logged_ = false;

  size_t queued_bytes_ = 0;  // the stream's queue and the batch being written
  std::unordered_map<int64_t, Pending> pending_;

  RpcFrameDecoder decoder_;
  rpc::RpcFrame frame_;

  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> pushes_sent_{0};
  std::atomic<uint64_t> pushes_dropped_{0};
  std::atomic<uint64_t> close_requests_{0};
  std::atomic<uint64_t> rpc_errors_{0};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> connect_failures_{0};
  std::atomic<uint64_t> handshake_failures_{0};
};

void addTotals(NodeClientsStats& totals, const PeerStats& peer) {
  totals.pushes_sent += peer.pushes_sent;
  totals.pushes_dropped += peer.pushes_dropped;
  totals.close_requests += peer.close_requests;
  totals.rpc_errors += peer.rpc_errors;
  totals.handshake_failures += peer.handshake_failures;
}

}  // namespace

std::shared_ptr<Peer> RpcNodeClients::Impl::peer(const std::string& node_id) {
  std::lock_guard lock(mutex);
  auto it = peers.find(node_id);
  if (it != peers.end()) return it->second;
  auto created = std::make_shared<Peer>(*this, node_id);
  peers.emplace(node_id, created);
  return created;
}

void RpcNodeClients::Impl::shutdown() {
  stopped = true;
  // Outside the lock: failing requests runs callbacks, which may read stats().
  std::vector<std::shared_ptr<Peer>> all;
  {
    std::lock_guard lock(mutex);
    for (auto& [id, peer] : peers) all.push_back(peer);
  }
  for (auto& peer : all) peer->shutdown();
}

RpcNodeClients::RpcNodeClients(asio::io_context& io, NodeResolver resolver,
                               NodeClientsOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(resolver), options)) {}

RpcNodeClients::~RpcNodeClients() {
  detail::runSync(impl_->io, impl_->strand, [impl = impl_] { impl->shutdown(); });
}

void RpcNodeClients::push(const std::string& node_id, std::span<const int64_t> user_ids,
                          std::shared_ptr<const std::string> notification, int64_t except_user_id,
                          int32_t except_device_type) {
  // Encoded here, on the caller's thread, to keep the io thread free. A large group's users are
  // split over several frames, so that the frame limit need only cover the notification.
  for (size_t first = 0; first < user_ids.size() || first == 0; first += kMaxUsersPerPushFrame) {
    const auto chunk =
        user_ids.subspan(first, std::min(kMaxUsersPerPushFrame, user_ids.size() - first));
    rpc::RpcFrame frame;
    auto* push = frame.mutable_push();
    push->mutable_user_ids()->Add(chunk.begin(), chunk.end());
    if (notification) push->set_notification(*notification);
    push->set_except_user_id(except_user_id);
    push->set_except_device_type(except_device_type);
    auto bytes = std::make_shared<const std::string>(encodeRpcFrame(frame));
    asio::post(impl_->strand, [impl = impl_, node_id, bytes = std::move(bytes)]() mutable {
      if (impl->stopped) return;
      impl->peer(node_id)->send(std::move(bytes), 0, nullptr);
    });
  }
}

void RpcNodeClients::closeSessionsAsync(const std::string& node_id, int64_t user_id,
                                        std::span<const int32_t> device_types, int32_t close_status,
                                        StatusCode code, const std::string& reason,
                                        CloseCallback done) {
  const int64_t request_id = impl_->next_request_id++;
  rpc::RpcFrame frame;
  frame.set_request_id(request_id);
  auto* request = frame.mutable_close_sessions();
  request->set_user_id(user_id);
  request->mutable_device_types()->Add(device_types.begin(), device_types.end());
  request->set_close_status(close_status);
  request->set_code(static_cast<int32_t>(code));
  request->set_reason(reason);
  auto bytes = std::make_shared<const std::string>(encodeRpcFrame(frame));
  asio::post(impl_->strand, [impl = impl_, node_id, request_id, bytes = std::move(bytes),
                             done = std::move(done)]() mutable {
    if (impl->stopped) {
      done(error(StatusCode::kServerUnavailable, "rpc clients are shutting down"));
      return;
    }
    impl->peer(node_id)->send(std::move(bytes), request_id, std::move(done));
  });
}

Status RpcNodeClients::closeSessions(const std::string& node_id, int64_t user_id,
                                     std::span<const int32_t> device_types, int32_t close_status,
                                     StatusCode code, const std::string& reason) {
  if (impl_->io.get_executor().running_in_this_thread()) {
    spdlog::error("rpc: a blocking closeSessions on the rpc io thread; use closeSessionsAsync");
    return error(StatusCode::kServerInternalError, "blocking rpc call on the rpc io thread");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  auto answer = promise->get_future();
  closeSessionsAsync(node_id, user_id, device_types, close_status, code, reason,
                     [promise](Status status) { promise->set_value(std::move(status)); });
  // The request's own timer answers within request_timeout; the margin only covers a stalled
  // io thread.
  if (answer.wait_for(impl_->options.request_timeout + std::chrono::seconds(1)) !=
      std::future_status::ready) {
    return error(StatusCode::kServerUnavailable, "node " + node_id + " did not answer in time");
  }
  return answer.get();
}

Status RpcNodeClients::announceJoin(const std::string& node_id, const rpc::NodeJoined& joined) {
  if (impl_->io.get_executor().running_in_this_thread()) {
    return error(StatusCode::kServerInternalError, "blocking rpc call on the rpc io thread");
  }
  const int64_t request_id = impl_->next_request_id++;
  rpc::RpcFrame frame;
  frame.set_request_id(request_id);
  *frame.mutable_node_joined() = joined;
  auto bytes = std::make_shared<const std::string>(encodeRpcFrame(frame));
  auto promise = std::make_shared<std::promise<Status>>();
  auto answer = promise->get_future();
  asio::post(impl_->strand, [impl = impl_, node_id, request_id, bytes = std::move(bytes),
                             promise]() mutable {
    if (impl->stopped) {
      promise->set_value(error(StatusCode::kServerUnavailable, "rpc clients are shutting down"));
      return;
    }
    impl->peer(node_id)->send(std::move(bytes), request_id,
                              [promise](Status status) { promise->set_value(std::move(status)); });
  });
  if (answer.wait_for(impl_->options.request_timeout + std::chrono::seconds(1)) !=
      std::future_status::ready) {
    return error(StatusCode::kServerUnavailable, "node " + node_id + " did not answer in time");
  }
  return answer.get();
}

bool RpcNodeClients::connected(std::string_view node_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->peers.find(node_id);
  return it != impl_->peers.end() && it->second->stats().connected;
}

NodeClientsStats RpcNodeClients::stats() const {
  std::lock_guard lock(impl_->mutex);
  NodeClientsStats stats = impl_->forgotten;
  for (const auto& [id, peer] : impl_->peers) {
    auto peer_stats = peer->stats();
    addTotals(stats, peer_stats);
    stats.peers.push_back(std::move(peer_stats));
  }
  return stats;
}

void RpcNodeClients::forgetAllBut(std::vector<std::string> live_node_ids) {
  std::sort(live_node_ids.begin(), live_node_ids.end());
  asio::post(impl_->strand, [impl = impl_, live = std::move(live_node_ids)] {
    if (impl->stopped) return;
    std::vector<std::shared_ptr<Peer>> gone;
    {
      std::lock_guard lock(impl->mutex);
      for (const auto& [id, peer] : impl->peers) {
        if (!std::binary_search(live.begin(), live.end(), id)) gone.push_back(peer);
      }
    }
    for (const auto& peer : gone) {
      spdlog::info("rpc: node {} left the cluster; its connection and queue are dropped",
                   peer->stats().node_id);
      // Outside the lock: failing requests runs callbacks, which may read stats(). Until it is
      // erased below, stats() still counts the peer among the live ones.
      peer->shutdown();
      std::lock_guard lock(impl->mutex);
      impl->peers.erase(peer->stats().node_id);
      addTotals(impl->forgotten, peer->stats());
    }
  });
}

}  // namespace parley::nodes
