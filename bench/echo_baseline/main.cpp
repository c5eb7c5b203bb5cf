// echo-baseline: the thinnest server that parley-bench can drive, on the same libraries as
// Parley (Boost.Asio, Boost.Beast WebSocket, the generated Turms protobufs). It measures the
// machine's own limit for the same traffic: no storage, no authentication, no validation.
//   - heartbeats (empty frames) are echoed;
//   - CreateSessionRequest binds the user id to the connection and answers OK;
//   - CreateMessageRequest to a recipient is relayed to that user's connection (the same push
//     Parley sends) and answered OK with a message id; to a group, relayed to every member;
//   - CreateGroupRequest / CreateGroupMembersRequest keep the membership in memory;
//   - every other request is answered OK.
// One io_context per thread, each connection stays on one; relays to another thread are posted.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "turms/turms_notification.pb.h"
#include "turms/turms_request.pb.h"

namespace parley::echo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace pb = im::turms::proto;
using Tcp = asio::ip::tcp;
using Payload = std::shared_ptr<const std::string>;

constexpr size_t kMaxFrameBytes = 16 * 1024;
constexpr int kOk = 1000;

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Peer {
 public:
  virtual ~Peer() = default;
  // Thread-safe: hops to the peer's own io thread.
  virtual void deliver(Payload payload) = 0;
};

// Who is online and which groups exist. Reads dominate (every relay), so a shared lock.
class Hub {
 public:
  void bind(int64_t user_id, std::weak_ptr<Peer> peer) {
    std::unique_lock lock(mutex_);
    users_[user_id] = std::move(peer);
  }
  void unbind(int64_t user_id, const Peer* peer) {
    std::unique_lock lock(mutex_);
    auto it = users_.find(user_id);
    if (it != users_.end() && it->second.lock().get() == peer) users_.erase(it);
  }
  std::shared_ptr<Peer> find(int64_t user_id) {
    std::shared_lock lock(mutex_);
    auto it = users_.find(user_id);
    return it == users_.end() ? nullptr : it->second.lock();
  }
  int64_t createGroup(int64_t owner) {
    const int64_t id = next_id_.fetch_add(1);
    std::unique_lock lock(mutex_);
    groups_[id].push_back(owner);
    return id;
  }
  void addMembers(int64_t group_id, const google::protobuf::RepeatedField<int64_t>& users) {
    std::unique_lock lock(mutex_);
    auto& members = groups_[group_id];
    members.insert(members.end(), users.begin(), users.end());
  }
  std::vector<std::shared_ptr<Peer>> groupPeers(int64_t group_id, const Peer* except) {
    std::vector<std::shared_ptr<Peer>> peers;
    std::shared_lock lock(mutex_);
    auto group = groups_.find(group_id);
    if (group == groups_.end()) return peers;
    peers.reserve(group->second.size());
    for (int64_t user : group->second) {
      auto it = users_.find(user);
      if (it == users_.end()) continue;
      if (auto peer = it->second.lock(); peer && peer.get() != except) peers.push_back(peer);
    }
    return peers;
  }
  int64_t nextId() { return next_id_.fetch_add(1); }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<int64_t, std::weak_ptr<Peer>> users_;
  std::unordered_map<int64_t, std::vector<int64_t>> groups_;
  std::atomic<int64_t> next_id_{1};
};

// The protocol part, shared by both transports: turns one inbound payload into a response for
// the sender and relays for others.
class Handler {
 public:
  explicit Handler(Hub& hub) : hub_(hub) {}

  // Returns the response payload for the sender (empty for a heartbeat echo).
  std::string handle(std::string_view payload, Peer* self, const std::shared_ptr<Peer>& self_ptr,
                     int64_t* user_id) {
    if (payload.empty()) return {};
    if (!request_.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return {};
    }
    response_.Clear();
    response_.set_timestamp(nowMillis());
    response_.set_request_id(request_.request_id());
    response_.set_code(kOk);
    switch (request_.kind_case()) {
      case pb::TurmsRequest::kCreateSessionRequest:
        *user_id = request_.create_session_request().user_id();
        hub_.bind(*user_id, self_ptr);
        break;
      case pb::TurmsRequest::kCreateMessageRequest:
        relay(self, *user_id);
        break;
      case pb::TurmsRequest::kCreateGroupRequest:
        response_.mutable_data()->set_long_(hub_.createGroup(*user_id));
        break;
      case pb::TurmsRequest::kCreateGroupMembersRequest:
        hub_.addMembers(request_.create_group_members_request().group_id(),
                        request_.create_group_members_request().user_ids());
        break;
      default:
        break;
    }
    return response_.SerializeAsString();
  }

 private:
  void relay(Peer* self, int64_t sender) {
    const int64_t message_id = hub_.nextId();
    response_.mutable_data()->set_long_(message_id);
    auto* create = request_.mutable_create_message_request();
    create->set_message_id(message_id);
    create->set_delivery_date(nowMillis());
    push_.Clear();
    push_.set_timestamp(nowMillis());
    push_.set_requester_id(sender);
    *push_.mutable_relayed_request() = request_;
    // Encoded once, whatever the number of recipients.
    auto payload = std::make_shared<const std::string>(push_.SerializeAsString());
    if (create->has_recipient_id()) {
      if (auto peer = hub_.find(create->recipient_id())) peer->deliver(std::move(payload));
    } else if (create->has_group_id()) {
      for (auto& peer : hub_.groupPeers(create->group_id(), self)) peer->deliver(payload);
    }
  }

  Hub& hub_;
  pb::TurmsRequest request_;
  pb::TurmsNotification response_;
  pb::TurmsNotification push_;
};

// One Handler per io thread: protobuf objects are reused, never shared between threads.
thread_local std::unique_ptr<Handler> t_handler;

Handler& handlerFor(Hub& hub) {
  if (!t_handler) t_handler = std::make_unique<Handler>(hub);
  return *t_handler;
}

class WsPeer final : public Peer, public std::enable_shared_from_this<WsPeer> {
 public:
  WsPeer(Tcp::socket socket, Hub& hub) : ws_(std::move(socket)), hub_(hub) {}
  ~WsPeer() override {
    if (user_id_ != 0) hub_.unbind(user_id_, this);
  }

  void start() {
    ws_.binary(true);
    ws_.read_message_max(kMaxFrameBytes);
    ws_.async_accept([self = shared_from_this()](beast::error_code error) {
      if (!error) self->read();
    });
  }

  void deliver(Payload payload) override {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this(), payload = std::move(payload)] {
      self->enqueue(payload);
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code error, size_t) {
      if (error) {
        if (self->user_id_ != 0) self->hub_.unbind(self->user_id_, self.get());
        return;
      }
      const auto data = self->buffer_.cdata();
      std::string response =
          handlerFor(self->hub_)
              .handle(std::string_view(static_cast<const char*>(data.data()), data.size()),
                      self.get(), self, &self->user_id_);
      self->buffer_.clear();
      self->enqueue(std::make_shared<const std::string>(std::move(response)));
      self->read();
    });
  }

  void enqueue(Payload payload) {
    queue_.push_back(std::move(payload));
    if (!writing_) write();
  }

  void write() {
    if (queue_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.async_write(asio::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code error, size_t) {
                      if (error) return;
                      self->queue_.pop_front();
                      self->write();
                    });
  }

  websocket::stream<Tcp::socket> ws_;
  Hub& hub_;
  beast::flat_buffer buffer_;
  std::deque<Payload> queue_;
  int64_t user_id_ = 0;
  bool writing_ = false;
};

class TcpPeer final : public Peer, public std::enable_shared_from_this<TcpPeer> {
 public:
  TcpPeer(Tcp::socket socket, Hub& hub) : socket_(std::move(socket)), hub_(hub) {}
  ~TcpPeer() override {
    if (user_id_ != 0) hub_.unbind(user_id_, this);
  }

  void start() {
    socket_.set_option(Tcp::no_delay(true));
    read();
  }

  void deliver(Payload payload) override {
    asio::dispatch(
        socket_.get_executor(),
        [self = shared_from_this(), payload = std::move(payload)] { self->enqueue(*payload); });
  }

 private:
  void read() {
    input_.resize(std::max<size_t>(input_.size(), used_ + 4096));
    socket_.async_read_some(
        asio::buffer(input_.data() + used_, input_.size() - used_),
        [self = shared_from_this()](const boost::system::error_code& error, size_t bytes) {
          if (error) {
            if (self->user_id_ != 0) self->hub_.unbind(self->user_id_, self.get());
            return;
          }
          self->used_ += bytes;
          if (!self->consume()) return;
          self->read();
        });
  }

  // Decodes every complete varint32-prefixed frame; false on a corrupt stream.
  bool consume() {
    size_t offset = 0;
    for (;;) {
      uint32_t length = 0;
      size_t i = 0;
      bool complete = false;
      for (; offset + i < used_ && i < 5; ++i) {
        const auto byte = static_cast<uint8_t>(input_[offset + i]);
        length |= static_cast<uint32_t>(byte & 0x7F) << (7 * i);
        if ((byte & 0x80) == 0) {
          complete = true;
          ++i;
          break;
        }
      }
      if (!complete) {
        if (i >= 5) return false;
        break;
      }
      if (length > kMaxFrameBytes) return false;
      if (used_ - offset - i < length) break;
      const std::string response =
          handlerFor(hub_).handle(std::string_view(input_.data() + offset + i, length), this,
                                  shared_from_this(), &user_id_);
      enqueue(response);
      offset += i + length;
    }
    used_ -= offset;
    if (used_ > 0 && offset > 0) std::memmove(input_.data(), input_.data() + offset, used_);
    return true;
  }

  // TCP needs no message boundaries: frames are appended and written in batches.
  void enqueue(const std::string& payload) {
    auto length = static_cast<uint32_t>(payload.size());
    while (length >= 0x80) {
      pending_.push_back(static_cast<char>((length & 0x7F) | 0x80));
      length >>= 7;
    }
    pending_.push_back(static_cast<char>(length));
    pending_ += payload;
    if (!writing_) write();
  }

  void write() {
    if (pending_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    in_flight_.swap(pending_);
    pending_.clear();
    asio::async_write(socket_, asio::buffer(in_flight_),
                      [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                        if (error) return;
                        self->in_flight_.clear();
                        self->write();
                      });
  }

  Tcp::socket socket_;
  Hub& hub_;
  std::vector<char> input_;
  size_t used_ = 0;
  std::string pending_;
  std::string in_flight_;
  int64_t user_id_ = 0;
  bool writing_ = false;
};

class Server {
 public:
  Server(int threads, const std::string& bind, int ws_port, int tcp_port)
      : contexts_(static_cast<size_t>(threads)) {
    for (auto& context : contexts_) context = std::make_unique<asio::io_context>(1);
    const auto address = asio::ip::make_address(bind);
    if (ws_port >= 0) ws_ = open(Tcp::endpoint(address, static_cast<uint16_t>(ws_port)));
    if (tcp_port >= 0) tcp_ = open(Tcp::endpoint(address, static_cast<uint16_t>(tcp_port)));
    if (ws_) accept(*ws_, true);
    if (tcp_) accept(*tcp_, false);
  }

  uint16_t wsPort() const { return ws_ ? ws_->local_endpoint().port() : 0; }
  uint16_t tcpPort() const { return tcp_ ? tcp_->local_endpoint().port() : 0; }

  void run() {
    asio::signal_set signals(*contexts_[0], SIGINT, SIGTERM);
    signals.async_wait([this](const boost::system::error_code&, int) {
      for (auto& context : contexts_) context->stop();
    });
    std::vector<std::thread> threads;
    for (size_t i = 1; i < contexts_.size(); ++i) {
      threads.emplace_back([context = contexts_[i].get()] {
        auto guard = asio::make_work_guard(*context);
        context->run();
      });
    }
    contexts_[0]->run();
    for (auto& context : contexts_) context->stop();
    for (auto& thread : threads) thread.join();
  }

 private:
  std::unique_ptr<Tcp::acceptor> open(const Tcp::endpoint& endpoint) {
    auto acceptor = std::make_unique<Tcp::acceptor>(*contexts_[0]);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(Tcp::acceptor::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    return acceptor;
  }

  void accept(Tcp::acceptor& acceptor, bool websocket) {
    auto& context = *contexts_[next_++ % contexts_.size()];
    acceptor.async_accept(context, [this, &acceptor, websocket](
                                       const boost::system::error_code& error, Tcp::socket socket) {
      if (!error) {
        if (websocket) {
          socket.set_option(Tcp::no_delay(true));
          std::make_shared<WsPeer>(std::move(socket), hub_)->start();
        } else {
          std::make_shared<TcpPeer>(std::move(socket), hub_)->start();
        }
      }
      accept(acceptor, websocket);
    });
  }

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::unique_ptr<Tcp::acceptor> ws_;
  std::unique_ptr<Tcp::acceptor> tcp_;
  Hub hub_;
  size_t next_ = 0;
};

}  // namespace
}  // namespace parley::echo

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string bind = "127.0.0.1";
  int ws_port = 0;
  int tcp_port = 0;
  CLI::App app{"echo-baseline: the thinnest Turms-protocol relay, for parley-bench ratios"};
  app.add_option("--threads", threads, "io threads (default: one per core)");
  app.add_option("--bind", bind, "listen address");
  app.add_option("--ws-port", ws_port, "WebSocket port (0 = any free port, -1 = off)");
  app.add_option("--tcp-port", tcp_port, "TCP port (0 = any free port, -1 = off)");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  try {
    parley::echo::Server server(std::max(threads, 1), bind, ws_port, tcp_port);
    // The same machine-readable line as parley's, for scripts that start it on port 0.
    std::printf("echo-baseline ready ws=%u tcp=%u\n", server.wsPort(), server.tcpPort());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "echo-baseline: %s\n", error.what());
    return 1;
  }
  return 0;
}
