// CreateSessionRequest: authentication and session registration (upstream: turms-gateway's
// SessionService).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <random>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "gateway/gateway_impl.h"
#include "net/io_pool.h"
#include "online/blocklist.h"
#include "online/session_registry.h"
#include "online/user_locations.h"
#include "store/user_repository.h"

namespace parley {

namespace pb = im::turms::proto;
using notifications::CloseStatus;
using notifications::toInt;
using parley::toInt;

namespace {

constexpr int32_t kSupportedClientVersion = 1;

using SteadyTime = std::chrono::steady_clock::time_point;

std::string newSessionId() {
  // Upstream uses a random positive int32 in decimal; clients only echo it.
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int32_t> dist(1, INT32_MAX);
  return std::to_string(dist(random));
}

}  // namespace

void Gateway::Impl::recordLogin(StatusCode code, std::chrono::steady_clock::time_point started) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  deps.metrics.loginResult(toInt(code));
  deps.metrics.requestHandled("create_session_request", toInt(code), seconds);
}

void Gateway::Impl::handleLogin(const net::ConnectionPtr& connection,
                                std::shared_ptr<pb::TurmsRequest> request) {
  auto& state = Impl::state(connection);
  const int64_t request_id = request->request_id();
  const auto& req = request->create_session_request();
  const SteadyTime started = std::chrono::steady_clock::now();
  auto fail = [&](StatusCode code, const std::string& reason) {
    recordLogin(code, started);
    respond(connection, request_id, code, reason);
  };
  if (state.phase != ConnectionState::Phase::kAnonymous) {
    fail(StatusCode::kCreateExistingSession, "The connection already has a session");
    return;
  }
  if (req.version() != kSupportedClientVersion) {
    fail(StatusCode::kUnsupportedClientVersion, "Supported client versions are: [1]");
    return;
  }
  if (req.user_id() <= 0) {
    fail(StatusCode::kIllegalArgument, "user_id must be greater than 0");
    return;
  }
  if (req.has_location() && (!(std::abs(req.location().longitude()) <= 180) ||
                             !(std::abs(req.location().latitude()) <= 90))) {
    // Upstream's range check; NaN fails it too.
    fail(StatusCode::kIllegalArgument,
         "location: longitude must be within ±180 and latitude within ±90");
    return;
  }
  const int32_t user_status = req.has_user_status() ? req.user_status() : pb::AVAILABLE;
  if (user_status == pb::OFFLINE || !pb::UserStatus_IsValid(user_status)) {
    fail(StatusCode::kIllegalArgument, "user_status must be an online status");
    return;
  }
  if (const int64_t wait = throttle.loginWaitMillis(ipOfAddress(connection->remoteAddress()),
                                                    req.user_id(), deps.clock.nowMillis());
      wait > 0) {
    // Refused before the password is looked at, so a guess costs nothing and reveals nothing.
    deps.metrics.clientThrottled("login_backoff");
    fail(StatusCode::kClientRequestsTooFrequent,
         "Too many failed logins: try again in " + std::to_string((wait + 999) / 1000) + " s");
    return;
  }
  if (deps.blocklist && deps.blocklist->isUserBlocked(req.user_id(), deps.clock.nowMillis())) {
    // Before the password: a blocked user costs no Argon2. The close signal says why.
    spdlog::debug("connection {} from {}: login of blocked user {} refused", connection->id(),
                  connection->remoteAddress(), req.user_id());
    closeBlocked(connection, "The user is blocked");
    return;
  }
  // Values newer than this build map to UNKNOWN, as upstream does.
  const int32_t device_type =
      pb::DeviceType_IsValid(req.device_type()) ? req.device_type() : pb::UNKNOWN;

  state.phase = ConnectionState::Phase::kLoggingIn;
  // Checks the user and password, registers the session and answers on the io thread. With
  // may_hash false it returns false, having done nothing, when the password needs Argon2.
  auto check = [this, connection, request, request_id, device_type, user_status,
                started](bool may_hash) {
    const auto& req = request->create_session_request();
    StatusCode code = StatusCode::kOk;
    std::string reason;
    VerificationDigest digest{};
    auto user = deps.users.findById(req.user_id());
    if (!user) {
      code = StatusCode::kServerUnavailable;
      reason = user.status().reason;
      noteUnavailable("login of user " + std::to_string(req.user_id()) +
                      ": store unavailable: " + reason);
    } else if (!*user || (*user)->deletion_date || !(*user)->is_active) {
      code = StatusCode::kLoggingInUserNotActive;
      reason = "The user does not exist or is not active";
    } else if (const std::string& hash = (*user)->password_hash;
               hash.empty() ||
               !(may_hash ? deps.hasher.verify(req.password(), hash, &digest)
                          : deps.hasher.verifiedRecently(req.password(), hash, &digest))) {
      if (!may_hash && !hash.empty()) return false;
      code = StatusCode::kLoginAuthenticationFailed;
      reason = "The user ID and password do not match";
    }
    // The registry may be Redis: register here, off the io thread, and only once the
    // password is known to be right.
    const int64_t now = deps.clock.nowMillis();
    Result<DeviceRegistration> registration = DeviceRegistration{std::nullopt, now};
    if (code == StatusCode::kOk) {
      registration =
          deps.sessions.registerDevice(req.user_id(), device_type, user_status, deps.node_id, now);
      if (!registration) {
        code = StatusCode::kServerUnavailable;
        reason = registration.status().reason;
        noteUnavailable("login of user " + std::to_string(req.user_id()) +
                        ": session registry unavailable: " + reason);
      } else if (req.has_location()) {
        storeLoginLocation(req, device_type, registration->login_date);
      }
    }
    connection->post([this, connection, request_id, user_id = req.user_id(), device_type,
                      user_status, code, reason, started, now, digest,
                      registration = std::move(registration)] {
      auto& state = Impl::state(connection);
      if (state.phase != ConnectionState::Phase::kLoggingIn) {
        // Closed while logging in: take back the registration made for it.
        if (code == StatusCode::kOk)
          unregisterLater(user_id, device_type, registration->login_date);
        return;
      }
      if (code == StatusCode::kLoginAuthenticationFailed ||
          code == StatusCode::kLoggingInUserNotActive) {
        throttle.loginFailed(ipOfAddress(connection->remoteAddress()), user_id,
                             code == StatusCode::kLoginAuthenticationFailed,
                             deps.clock.nowMillis());
      } else if (code == StatusCode::kOk) {
        throttle.loginSucceeded(user_id);
      }
      if (code != StatusCode::kOk) {
        // The connection stays open: the client may retry until the login timeout.
        state.phase = ConnectionState::Phase::kAnonymous;
        recordLogin(code, started);
        respond(connection, request_id, code, reason);
        return;
      }
      state.verification_digest = digest;
      completeLogin(connection, request_id, user_id, device_type, user_status, now, *registration);
      noteAvailable();
      recordLogin(StatusCode::kOk, started);
    });
    return true;
  };
  // Argon2 takes CPU and, with a Redis registry or a MongoDB store, the lookups and the
  // registration wait: that work leaves the io thread. With local backends nothing waits, so a
  // login whose password was verified recently (a reconnect: the verification cache) is done
  // right here, saving two thread hand-offs (a third of the io threads' time went to switching
  // threads in a login storm); Argon2 runs on the compute threads.
  if (!deps.local_backends) {
    deps.pool.postBlocking([check = std::move(check)] { check(true); });
  } else if (!check(false)) {
    deps.pool.postCompute([check = std::move(check)] { check(true); });
  }
}

void Gateway::Impl::storeLoginLocation(const pb::CreateSessionRequest& req, int32_t device_type,
                                       int64_t login_date) {
  if (!deps.locations) return;
  // As upstream, a position that cannot be stored does not fail the login: it is logged.
  const LocationSession session{req.user_id(), device_type, login_date};
  const auto stored =
      deps.locations->upsert(session, {req.location().longitude(), req.location().latitude()});
  if (!stored) {
    spdlog::debug("user {} device {}: login location not stored: {}", req.user_id(), device_type,
                  stored.status().reason);
  }
}

void Gateway::Impl::completeLogin(const net::ConnectionPtr& connection, int64_t request_id,
                                  int64_t user_id, int32_t device_type, int32_t user_status,
                                  int64_t now, const DeviceRegistration& registration) {
  auto& state = Impl::state(connection);
  std::shared_ptr<net::Connection> kicked;
  {
    std::lock_guard lock(sessions_mutex);
    auto& slot = local_sessions[user_id][device_type];
    kicked = slot.lock();
    slot = connection;
  }
  state.user_id = user_id;
  state.device_type = device_type;
  state.user_status = user_status;
  state.login_date = registration.login_date;
  state.session_id = newSessionId();
  state.phase = ConnectionState::Phase::kLoggedIn;
  state.last_activity = now;
  if (kicked && kicked != connection) {
    // One session per (user, device type): the new login wins and the old device is told why.
    // Upstream sends 500 here; 501 DISCONNECTED_BY_OTHER_DEVICE with 2102 says what happened.
    closeWith(kicked, toInt(CloseStatus::kDisconnectedByOtherDevice),
              StatusCode::kSessionSimultaneousConflictsOffline,
              "Another device of the same type logged in");
  }
  const auto& previous = registration.previous;
  if (previous && previous->node_id != deps.node_id && close_on_node) {
    // The same device type was online on another node: that node closes it (over RPC, which
    // blocks, hence the blocking pool).
    deps.pool.postBlocking([close = close_on_node, node = previous->node_id, user_id, device_type] {
      close(node, user_id, device_type);
    });
  }
  deps.metrics.sessionOpened();
  spdlog::debug("user {} logged in on device {} from {} (connection {})", user_id, device_type,
                connection->remoteAddress(), connection->id());
  respond(connection, request_id, StatusCode::kOk, "");
  if (deps.config.notify_session_info_after_login) {
    connection->send(notifications::sessionInfo(now, state.session_id, deps.node_id));
  }
}

}  // namespace parley
