#pragma once
// Private to src/gateway: the state shared by gateway.cpp (connection lifecycle, pushes) and
// login.cpp (CreateSessionRequest).
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/auto_block.h"
#include "core/verification_cache.h"
#include "gateway/client_throttle.h"
#include "gateway/gateway.h"
#include "gateway/notifications.h"
#include "net/io_pool.h"
#include "online/session_registry.h"
#include "service/dispatcher.h"

namespace parley {

// Per-connection state, stored in Connection::handlerState(). Atomics are read by the sweep on
// another thread; everything else is touched only on the connection's io thread.
struct ConnectionState {
  enum class Phase : int { kAnonymous, kLoggingIn, kLoggedIn, kClosing };

  int64_t opened_at = 0;
  std::atomic<int64_t> last_activity{0};
  std::atomic<Phase> phase{Phase::kAnonymous};
  int64_t user_id = 0;
  int32_t device_type = 0;
  int32_t user_status = 0;  // as logged in; the registry holds later changes
  // As the registry recorded it: tells this session apart from a later one of the same device
  // type when its entry is removed.
  int64_t login_date = 0;
  std::string session_id;
  // The password verification that let the session in (PasswordHasher), renewed while the session
  // lives (sweep). Written before phase becomes kLoggedIn and never after, so the sweep may read
  // it once it sees that phase.
  VerificationDigest verification_digest{};
  // The close signal sent, for metrics; UNKNOWN_ERROR (400) when the connection just vanished.
  int32_t close_status = 400;
  // Business requests run one at a time per connection; later ones wait here. A vector, not a
  // deque: an empty std::deque allocates over 500 bytes, and almost every connection is idle.
  bool dispatching = false;
  std::vector<std::shared_ptr<im::turms::proto::TurmsRequest>> queued;
};

struct Gateway::Impl {
  explicit Impl(GatewayDeps d) : deps(std::move(d)), throttle(deps.config.throttle) {}

  GatewayDeps deps;
  ClientThrottle throttle;
  int64_t next_throttle_prune_millis = 0;  // sweep's thread only

  // Automatic blocking: what counts as an offence, each counted apart (upstream's kinds).
  enum class Offence { kCorruptedFrame, kCorruptedRequest, kFrequentRequest };
  static std::string_view offenceName(Offence offence);  // the metric label
  struct AutoBlockers {
    explicit AutoBlockers(const std::vector<AutoBlockLevel>& levels)
        : ip{IpAutoBlocker(levels), IpAutoBlocker(levels), IpAutoBlocker(levels)},
          user{UserAutoBlocker(levels), UserAutoBlocker(levels), UserAutoBlocker(levels)} {}
    IpAutoBlocker ip[3];
    UserAutoBlocker user[3];
  };
  // Null without a blocklist or with blocklist.auto-block.enabled off.
  std::unique_ptr<AutoBlockers> auto_blockers;
  // Counts an offence of the connection's IP (and user, once logged in), blocking them through
  // the blocklist (on the blocking pool) when it is one too many.
  void offend(const net::ConnectionPtr& connection, Offence offence);
  void blockLater(BlockTarget target, std::string id, int64_t block_millis, Offence offence);
  // The close signal of a blocked client: USER_IS_BLOCKED (701).
  void closeBlocked(const net::ConnectionPtr& connection, const std::string& reason);
  // Where pushes go: the Gateway itself, or the cluster router that also reaches other nodes
  // (and looks recipients up in Redis, so it must run on the blocking pool).
  SessionControl* session_control = nullptr;
  bool pushes_block = false;
  Gateway::CloseOnNode close_on_node;  // empty on a single node

  // Every open connection, for the sweep and for shutdown.
  mutable std::mutex connections_mutex;
  std::unordered_map<uint64_t, std::weak_ptr<net::Connection>> connections;

  // Logged-in sessions of this node: user -> device type -> connection. One per device type.
  mutable std::mutex sessions_mutex;
  std::unordered_map<int64_t, std::map<int32_t, std::weak_ptr<net::Connection>>> local_sessions;

  static ConnectionState& state(const net::ConnectionPtr& connection) {
    return *static_cast<ConnectionState*>(connection->handlerState().get());
  }

  void send(const net::ConnectionPtr& connection, net::Payload payload) {
    connection->send(std::move(payload));
  }
  void respond(const net::ConnectionPtr& connection, int64_t request_id, StatusCode code,
               const std::string& reason,
               const im::turms::proto::TurmsNotification::Data* data = nullptr);
  // Sends the close signal and closes; safe from any thread, idempotent.
  void closeWith(const net::ConnectionPtr& connection, int32_t close_status,
                 std::optional<StatusCode> code, const std::string& reason);

  void handleRequest(const net::ConnectionPtr& connection,
                     std::shared_ptr<im::turms::proto::TurmsRequest> request);
  // Runs the request's handler (on this io thread when it never waits, on the blocking pool
  // otherwise); its answer comes back through finishRequest on the connection's io thread.
  void dispatch(const net::ConnectionPtr& connection,
                std::shared_ptr<im::turms::proto::TurmsRequest> request);
  // On the connection's io thread: answers, pushes, counts, and dispatches the next queued
  // request of the connection.
  void finishRequest(const net::ConnectionPtr& connection,
                     const std::shared_ptr<im::turms::proto::TurmsRequest>& request,
                     const RequestContext& context, std::chrono::steady_clock::time_point started,
                     HandlerResult result);
  // On the connection's io thread, once a request is fully handled: the next queued one.
  void dispatchNext(const net::ConnectionPtr& connection);
  void handleLogin(const net::ConnectionPtr& connection,
                   std::shared_ptr<im::turms::proto::TurmsRequest> request);
  // Stores the position a login carried, once its session is registered (off the io thread).
  void storeLoginLocation(const im::turms::proto::CreateSessionRequest& req, int32_t device_type,
                          int64_t login_date);
  // Makes the authenticated, registered session live locally and answers.
  void completeLogin(const net::ConnectionPtr& connection, int64_t request_id, int64_t user_id,
                     int32_t device_type, int32_t user_status, int64_t now,
                     const DeviceRegistration& registration);
  // Removes the session (user, device, login date) of this node from the registry on the
  // blocking pool. A newer session of that device type keeps its entry: its login date differs.
  void unregisterLater(int64_t user_id, int32_t device_type, int64_t login_date);
  // Answers 1101 (and counts it) when the client is over a request limit.
  bool throttled(const net::ConnectionPtr& connection, int64_t request_id);
  // Counts a login attempt both as a login and as a request of its kind.
  void recordLogin(StatusCode code, std::chrono::steady_clock::time_point started);
  // Encodes a handler's push once and writes it to every recipient session.
  void deliver(const RelayPush& push, const im::turms::proto::TurmsRequest& original,
               const RequestContext& context);
  void sweep();
  // When the sweep next hands the live sessions' verification digests to the hasher (keepAlive).
  int64_t next_keep_alive_millis = 0;
  // A store or Redis outage fails every request alike: it is logged once when it starts and once
  // when requests succeed again, not once per request (the metrics count each).
  void noteUnavailable(const std::string& reason);
  void noteAvailable();
  std::atomic<bool> unavailable{false};
};

}  // namespace parley
