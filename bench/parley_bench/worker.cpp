#include "parley_bench/worker.h"

#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/tls_context.h"
#include "net/tls_engine.h"
#include "parley_bench/histogram.h"
#include "parley_bench/report.h"
#include "parley_bench/wire.h"
#include "turms/turms_notification.pb.h"
#include "turms/turms_request.pb.h"

namespace parley::bench {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace pb = im::turms::proto;
using Tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr auto kTick = std::chrono::milliseconds(1);
constexpr size_t kInitialReadBytes = 4096;
constexpr size_t kCiphertextReadBytes = 8192;  // TLS: what one read takes at most
constexpr size_t kMaxFrameBytes = 4 << 20;
constexpr int kMaxInflightPerSession = 64;
constexpr int kPickAttempts = 16;
constexpr int kMaxHeartbeatsPerTick = 2000;
// Upstream's limit on users added by one CreateGroupMembersRequest.
constexpr int kMembersPerRequest = 100;
constexpr int64_t kGroupTypeId = 1;
// Linux: pick the source port at connect() time from the whole 4-tuple, so one source address
// serves many destinations and bind() does not exhaust ports by itself.
constexpr int kIpBindAddressNoPort = 24;
constexpr uint32_t kFirstSourceAddress = 0x7F010001;  // 127.1.0.1
constexpr int64_t kHeartbeatRequestId = -100;
// Failover: a login again that fails (the other server still starting, 1201) is retried this
// often, as a client would, up to this many times.
constexpr int64_t kReloginRetryNanos = 100'000'000;
constexpr int kMaxReloginAttempts = 100;

int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t cpuNanos() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto nanos = [](const timeval& t) {
    return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_usec * 1000;
  };
  return nanos(usage.ru_utime) + nanos(usage.ru_stime);
}

bool isSuccess(int code) { return code >= 1000 && code < 1100; }

enum class RequestKind : uint8_t { kLogin, kMessage, kCreateGroup, kAddMembers };

struct Pending {
  RequestKind kind;
  int32_t session;  // global index of the sender
  int32_t target;   // message: recipient session or group index; group requests: group index
  int64_t sent_ns;
  int32_t chunk = 0;  // kAddMembers: which slice of kMembersPerRequest members
};

struct Session {
  explicit Session(asio::io_context& io, Transport transport)
      : socket(io), reader(transport, kMaxFrameBytes) {}

  enum class State : uint8_t {
    kNew,
    kConnecting,
    kTlsHandshaking,
    kHandshaking,
    kLoggingIn,
    kOnline,
    kClosed
  };

  Tcp::socket socket;
  std::unique_ptr<net::TlsEngine> tls;  // with scenario.tls_ca
  // TLS: ciphertext read, before the session decrypts it. Each session has its own: reads of
  // several sessions complete before their handlers run.
  std::unique_ptr<char[]> ciphertext;
  wire::FrameReader reader;
  std::unique_ptr<char[]> input;
  size_t input_capacity = 0;
  size_t input_size = 0;
  std::string output;   // frames waiting for the next write
  std::string writing;  // frames being written
  int64_t started_ns = 0;
  int index = 0;  // global session index
  int inflight = 0;
  State state = State::kNew;
  bool writing_active = false;
  bool flush_queued = false;
  bool login_finished = false;
  // Failover: this session logs in again at the failover port after its server dropped it.
  bool relogin = false;
  int relogin_attempts = 0;
  int64_t dropped_ns = 0;
};

class Worker {
 public:
  Worker(const WorkerConfig& config, SharedState& shared)
      : config_(config),
        scenario_(config.scenario),
        shared_(shared),
        progress_(shared.worker(config.index)),
        timer_(io_),
        random_(static_cast<uint32_t>(0x9E3779B9u * (config.index + 1))),
        parent_(getppid()) {
    const int count = config.session_end - config.session_begin;
    sessions_.reserve(count);
    for (int i = 0; i < count; ++i) {
      sessions_.push_back(std::make_unique<Session>(io_, scenario_.transport));
      sessions_.back()->index = config.session_begin + i;
    }
    share_ = static_cast<double>(count) / scenario_.sessions;
    if (!scenario_.tls_ca.empty()) tls_context_ = net::TlsContext::forClient({scenario_.tls_ca});
    server_ = Tcp::endpoint(asio::ip::make_address(config.host), config.port);
    failover_server_ = Tcp::endpoint(asio::ip::make_address(config.host),
                                     static_cast<uint16_t>(scenario_.failover_port));
    text_.assign(static_cast<size_t>(scenario_.message_bytes), 'x');
    if (scenario_.kind == ScenarioKind::kGroup) {
      group_pending_chunks_.assign(static_cast<size_t>(scenario_.groupCount()), 0);
      group_online_.assign(static_cast<size_t>(scenario_.groupCount()), -1);
      group_members_ok_.assign(static_cast<size_t>(scenario_.groupCount()), false);
    }
  }

  int run() {
    deadline_ns_ = nowNanos() + static_cast<int64_t>((scenario_.max_seconds + 30) * 1e9);
    login_started_ns_ = nowNanos();
    cpu_started_ns_ = cpuNanos();
    scheduleTick();
    io_.run();
    return exit_code_;
  }

 private:
  // --- time-driven work ---------------------------------------------------------------------

  void scheduleTick() {
    timer_.expires_after(kTick);
    timer_.async_wait([this](const ErrorCode& error) {
      if (error) return;
      tick();
      flushAll();
      if (!stopped_) scheduleTick();
    });
  }

  void tick() {
    const Phase phase = shared_.phase();
    if (phase != phase_) enterPhase(phase);
    if (stopped_) return;
    const int64_t now = nowNanos();
    if (now > deadline_ns_ || getppid() != parent_) {
      // The coordinator is gone or stuck: never outlive the run's bound.
      exit_code_ = 3;
      report();
      return;
    }
    if (phase_ == Phase::kLogin) paceLogins(now);
    if (!relogins_.empty() || !relogin_retries_.empty()) paceRelogins(now);
    if (phase_ == Phase::kRun && scenario_.rate > 0) paceMessages(now);
    // Not while draining: the coordinator does not wait for their answers.
    if (phase_ < Phase::kDrain) paceHeartbeats(now);
  }

  void enterPhase(Phase phase) {
    if (phase_ == Phase::kRun) stopRun();
    phase_ = phase;
    switch (phase) {
      case Phase::kLogin:
        break;
      case Phase::kSetup:
        startGroupSetup();
        break;
      case Phase::kRun:
        startRun();
        break;
      case Phase::kDrain:
        break;
      case Phase::kReport:
        report();
        break;
    }
  }

  void paceLogins(int64_t now) {
    const double rate = scenario_.login_rate * share_;
    const double elapsed = static_cast<double>(now - login_started_ns_) / 1e9;
    const int64_t due = rate > 0 ? static_cast<int64_t>(rate * elapsed) + 1 : INT64_MAX;
    while (next_login_ < sessions_.size() && static_cast<int64_t>(next_login_) < due &&
           logins_in_progress_ < scenario_.login_concurrency) {
      startSession(*sessions_[next_login_++]);
    }
  }

  void paceHeartbeats(int64_t now) {
    if (scenario_.heartbeat_seconds <= 0 || sessions_.empty()) return;
    const auto interval = static_cast<int64_t>(scenario_.heartbeat_seconds * 1e9 /
                                               static_cast<double>(sessions_.size()));
    if (next_heartbeat_ns_ == 0) next_heartbeat_ns_ = now + interval;
    for (int sent = 0; next_heartbeat_ns_ <= now && sent < kMaxHeartbeatsPerTick; ++sent) {
      next_heartbeat_ns_ += std::max<int64_t>(interval, 1);
      Session& session = *sessions_[heartbeat_cursor_];
      heartbeat_cursor_ = (heartbeat_cursor_ + 1) % sessions_.size();
      if (session.state != Session::State::kOnline) continue;
      wire::appendFrame(scenario_.transport, {}, maskKey(), session.output);
      ++heartbeats_sent_;
      queueFlush(session);
    }
    if (next_heartbeat_ns_ < now) next_heartbeat_ns_ = now;  // never burst to catch up
  }

  // --- connect, handshake, login ------------------------------------------------------------

  void startSession(Session& session) {
    if (session.relogin) {
      ++relogins_in_flight_;
      // Its latency counts from the moment the server dropped it.
      session.started_ns = session.dropped_ns;
    } else {
      ++logins_in_progress_;
      session.started_ns = nowNanos();
      if (first_login_ns_ == 0) first_login_ns_ = session.started_ns;
    }
    session.state = Session::State::kConnecting;
    ErrorCode error;
    session.socket.open(Tcp::v4(), error);
    if (!error) {
      const int one = 1;
      setsockopt(session.socket.native_handle(), IPPROTO_IP, kIpBindAddressNoPort, &one,
                 sizeof(one));
      const uint32_t source =
          kFirstSourceAddress + static_cast<uint32_t>(session.index % scenario_.source_addresses);
      session.socket.bind(Tcp::endpoint(asio::ip::address_v4(source), 0), error);
    }
    if (error) {
      failLogin(session, "connect", error);
      return;
    }
    session.socket.async_connect(
        session.relogin ? failover_server_ : server_, [this, &session](const ErrorCode& error) {
          if (error) {
            failLogin(session, "connect", error);
            flushAll();
            return;
          }
          session.socket.set_option(Tcp::no_delay(true));
          session.input_capacity = kInitialReadBytes;
          session.input = std::make_unique<char[]>(session.input_capacity);
          if (tls_context_) {
            session.state = Session::State::kTlsHandshaking;
            session.tls = std::make_unique<net::TlsEngine>(
                *tls_context_, net::TlsEngine::Role::kClient, config_.host);
            session.ciphertext = std::make_unique<char[]>(kCiphertextReadBytes);
            session.tls->startHandshake();
            queueFlush(session);
          } else {
            startProtocol(session);
          }
          startRead(session);
          flushAll();
        });
  }

  // Connected (and through TLS, when asked): the WebSocket upgrade, or the login over TCP.
  void startProtocol(Session& session) {
    if (scenario_.transport == Transport::kWebSocket) {
      session.state = Session::State::kHandshaking;
      session.output += wire::webSocketHandshake(config_.host, config_.port);
      queueFlush(session);
    } else {
      sendLogin(session);
    }
  }

  void sendLogin(Session& session) {
    session.state = Session::State::kLoggingIn;
    request_.Clear();
    const int64_t id = nextRequestId();
    request_.set_request_id(id);
    auto* login = request_.mutable_create_session_request();
    login->set_version(1);
    login->set_user_id(scenario_.first_user_id + session.index);
    login->set_password(scenario_.password);
    login->set_device_type(pb::DESKTOP);
    pending_.emplace(id, Pending{RequestKind::kLogin, session.index, 0, session.started_ns});
    send(session);
  }

  void finishLogin(Session& session) {
    if (session.login_finished) return;
    session.login_finished = true;
    --logins_in_progress_;
    if (++logins_finished_ == sessions_.size()) login_cpu_ns_ = cpuNanos() - cpu_started_ns_;
    progress_.login_attempts.fetch_add(1, std::memory_order_relaxed);
  }

  void failLogin(Session& session, const std::string& what, const ErrorCode& error) {
    ++errors_[what];
    if (errors_[what] == 1) last_error_text_[what] = error.message();
    closeSession(session);
    if (session.relogin) {
      finishRelogin(session, false);
    } else {
      finishLogin(session);
    }
  }

  // --- failover: dropped sessions log in again at the failover port ---------------------------

  struct QueuedRelogin {
    int index;  // global session index
    int attempts;
    int64_t dropped_ns;
    int64_t due_ns;
  };

  // First attempts are due at once, retries a while later: two queues, each in due order.
  void queueRelogin(int index, int attempts, int64_t dropped_ns, int64_t due_ns) {
    (attempts == 0 ? relogins_ : relogin_retries_).push_back({index, attempts, dropped_ns, due_ns});
  }

  // A fresh Session per attempt: handlers still pending on the dropped one (reads, writes) find
  // it closed and do nothing, so it is kept until the worker ends.
  void paceRelogins(int64_t now) {
    while (relogins_in_flight_ < scenario_.login_concurrency) {
      std::deque<QueuedRelogin>* queue = !relogins_.empty() ? &relogins_ : &relogin_retries_;
      if (queue->empty() || queue->front().due_ns > now) return;
      const QueuedRelogin next = queue->front();
      queue->pop_front();
      auto& slot = sessions_[static_cast<size_t>(next.index - config_.session_begin)];
      retired_.push_back(std::move(slot));
      slot = std::make_unique<Session>(io_, scenario_.transport);
      slot->index = next.index;
      slot->relogin = true;
      slot->relogin_attempts = next.attempts + 1;
      slot->dropped_ns = next.dropped_ns;
      ++relogin_attempts_;
      startSession(*slot);
    }
  }

  void finishRelogin(Session& session, bool ok) {
    if (session.login_finished) return;
    session.login_finished = true;
    --relogins_in_flight_;
    if (ok) {
      const int64_t now = nowNanos();
      relogin_latency_.record(static_cast<uint64_t>(now - session.dropped_ns));
      last_relogin_ns_ = std::max(last_relogin_ns_, now);
      ++relogged_in_;
      progress_.relogged_in.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (session.relogin_attempts >= kMaxReloginAttempts) {
      ++relogins_abandoned_;
      return;
    }
    queueRelogin(session.index, session.relogin_attempts, session.dropped_ns,
                 nowNanos() + kReloginRetryNanos);
  }

  // --- reading ------------------------------------------------------------------------------

  // Room for at least `more` bytes behind the input.
  static void reserveInput(Session& session, size_t more) {
    if (session.input_capacity - session.input_size >= more) return;
    size_t capacity = session.input_capacity * 2;
    while (capacity - session.input_size < more) capacity *= 2;
    auto bigger = std::make_unique<char[]>(capacity);
    std::memcpy(bigger.get(), session.input.get(), session.input_size);
    session.input = std::move(bigger);
    session.input_capacity = capacity;
  }

  // TLS: ciphertext into the session's buffer, plaintext behind the session's input.
  void startTlsRead(Session& session) {
    session.socket.async_read_some(
        asio::buffer(session.ciphertext.get(), kCiphertextReadBytes),
        [this, &session](const ErrorCode& error, size_t bytes) {
          if (error) {
            onSocketError(session, "read", error);
            flushAll();
            return;
          }
          const auto result = session.tls->feed(
              std::string_view(session.ciphertext.get(), bytes), [&session](std::span<char> plain) {
                reserveInput(session, plain.size());
                std::memcpy(session.input.get() + session.input_size, plain.data(), plain.size());
                session.input_size += plain.size();
                return true;
              });
          if (result != net::TlsEngine::FeedResult::kOk) {
            if (result == net::TlsEngine::FeedResult::kFailed) {
              last_error_text_["tls"] = session.tls->error();
            }
            onSocketError(
                session, result == net::TlsEngine::FeedResult::kFailed ? "tls" : "closed_by_server",
                {});
            flushAll();
            return;
          }
          if (!session.tls->output().empty()) queueFlush(session);
          if (session.state == Session::State::kTlsHandshaking && session.tls->established()) {
            startProtocol(session);
          }
          processInput(session);
          if (session.state != Session::State::kClosed) startTlsRead(session);
          flushAll();
        });
  }

  void startRead(Session& session) {
    if (session.tls) {
      startTlsRead(session);
      return;
    }
    reserveInput(session, 1);
    session.socket.async_read_some(asio::buffer(session.input.get() + session.input_size,
                                                session.input_capacity - session.input_size),
                                   [this, &session](const ErrorCode& error, size_t bytes) {
                                     if (error) {
                                       onSocketError(session, "read", error);
                                     } else {
                                       session.input_size += bytes;
                                       processInput(session);
                                       if (session.state != Session::State::kClosed)
                                         startRead(session);
                                     }
                                     flushAll();
                                   });
  }

  void processInput(Session& session) {
    size_t offset = 0;
    const char* data = session.input.get();
    if (session.state == Session::State::kHandshaking) {
      const std::string_view text(data, session.input_size);
      const auto end = text.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (session.input_size > 16 * 1024) failLogin(session, "handshake", {});
        return;
      }
      if (text.substr(0, 12) != "HTTP/1.1 101") {
        failLogin(session, "handshake", {});
        return;
      }
      offset = end + 4;
      sendLogin(session);
    }
    while (session.state != Session::State::kClosed) {
      size_t consumed = 0;
      wire::FrameReader::Kind kind;
      std::string_view payload;
      const auto status = session.reader.next(data + offset, session.input_size - offset, &consumed,
                                              &kind, &payload);
      if (status == wire::FrameReader::Status::kNeedMore) break;
      if (status == wire::FrameReader::Status::kError) {
        ++errors_["protocol"];
        last_error_text_["protocol"] = session.reader.error();
        onSocketError(session, "protocol", {});
        return;
      }
      offset += consumed;
      switch (kind) {
        case wire::FrameReader::Kind::kBinary:
          onPayload(session, payload);
          break;
        case wire::FrameReader::Kind::kPing:
          wire::appendPong(payload, maskKey(), session.output);
          queueFlush(session);
          break;
        case wire::FrameReader::Kind::kClose:
          onSocketError(session, "closed_by_server", {});
          return;
        case wire::FrameReader::Kind::kIgnored:
          break;
      }
    }
    if (session.state == Session::State::kClosed) return;
    session.input_size -= offset;
    if (session.input_size > 0 && offset > 0) {
      std::memmove(session.input.get(), data + offset, session.input_size);
    }
  }

  void onPayload(Session& session, std::string_view payload) {
    if (payload.empty()) {
      ++heartbeats_answered_;
      return;
    }
    if (!notification_.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      ++errors_["unparsable_notification"];
      return;
    }
    if (notification_.has_request_id()) {
      onResponse(session);
    } else if (notification_.has_close_status()) {
      ++errors_["close_status:" + std::to_string(notification_.close_status())];
    } else if (notification_.has_relayed_request() &&
               notification_.relayed_request().has_create_message_request()) {
      onMessagePush();
    } else {
      ++other_pushes_;
    }
  }

  void onMessagePush() {
    const std::string& text = notification_.relayed_request().create_message_request().text();
    int64_t sent_ns = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sent_ns);
    if (error != std::errc() || end == text.data() + text.size() || *end != '|') {
      ++errors_["push_without_timestamp"];
      return;
    }
    e2e_.record(static_cast<uint64_t>(std::max<int64_t>(nowNanos() - sent_ns, 0)));
    progress_.pushes_received.fetch_add(1, std::memory_order_relaxed);
  }

  void onResponse(Session& session) {
    const int64_t request_id = notification_.request_id();
    const int code = notification_.code();
    if (request_id == kHeartbeatRequestId) {
      ++errors_["heartbeat:" + std::to_string(code)];
      return;
    }
    auto it = pending_.find(request_id);
    if (it == pending_.end()) {
      ++errors_["unmatched_response"];
      return;
    }
    const Pending pending = it->second;
    pending_.erase(it);
    const int64_t now = nowNanos();
    if (!isSuccess(code)) ++errors_[std::to_string(code)];
    switch (pending.kind) {
      case RequestKind::kLogin:
        if (session.relogin) {
          if (isSuccess(code)) {
            session.state = Session::State::kOnline;
            shared_.setOnline(session.index, true);
          } else {
            closeSession(session);
          }
          finishRelogin(session, isSuccess(code));
        } else if (isSuccess(code)) {
          session.state = Session::State::kOnline;
          shared_.setOnline(session.index, true);
          login_latency_.record(static_cast<uint64_t>(now - pending.sent_ns));
          last_login_ns_ = now;
          progress_.logged_in.fetch_add(1, std::memory_order_relaxed);
          finishLogin(session);
        } else {
          closeSession(session);
          finishLogin(session);
        }
        break;
      case RequestKind::kMessage:
        --session.inflight;
        progress_.answered.fetch_add(1, std::memory_order_relaxed);
        if (isSuccess(code)) {
          ++messages_ok_;
          ack_.record(static_cast<uint64_t>(now - pending.sent_ns));
          const int64_t expected = expectedPushes(pending);
          pushes_expected_ += expected;
          progress_.pushes_expected.fetch_add(expected, std::memory_order_relaxed);
        } else {
          ++messages_failed_;
        }
        // Closed loop: every answer lets one more message go.
        if (running_ && scenario_.rate <= 0) {
          if (Session* sender = pickSender()) sendMessage(*sender);
        }
        break;
      case RequestKind::kCreateGroup:
        if (isSuccess(code) && notification_.data().has_long_()) {
          addGroupMembers(session, pending.target, notification_.data().long_());
        } else {
          finishGroup(pending.target, false);
        }
        break;
      case RequestKind::kAddMembers: {
        const auto group = static_cast<size_t>(pending.target);
        if (isSuccess(code)) {
          group_members_ok_[group] = true;
          const int first = ownerOf(pending.target) + 1 + pending.chunk * kMembersPerRequest;
          const int end =
              std::min(ownerOf(pending.target) + scenario_.group_size, first + kMembersPerRequest);
          for (int member = first; member < end; ++member) shared_.setMember(member);
          members_added_ += end - first;
        }
        // A group some of whose members were refused (a size limit) is still used, with the
        // members it has.
        if (--group_pending_chunks_[group] == 0) {
          finishGroup(pending.target, group_members_ok_[group]);
        }
        break;
      }
    }
  }

  void onSocketError(Session& session, const std::string& what, const ErrorCode& error) {
    if (session.state == Session::State::kClosed) return;
    if (!session.login_finished) {
      failLogin(session, session.state == Session::State::kHandshaking ? "handshake" : what, error);
      return;
    }
    if (scenario_.kind == ScenarioKind::kFailover && session.state == Session::State::kOnline &&
        !stopped_) {
      // Its server went away: log in again on the other one at once, as a client would.
      const int64_t now = nowNanos();
      if (first_drop_ns_ == 0) first_drop_ns_ = now;
      ++dropped_;
      progress_.dropped.fetch_add(1, std::memory_order_relaxed);
      closeSession(session);
      queueRelogin(session.index, 0, now, now);
      return;
    }
    if (!stopped_ && phase_ != Phase::kReport) {
      ++errors_["disconnected"];
      if (error && last_error_text_["disconnected"].empty()) {
        last_error_text_["disconnected"] = what + ": " + error.message();
      }
      progress_.disconnected.fetch_add(1, std::memory_order_relaxed);
    }
    closeSession(session);
  }

  void closeSession(Session& session) {
    if (session.state == Session::State::kOnline) shared_.setOnline(session.index, false);
    session.state = Session::State::kClosed;
    ErrorCode ignored;
    session.socket.close(ignored);
    session.tls.reset();
  }

  // --- groups -------------------------------------------------------------------------------

  int ownerOf(int group) const { return group * scenario_.group_size; }

  Session* local(int global_index) {
    const int local_index = global_index - config_.session_begin;
    if (local_index < 0 || local_index >= static_cast<int>(sessions_.size())) return nullptr;
    return sessions_[static_cast<size_t>(local_index)].get();
  }

  void startGroupSetup() {
    for (int group = 0; group < scenario_.groupCount(); ++group) {
      Session* owner = local(ownerOf(group));
      if (owner == nullptr) continue;
      if (owner->state != Session::State::kOnline) {
        shared_.setGroupId(group, -1);
        ++groups_failed_;
        progress_.groups_done.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      request_.Clear();
      const int64_t id = nextRequestId();
      request_.set_request_id(id);
      request_.mutable_create_group_request()->set_name("bench-" + std::to_string(group));
      // The demo data's type "test", whose owners add members directly (DEFAULT's users accept
      // invitations); the server must list it in group.creatable-type-ids. The bare relay
      // ignores it.
      request_.mutable_create_group_request()->set_type_id(kGroupTypeId);
      pending_.emplace(id, Pending{RequestKind::kCreateGroup, owner->index, group, nowNanos()});
      send(*owner);
    }
  }

  void addGroupMembers(Session& owner, int group, int64_t group_id) {
    std::vector<int64_t> members;
    for (int i = 1; i < scenario_.group_size; ++i) {
      members.push_back(scenario_.first_user_id + ownerOf(group) + i);
    }
    int chunks = 0;
    for (size_t begin = 0; begin < members.size(); begin += kMembersPerRequest) {
      request_.Clear();
      const int64_t id = nextRequestId();
      request_.set_request_id(id);
      auto* add = request_.mutable_create_group_members_request();
      add->set_group_id(group_id);
      const size_t end = std::min(members.size(), begin + kMembersPerRequest);
      for (size_t i = begin; i < end; ++i) add->add_user_ids(members[i]);
      pending_.emplace(id,
                       Pending{RequestKind::kAddMembers, owner.index, group, nowNanos(), chunks});
      send(owner);
      ++chunks;
    }
    group_ids_[group] = group_id;
    shared_.setMember(owner.index);
    group_pending_chunks_[static_cast<size_t>(group)] = chunks;
    if (chunks == 0) finishGroup(group, true);
  }

  void finishGroup(int group, bool ok) {
    if (ok) {
      shared_.setGroupId(group, group_ids_[group]);
      ++groups_ready_;
    } else {
      shared_.setGroupId(group, -1);
      ++groups_failed_;
    }
    progress_.groups_done.fetch_add(1, std::memory_order_relaxed);
  }

  // Members online at the start of the run, the sender excluded: the server never pushes back
  // to the requesting session.
  int64_t expectedPushes(const Pending& pending) {
    if (scenario_.kind == ScenarioKind::kPrivate) return shared_.online(pending.target) ? 1 : 0;
    int& online = group_online_[static_cast<size_t>(pending.target)];
    if (online < 0) {
      online = 0;
      const int first = ownerOf(pending.target);
      for (int i = first; i < first + scenario_.group_size; ++i) {
        online += shared_.online(i) && shared_.member(i);
      }
    }
    return std::max(online - 1, 0);
  }

  // --- messages -----------------------------------------------------------------------------

  void startRun() {
    for (auto& session : sessions_) {
      if (session->state != Session::State::kOnline) continue;
      if (scenario_.kind == ScenarioKind::kGroup) {
        const int group = session->index / scenario_.group_size;
        if (group >= scenario_.groupCount() || shared_.groupId(group) <= 0) continue;
        if (!shared_.member(session->index)) continue;
      }
      senders_.push_back(session.get());
    }
    if (scenario_.kind != ScenarioKind::kPrivate && scenario_.kind != ScenarioKind::kGroup) return;
    running_ = true;
    run_started_ns_ = nowNanos();
    run_cpu_started_ns_ = cpuNanos();
    max_messages_ =
        static_cast<int64_t>(std::ceil(static_cast<double>(scenario_.max_messages) * share_));
    if (scenario_.rate > 0) return;
    int64_t window = scenario_.inflight;
    if (window <= 0) {
      window =
          scenario_.kind == ScenarioKind::kPrivate ? scenario_.sessions : scenario_.groupCount();
    }
    const auto mine = std::max<int64_t>(1, std::llround(static_cast<double>(window) * share_));
    for (int64_t i = 0; i < mine; ++i) {
      if (Session* sender = pickSender()) sendMessage(*sender);
    }
  }

  void stopRun() {
    if (!running_) return;
    running_ = false;
    run_cpu_ns_ = cpuNanos() - run_cpu_started_ns_;
    run_ns_ = nowNanos() - run_started_ns_;
  }

  void paceMessages(int64_t now) {
    if (!running_) return;
    const double elapsed = static_cast<double>(now - run_started_ns_) / 1e9;
    const int64_t due =
        std::min(static_cast<int64_t>(scenario_.rate * share_ * elapsed), max_messages_);
    while (scheduled_ < due) {
      ++scheduled_;
      Session* sender = pickSender();
      if (sender == nullptr) {
        ++deferred_;
        continue;
      }
      sendMessage(*sender);
    }
  }

  Session* pickSender() {
    if (senders_.empty()) return nullptr;
    for (int attempt = 0; attempt < kPickAttempts; ++attempt) {
      Session* candidate = senders_[nextRandom() % senders_.size()];
      if (candidate->state == Session::State::kOnline &&
          candidate->inflight < kMaxInflightPerSession) {
        return candidate;
      }
    }
    return nullptr;
  }

  int pickRecipient(int sender) {
    for (int attempt = 0; attempt < kPickAttempts; ++attempt) {
      const int candidate =
          static_cast<int>(nextRandom() % static_cast<uint32_t>(scenario_.sessions));
      if (candidate != sender && shared_.online(candidate)) return candidate;
    }
    return -1;
  }

  void sendMessage(Session& sender) {
    if (messages_sent_ >= max_messages_) return;
    int target = 0;
    request_.Clear();
    auto* create = request_.mutable_create_message_request();
    if (scenario_.kind == ScenarioKind::kPrivate) {
      target = pickRecipient(sender.index);
      if (target < 0) {
        ++deferred_;
        return;
      }
      create->set_recipient_id(scenario_.first_user_id + target);
    } else {
      target = sender.index / scenario_.group_size;
      create->set_group_id(shared_.groupId(target));
    }
    const int64_t id = nextRequestId();
    request_.set_request_id(id);
    const int64_t now = nowNanos();
    // The send time travels in the text so the recipient, maybe in another worker process,
    // measures end to end on the same (system-wide monotonic) clock.
    auto [end, error] = std::to_chars(text_.data(), text_.data() + text_.size(), now);
    *end = '|';
    create->set_text(text_);
    pending_.emplace(id, Pending{RequestKind::kMessage, sender.index, target, now});
    ++sender.inflight;
    ++messages_sent_;
    progress_.sent.fetch_add(1, std::memory_order_relaxed);
    send(sender);
  }

  // --- writing ------------------------------------------------------------------------------

  void send(Session& session) {
    request_.SerializeToString(&payload_);
    wire::appendFrame(scenario_.transport, payload_, maskKey(), session.output);
    queueFlush(session);
  }

  void queueFlush(Session& session) {
    if (session.flush_queued) return;
    session.flush_queued = true;
    to_flush_.push_back(&session);
  }

  // Writes are batched: everything a handler queued for a session goes out in one write.
  void flushAll() {
    for (Session* session : to_flush_) {
      session->flush_queued = false;
      flush(*session);
    }
    to_flush_.clear();
  }

  void flush(Session& session) {
    if (session.writing_active || session.state == Session::State::kClosed) return;
    if (session.tls) {
      // Frames wait for the handshake; its own records go out meanwhile.
      if (session.tls->established() && !session.output.empty()) {
        session.tls->encrypt(session.output);
        session.output.clear();
      }
      if (session.tls->output().empty()) return;
      session.writing.swap(session.tls->output());
      session.tls->output().clear();
    } else {
      if (session.output.empty()) return;
      session.writing.swap(session.output);
      session.output.clear();
    }
    session.writing_active = true;
    asio::async_write(session.socket, asio::buffer(session.writing),
                      [this, &session](const ErrorCode& error, size_t) {
                        session.writing_active = false;
                        session.writing.clear();
                        if (error) {
                          onSocketError(session, "write", error);
                        } else {
                          flush(session);
                        }
                        flushAll();
                      });
  }

  // --- results ------------------------------------------------------------------------------

  void report() {
    if (stopped_) return;
    stopRun();
    stopped_ = true;
    timer_.cancel();
    int64_t no_response = 0;
    for (const auto& [id, pending] : pending_) {
      if (pending.kind == RequestKind::kMessage) ++no_response;
    }
    json::object errors;
    for (const auto& [key, count] : errors_) errors[key] = count;
    json::object error_texts;
    for (const auto& [key, text] : last_error_text_) {
      if (!text.empty()) error_texts[key] = text;
    }
    json::object result{
        {"worker", config_.index},
        {"sessions", sessions_.size()},
        {"logged_in", progress_.logged_in.load()},
        {"login_first_ns", first_login_ns_},
        {"login_last_ns", last_login_ns_},
        {"sent", messages_sent_},
        {"ok", messages_ok_},
        {"failed", messages_failed_},
        {"no_response", no_response},
        {"deferred", deferred_},
        {"pushes_expected", pushes_expected_},
        {"pushes_received", progress_.pushes_received.load()},
        {"other_pushes", other_pushes_},
        {"heartbeats_sent", heartbeats_sent_},
        {"heartbeats_answered", heartbeats_answered_},
        {"groups_ready", groups_ready_},
        {"groups_failed", groups_failed_},
        {"group_members_added", members_added_},
        {"disconnected", progress_.disconnected.load()},
        {"run_ns", run_ns_},
        {"run_cpu_ns", run_cpu_ns_},
        {"login_cpu_ns", login_cpu_ns_},
        {"errors", std::move(errors)},
        {"error_texts", std::move(error_texts)},
        {"e2e", histogramToJson(e2e_)},
        {"ack", histogramToJson(ack_)},
        {"login", histogramToJson(login_latency_)},
        {"failover", json::object{{"dropped", dropped_},
                                  {"relogged_in", relogged_in_},
                                  {"attempts", relogin_attempts_},
                                  {"abandoned", relogins_abandoned_},
                                  {"first_drop_ns", first_drop_ns_},
                                  {"last_relogin_ns", last_relogin_ns_},
                                  {"latency", histogramToJson(relogin_latency_)}}},
    };
    std::string line = json::serialize(result);
    line += '\n';
    size_t written = 0;
    while (written < line.size()) {
      const ssize_t n = ::write(config_.results_fd, line.data() + written, line.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    ::close(config_.results_fd);
    io_.stop();
  }

  // --- helpers ------------------------------------------------------------------------------

  int64_t nextRequestId() { return ++last_request_id_; }

  uint32_t nextRandom() {
    // xorshift32: cheap, and statistical quality is irrelevant for picking peers.
    random_ ^= random_ << 13;
    random_ ^= random_ >> 17;
    random_ ^= random_ << 5;
    return random_;
  }

  uint32_t maskKey() { return nextRandom(); }

  const WorkerConfig& config_;
  const Scenario& scenario_;
  SharedState& shared_;
  WorkerProgress& progress_;
  asio::io_context io_{1};
  asio::steady_timer timer_;
  Tcp::endpoint server_;
  std::shared_ptr<const net::TlsContext> tls_context_;  // null: plaintext
  Tcp::endpoint failover_server_;
  uint32_t random_;
  pid_t parent_;
  double share_ = 1;  // this worker's fraction of the sessions (and so of every rate)
  std::vector<std::unique_ptr<Session>> sessions_;
  std::vector<Session*> senders_;
  std::vector<Session*> to_flush_;
  std::unordered_map<int64_t, Pending> pending_;
  pb::TurmsRequest request_;
  pb::TurmsNotification notification_;
  std::string payload_;
  std::string text_;

  Phase phase_ = Phase::kLogin;
  bool stopped_ = false;
  bool running_ = false;
  int exit_code_ = 0;
  int64_t deadline_ns_ = 0;
  int64_t last_request_id_ = 0;

  size_t next_login_ = 0;
  size_t logins_finished_ = 0;
  int64_t cpu_started_ns_ = 0;
  int64_t login_cpu_ns_ = 0;
  int logins_in_progress_ = 0;
  int64_t login_started_ns_ = 0;
  int64_t first_login_ns_ = 0;
  int64_t last_login_ns_ = 0;
  size_t heartbeat_cursor_ = 0;
  int64_t next_heartbeat_ns_ = 0;
  int64_t heartbeats_sent_ = 0;
  int64_t heartbeats_answered_ = 0;

  std::vector<int> group_pending_chunks_;
  std::vector<int> group_online_;
  std::map<int, int64_t> group_ids_;
  std::vector<bool> group_members_ok_;  // at least one CreateGroupMembersRequest succeeded
  int64_t members_added_ = 0;
  int64_t groups_ready_ = 0;
  int64_t groups_failed_ = 0;

  int64_t run_started_ns_ = 0;
  int64_t run_cpu_started_ns_ = 0;
  int64_t run_ns_ = 0;
  int64_t run_cpu_ns_ = 0;
  int64_t max_messages_ = 0;
  int64_t scheduled_ = 0;
  int64_t messages_sent_ = 0;
  int64_t messages_ok_ = 0;
  int64_t messages_failed_ = 0;
  int64_t deferred_ = 0;
  int64_t pushes_expected_ = 0;
  int64_t other_pushes_ = 0;

  std::deque<QueuedRelogin> relogins_;
  std::deque<QueuedRelogin> relogin_retries_;
  std::vector<std::unique_ptr<Session>> retired_;
  int relogins_in_flight_ = 0;
  int64_t dropped_ = 0;
  int64_t relogged_in_ = 0;
  int64_t relogin_attempts_ = 0;
  int64_t relogins_abandoned_ = 0;
  int64_t first_drop_ns_ = 0;
  int64_t last_relogin_ns_ = 0;
  Histogram relogin_latency_;

  std::map<std::string, int64_t> errors_;
  std::map<std::string, std::string> last_error_text_;
  Histogram e2e_;
  Histogram ack_;
  Histogram login_latency_;
};

}  // namespace

int runWorker(const WorkerConfig& config, SharedState& shared) {
  // Every session is a socket: ask for the hard limit up front.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  auto worker = std::make_unique<Worker>(config, shared);
  return worker->run();
}

}  // namespace parley::bench
