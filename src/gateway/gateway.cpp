#include "gateway/gateway.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "gateway/gateway_impl.h"
#include "net/io_pool.h"
#include "online/blocklist.h"
#include "online/session_registry.h"
#include "online/user_locations.h"
#include "service/dispatcher.h"

namespace parley {

namespace pb = im::turms::proto;
using notifications::CloseStatus;

namespace {
// Requests a client may pipeline on one connection before it is told to slow down (1101).
constexpr size_t kMaxQueuedRequestsPerConnection = 256;
// How often the sweep forgets the throttles' idle buckets: often enough to bound their memory
// by the clients of the last few seconds, rarely enough that the walk costs nothing.
constexpr int64_t kThrottlePruneIntervalMillis = 10'000;
}  // namespace

using notifications::toInt;
using parley::toInt;

Gateway::Gateway(GatewayDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {
  impl_->session_control = this;
  const BlocklistConfig* blocklist_config = impl_->deps.blocklist_config;
  if (impl_->deps.blocklist && blocklist_config && blocklist_config->auto_block) {
    impl_->auto_blockers =
        std::make_unique<Impl::AutoBlockers>(blocklist_config->auto_block_levels);
  }
}
Gateway::~Gateway() = default;

void Gateway::useCluster(SessionControl& routing, CloseOnNode close_on_node) {
  impl_->session_control = &routing;
  impl_->pushes_block = true;
  impl_->close_on_node = std::move(close_on_node);
}

void Gateway::start() {
  impl_->deps.pool.every(std::chrono::seconds(1), [impl = impl_.get()] { impl->sweep(); });
}

size_t Gateway::connectionCount() const {
  std::lock_guard lock(impl_->connections_mutex);
  return impl_->connections.size();
}

size_t Gateway::sessionCount() const {
  std::lock_guard lock(impl_->sessions_mutex);
  size_t count = 0;
  for (const auto& [user, devices] : impl_->local_sessions) count += devices.size();
  return count;
}

void Gateway::closeAll() {
  std::vector<net::ConnectionPtr> all;
  {
    std::lock_guard lock(impl_->connections_mutex);
    for (const auto& [id, weak] : impl_->connections) {
      if (auto connection = weak.lock()) all.push_back(std::move(connection));
    }
  }
  for (const auto& connection : all) {
    impl_->closeWith(connection, toInt(CloseStatus::kServerClosed), std::nullopt,
                     "The server is shutting down");
  }
}

void Gateway::disconnectUser(int64_t user_id, int32_t close_status) {
  closeUserSessions(user_id, {}, close_status, StatusCode::kOk, "");
}

void Gateway::onOpen(const net::ConnectionPtr& connection) {
  auto state = std::make_shared<ConnectionState>();
  state->opened_at = impl_->deps.clock.nowMillis();
  state->last_activity = state->opened_at;
  connection->handlerState() = state;
  {
    std::lock_guard lock(impl_->connections_mutex);
    impl_->connections[connection->id()] = connection;
  }
  impl_->deps.metrics.connectionOpened(connection->transport());
  const std::string_view ip = ipOfAddress(connection->remoteAddress());
  if (impl_->deps.blocklist &&
      impl_->deps.blocklist->blockedUntil(BlockTarget::kIp, ip, state->opened_at)) {
    spdlog::debug("connection {} from {}: closing: the address is blocked", connection->id(),
                  connection->remoteAddress());
    impl_->closeBlocked(connection, "This address is blocked");
    return;
  }
  if (!impl_->throttle.allowConnection(ip, state->opened_at)) {
    // Debug only: a flood would write a line per connection; the metric counts them.
    spdlog::debug("connection {} from {}: closing: too many new connections from this address",
                  connection->id(), connection->remoteAddress());
    impl_->deps.metrics.clientThrottled("ip_connections");
    impl_->closeWith(connection, toInt(CloseStatus::kIllegalRequest),
                     StatusCode::kClientRequestsTooFrequent,
                     "Too many new connections from this address: try again later");
  }
}

void Gateway::onFrame(const net::ConnectionPtr& connection, std::string_view payload) {
  auto& state = Impl::state(connection);
  if (state.phase == ConnectionState::Phase::kClosing) return;
  state.last_activity = impl_->deps.clock.nowMillis();
  if (payload.empty()) {
    if (state.phase == ConnectionState::Phase::kLoggedIn) {
      impl_->deps.metrics.heartbeat();
      impl_->send(connection, notifications::heartbeat());
    } else {
      impl_->send(connection, notifications::heartbeatFailure(
                                  impl_->deps.clock.nowMillis(),
                                  StatusCode::kUpdateHeartbeatOfNonexistentSession));
    }
    return;
  }
  auto request = std::make_shared<pb::TurmsRequest>();
  if (!request->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    // Not a TurmsRequest at all: the client is broken or hostile. Say why, then close.
    spdlog::info("connection {} from {}: closing: undecodable request of {} bytes",
                 connection->id(), connection->remoteAddress(), payload.size());
    impl_->deps.metrics.frameRejected("bad_protobuf");
    impl_->offend(connection, Impl::Offence::kCorruptedRequest);
    impl_->closeWith(connection, toInt(CloseStatus::kIllegalRequest), StatusCode::kInvalidRequest,
                     "The request is not a valid TurmsRequest");
    return;
  }
  impl_->handleRequest(connection, std::move(request));
}

void Gateway::onRejected(const net::ConnectionPtr& connection, std::string_view reason) {
  spdlog::info("connection {} ({}) from {}: closing: {}", connection->id(), connection->transport(),
               connection->remoteAddress(), reason);
  impl_->deps.metrics.frameRejected(reason.find("exceeds") != std::string_view::npos ? "too_large"
                                                                                     : "malformed");
  impl_->offend(connection, Impl::Offence::kCorruptedFrame);
}

void Gateway::onNotReading(const net::ConnectionPtr& connection, size_t unsent_bytes) {
  // Nothing is lost but the pushes: the messages are stored, and the client pulls them when it
  // connects again.
  spdlog::warn(
      "connection {} ({}) from {}, user {}: dropped: the client is not reading ({} bytes "
      "of frames waiting)",
      connection->id(), connection->transport(), connection->remoteAddress(),
      Impl::state(connection).user_id, unsent_bytes);
  impl_->deps.metrics.clientNotReading();
}

void Gateway::onClosed(const net::ConnectionPtr& connection) {
  auto& state = Impl::state(connection);
  // user_id is set only once a login completed.
  const bool was_logged_in = state.user_id != 0;
  state.phase = ConnectionState::Phase::kClosing;
  {
    std::lock_guard lock(impl_->connections_mutex);
    impl_->connections.erase(connection->id());
  }
  impl_->deps.metrics.connectionClosed(connection->transport());
  if (!was_logged_in) return;
  bool owned = false;
  {
    std::lock_guard lock(impl_->sessions_mutex);
    auto user = impl_->local_sessions.find(state.user_id);
    if (user != impl_->local_sessions.end()) {
      auto device = user->second.find(state.device_type);
      // A newer login of the same device type may already own the entry: leave it alone.
      if (device != user->second.end() && device->second.lock() == connection) {
        user->second.erase(device);
        owned = true;
      } else if (device != user->second.end() && device->second.expired()) {
        user->second.erase(device);
      }
      if (user->second.empty()) impl_->local_sessions.erase(user);
    }
  }
  impl_->deps.metrics.sessionClosed(state.close_status);
  if (owned) impl_->unregisterLater(state.user_id, state.device_type, state.login_date);
}

void Gateway::Impl::unregisterLater(int64_t user_id, int32_t device_type, int64_t login_date) {
  deps.pool.postBlocking([this, user_id, device_type, login_date] {
    auto removed = deps.sessions.unregisterDevice(user_id, device_type, deps.node_id, login_date);
    if (!removed) {
      // A Redis registry retries the removal at its next refresh.
      spdlog::warn("user {} device {}: could not unregister session: {}", user_id, device_type,
                   removed.status().reason);
    }
    if (deps.locations) {
      // Only if this session wrote the user's position last; Redis retries a failed removal.
      if (auto gone = deps.locations->remove({user_id, device_type, login_date}); !gone) {
        spdlog::debug("user {} device {}: could not remove location: {}", user_id, device_type,
                      gone.status().reason);
      }
    }
  });
}

void Gateway::pushToUsers(std::span<const int64_t> user_ids,
                          std::shared_ptr<const std::string> notification, int64_t except_user_id,
                          int32_t except_device_type) {
  std::vector<net::ConnectionPtr> targets;
  {
    std::lock_guard lock(impl_->sessions_mutex);
    for (int64_t user_id : user_ids) {
      auto user = impl_->local_sessions.find(user_id);
      if (user == impl_->local_sessions.end()) continue;
      for (const auto& [device, weak] : user->second) {
        if (user_id == except_user_id && device == except_device_type) continue;
        if (auto connection = weak.lock()) targets.push_back(std::move(connection));
      }
    }
  }
  for (const auto& connection : targets) connection->send(notification);
}

void Gateway::closeUserSessions(int64_t user_id, std::span<const int32_t> device_types,
                                int32_t close_status, StatusCode code, const std::string& reason) {
  std::vector<net::ConnectionPtr> targets;
  {
    std::lock_guard lock(impl_->sessions_mutex);
    auto user = impl_->local_sessions.find(user_id);
    if (user == impl_->local_sessions.end()) return;
    for (const auto& [device, weak] : user->second) {
      bool selected = device_types.empty() || std::find(device_types.begin(), device_types.end(),
                                                        device) != device_types.end();
      if (!selected) continue;
      if (auto connection = weak.lock()) targets.push_back(std::move(connection));
    }
  }
  std::optional<StatusCode> close_code;
  if (code != StatusCode::kOk) close_code = code;
  for (const auto& connection : targets) {
    impl_->closeWith(connection, close_status, close_code, reason);
  }
}

void Gateway::Impl::respond(const net::ConnectionPtr& connection, int64_t request_id,
                            StatusCode code, const std::string& reason,
                            const pb::TurmsNotification::Data* data) {
  // Upstream hides the reasons of server errors unless configured to return them.
  const std::string& shown =
      isServerError(code) && !deps.config.return_reason_for_server_error ? std::string() : reason;
  connection->send(notifications::response(deps.clock.nowMillis(), request_id, code, shown, data));
}

void Gateway::Impl::closeWith(const net::ConnectionPtr& connection, int32_t close_status,
                              std::optional<StatusCode> code, const std::string& reason) {
  auto payload = notifications::closeSignal(deps.clock.nowMillis(), close_status, code, reason);
  connection->post([connection, payload, close_status] {
    auto& state = Impl::state(connection);
    if (state.phase == ConnectionState::Phase::kClosing) return;
    state.phase = ConnectionState::Phase::kClosing;
    state.close_status = close_status;
    connection->close(payload);
  });
}

void Gateway::Impl::handleRequest(const net::ConnectionPtr& connection,
                                  std::shared_ptr<pb::TurmsRequest> request) {
  auto& state = Impl::state(connection);
  const int64_t request_id = request->has_request_id() ? request->request_id() : 0;
  if (request_id <= 0) {
    // Upstream answers with the invalid id echoed back, so the client can still match it.
    respond(connection, request_id, StatusCode::kInvalidRequest,
            "The request ID must be greater than 0");
    offend(connection, Offence::kCorruptedRequest);
    return;
  }
  if (throttled(connection, request_id)) return;
  switch (request->kind_case()) {
    case pb::TurmsRequest::kCreateSessionRequest:
      handleLogin(connection, std::move(request));
      return;
    case pb::TurmsRequest::kDeleteSessionRequest:
      // Logout: no response, just the close signal (as upstream).
      closeWith(connection, toInt(CloseStatus::kDisconnectedByClient), std::nullopt, "");
      return;
    default:
      break;
  }
  if (state.phase != ConnectionState::Phase::kLoggedIn) {
    respond(connection, request_id, StatusCode::kSendRequestFromNonexistentSession,
            "Log in with a CreateSessionRequest before sending other requests");
    return;
  }
  // One request at a time per connection, in arrival order: a client that sends two messages
  // back to back gets them stored, numbered and pushed in that order.
  if (state.dispatching) {
    if (state.queued.size() >= kMaxQueuedRequestsPerConnection) {
      respond(connection, request_id, StatusCode::kClientRequestsTooFrequent,
              "Too many requests in flight on this connection");
      return;
    }
    state.queued.push_back(std::move(request));
    return;
  }
  dispatch(connection, std::move(request));
}

bool Gateway::Impl::throttled(const net::ConnectionPtr& connection, int64_t request_id) {
  const auto verdict =
      throttle.allowRequest(ipOfAddress(connection->remoteAddress()),
                            Impl::state(connection).user_id, deps.clock.nowMillis());
  if (verdict == ClientThrottle::Verdict::kAllowed) return false;
  const bool by_ip = verdict == ClientThrottle::Verdict::kIpOverLimit;
  deps.metrics.clientThrottled(by_ip ? "ip_requests" : "user_requests");
  offend(connection, Offence::kFrequentRequest);
  // Only this request is refused: the session and the requests already queued carry on.
  respond(connection, request_id, StatusCode::kClientRequestsTooFrequent,
          by_ip ? "Too many requests from this address: try again later"
                : "Too many requests from this user: try again later");
  return true;
}

void Gateway::Impl::dispatch(const net::ConnectionPtr& connection,
                             std::shared_ptr<pb::TurmsRequest> request) {
  auto& state = Impl::state(connection);
  state.dispatching = true;
  RequestContext context{state.user_id, state.device_type, state.login_date, request->request_id(),
                         deps.clock.nowMillis()};
  const auto started = std::chrono::steady_clock::now();
  auto handle = [this, connection, request, context, started] {
    // The answer is sent from the connection's own io thread, whichever thread the handler
    // finished on (this one, a blocking thread, or a store's writer thread).
    Reply reply([this, connection, request, context, started](HandlerResult result) {
      connection->post(
          [this, connection, request, context, started, result = std::move(result)]() mutable {
            finishRequest(connection, request, context, started, std::move(result));
          });
    });
    deps.dispatcher.dispatch(context, *request, std::move(reply));
  };
  if (deps.local_backends && deps.dispatcher.isAsync(request->kind_case())) {
    // Reads from local files (a connection of the store's reader pool, so never behind another
    // thread's query), then a write handed to the store's writer: nothing to wait for, so no
    // hand-off to another thread either (5-13% of the private relay rate, alternating runs).
    handle();
    return;
  }
  deps.pool.postBlocking(std::move(handle));
}

void Gateway::Impl::finishRequest(const net::ConnectionPtr& connection,
                                  const std::shared_ptr<pb::TurmsRequest>& request,
                                  const RequestContext& context,
                                  std::chrono::steady_clock::time_point started,
                                  HandlerResult result) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  deps.metrics.requestHandled(requestKindName(*request), toInt(result.status.code), seconds);
  if (result.status.code == StatusCode::kServerUnavailable) {
    noteUnavailable(result.status.reason);
  } else if (isServerError(result.status.code)) {
    spdlog::error("user {} request {} ({}): {} {}", context.user_id, context.request_id,
                  requestKindName(*request), toInt(result.status.code), result.status.reason);
  } else {
    noteAvailable();
  }
  respond(connection, context.request_id, result.status.code, result.status.reason,
          result.data ? &*result.data : nullptr);
  // Pushes fire only on plain OK, as upstream. The connection's next request waits until they
  // are out, so one sender's messages reach their recipients in order.
  if (result.status.code == StatusCode::kOk && !result.pushes.empty()) {
    if (pushes_block) {
      deps.pool.postBlocking(
          [this, connection, request, context, pushes = std::move(result.pushes)] {
            for (const auto& push : pushes) deliver(push, *request, context);
            connection->post([this, connection] { dispatchNext(connection); });
          });
      return;
    }
    for (const auto& push : result.pushes) deliver(push, *request, context);
  }
  dispatchNext(connection);
}

void Gateway::Impl::dispatchNext(const net::ConnectionPtr& connection) {
  auto& state = Impl::state(connection);
  state.dispatching = false;
  if (state.queued.empty() || state.phase != ConnectionState::Phase::kLoggedIn) {
    state.queued.clear();
    return;
  }
  // At most kMaxQueuedRequestsPerConnection entries: erasing at the front is cheap enough.
  auto next = std::move(state.queued.front());
  state.queued.erase(state.queued.begin());
  dispatch(connection, std::move(next));
}

void Gateway::Impl::deliver(const RelayPush& push, const pb::TurmsRequest& original,
                            const RequestContext& context) {
  auto payload =
      notifications::relay(deps.clock.nowMillis(), push.request ? *push.request : original,
                           context.user_id, push.sequence_id);
  auto& control = *session_control;
  // The requester's own session already has the response; it never gets the push.
  control.pushToUsers(push.user_ids, payload, context.user_id, context.device_type);
  if (push.include_requester_other_sessions) {
    const int64_t requester = context.user_id;
    control.pushToUsers(std::span<const int64_t>(&requester, 1), payload, context.user_id,
                        context.device_type);
  }
}

void Gateway::Impl::noteUnavailable(const std::string& reason) {
  if (!unavailable.exchange(true)) {
    spdlog::warn(
        "requests fail with SERVER_UNAVAILABLE (1201): {}; further failures are only counted "
        "(parley_requests_total, parley_logins_total) until requests succeed again",
        reason);
  }
}

void Gateway::Impl::noteAvailable() {
  if (unavailable.load(std::memory_order_relaxed) && unavailable.exchange(false)) {
    spdlog::info("requests succeed again");
  }
}

void Gateway::Impl::sweep() {
  const int64_t now = deps.clock.nowMillis();
  const int64_t idle_limit = int64_t{deps.config.close_idle_session_after_seconds} * 1000;
  const int64_t login_limit = int64_t{deps.config.login_timeout_seconds} * 1000;
  std::vector<std::pair<net::ConnectionPtr, CloseStatus>> expired;
  // Every so often, the verifications of the live sessions are renewed in the shared cache, so a
  // user whose node dies or restarts logs in again without Argon2 however long ago it logged in.
  const int64_t keep_alive_interval = deps.hasher.keepAliveIntervalMillis();
  const bool keep_alive = keep_alive_interval > 0 && now >= next_keep_alive_millis;
  if (keep_alive) next_keep_alive_millis = now + keep_alive_interval;
  std::vector<VerificationDigest> live_digests;
  {
    std::lock_guard lock(connections_mutex);
    for (const auto& [id, weak] : connections) {
      auto connection = weak.lock();
      if (!connection) continue;
      auto& state = Impl::state(connection);
      auto phase = state.phase.load();
      if (keep_alive && phase == ConnectionState::Phase::kLoggedIn) {
        live_digests.push_back(state.verification_digest);
      }
      if (phase == ConnectionState::Phase::kLoggedIn && now - state.last_activity > idle_limit) {
        expired.emplace_back(connection, CloseStatus::kHeartbeatTimeout);
      } else if ((phase == ConnectionState::Phase::kAnonymous ||
                  phase == ConnectionState::Phase::kLoggingIn) &&
                 now - state.opened_at > login_limit) {
        expired.emplace_back(connection, CloseStatus::kLoginTimeout);
      }
    }
  }
  for (const auto& [connection, status] : expired) {
    spdlog::debug("connection {}: closing with {}", connection->id(), toInt(status));
    closeWith(connection, toInt(status), std::nullopt, "");
  }
  if (!live_digests.empty()) deps.hasher.keepAlive(live_digests);
  if (now >= next_throttle_prune_millis) {
    next_throttle_prune_millis = now + kThrottlePruneIntervalMillis;
    throttle.prune(now);
  }
}

}  // namespace parley
