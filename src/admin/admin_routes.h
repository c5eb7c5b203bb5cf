#pragma once
// The admin HTTP API as plain functions from a decoded request to a response, so every route is
// unit-tested without a socket. AdminServer (admin_server.h) only moves bytes to and from here.
//
// Responses follow Turms' admin API: {"code":1000,"data":...} on success and
// {"code":<Turms status code>,"reason":"..."} on failure, with a matching HTTP status.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/login_backoff.h"
#include "core/result.h"
#include "store/admin_account_repository.h"

namespace parley {

namespace admin {
struct AdminCredentials;
}  // namespace admin

class Blocklist;
class Clock;
class Metrics;
class PasswordHasher;
class SessionRegistry;
class Store;
class UserRepository;

// Everything the admin API reads or changes. All references must outlive the AdminRoutes (and the
// AdminServer) built from it.
// A live node of the cluster, as GET /cluster shows it.
struct AdminNode {
  std::string id;
  std::string rpc_address;  // host:port other nodes dial
  int64_t started_at_millis = 0;
  int64_t heartbeat_millis = 0;
};

// A Redis server of the online state, as GET /cluster shows it.
struct AdminRedisServer {
  std::string purpose;  // "sessions", "sequence ids" or "locations"
  std::string server;   // host:port/db
  bool reachable = false;
  std::string persistence;  // "aof", "rdb", "none" or "unknown"
};

struct AdminDeps {
  UserRepository& users;
  SessionRegistry& sessions;
  const PasswordHasher& hasher;
  Metrics& metrics;
  const Clock& clock;
  // Empty refuses every authenticated route: an admin API must never be open by accident.
  std::string admin_password;
  std::string node_id;
  std::function<bool()> is_healthy;
  // Closes every session of the user on this node (and, through the registry, on others); called
  // after the user is deactivated or deleted.
  std::function<void(int64_t user_id)> disconnect_user;
  // The business data of the relationship, friend-request and group routes (the same store as
  // `users`); without it they answer 503.
  Store* store = nullptr;
  // Friend-request expiry and length limits, the ones the client handlers apply.
  FriendRequestConfig friend_requests;
  // Called after the group types changed, so that this node's rules see the change at once
  // (service/group/group_types.h); other nodes see it within their refresh time.
  std::function<void()> group_types_changed;
  // The group rules' limits (invitations, join requests, questions) the client handlers apply.
  GroupConfig groups;
  // The client blocklists (/blocked-clients); null when blocklist.enabled is off (1400, 1401).
  Blocklist* blocklist = nullptr;
  // The built web console served under /console/ (admin/console_files.h); empty = not served.
  std::string console_dir;
  // Closes the user's sessions on the given device types (all when empty) with
  // DISCONNECTED_BY_ADMIN, here and on other nodes: the console's and Turms' "kick".
  std::function<void(int64_t user_id, std::span<const int32_t> device_types)> kick_sessions;
  // The effective configuration (configValues() of core/config.h), shown by GET /config with
  // secrets masked; GET /cluster reads the store and Redis deployments from it.
  std::vector<std::pair<std::string, std::string>> config_values;
  // The live nodes, this one included, from the membership; unset on a single node, which
  // GET /cluster then shows alone.
  std::function<std::vector<AdminNode>()> live_nodes;
  // Pings every Redis server of the online state and reads its persistence (blocking); unset
  // without Redis.
  std::function<std::vector<AdminRedisServer>()> redis_servers;
  // The figures the other live nodes last published (nodeFiguresJson texts of
  // admin/metrics_stream.h), for the console's cluster view; returns at once. Unset on a single
  // node.
  std::function<std::vector<std::string>()> other_nodes_figures;
};

struct AdminRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/users", without the query; percent-decoded
  // Percent-decoded query parameters. A repeated name is joined with ',' so that ?ids=1&ids=2 and
  // ?ids=1,2 mean the same, as in Turms.
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_ip;  // the client's address, for the failed-login throttle and the audit
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones, e.g. WWW-Authenticate
  // An authorized GET /metrics/stream: AdminServer keeps sending AdminRoutes::metricsEvent() once
  // a second on the connection, after this first event.
  bool opens_metrics_stream = false;
};

// The sender of an authenticated admin request.
struct AdminIdentity {
  std::string login_name;
  AdminRole role = AdminRole::kReadOnly;
};

// Splits a request target ("/users?ids=1,2") into request.path and request.query. False when the
// target is not origin-form or has a bad percent escape.
bool parseRequestTarget(std::string_view target, AdminRequest& request);

class AdminRoutes {
 public:
  explicit AdminRoutes(AdminDeps deps);

  // Never throws for anything a client sends; storage failures become 500/503 responses. Calls
  // the repositories synchronously (see AdminServer for where that runs).
  AdminResponse handle(const AdminRequest& request);

  // One event of the stream (admin/metrics_stream.h), read now.
  std::string metricsEvent();

  const AdminDeps& deps() const { return deps_; }
  // Id for a created record (user, friend request) that gave none; see the definition for the
  // layout.
  int64_t nextId();

  // The account that sent the request: the bootstrap owner "admin" with admin.password, or a
  // stored account (/admins). Otherwise the refusal: 401 for missing or wrong credentials, 429
  // with ADMIN_REQUESTS_TOO_FREQUENT (1304) while the address waits after failed logins, 503 when
  // the account cannot be read.
  std::variant<AdminIdentity, AdminResponse> authenticate(const AdminRequest& request);

 private:
  // nullopt for wrong credentials; an error when the store cannot be read.
  Result<std::optional<AdminIdentity>> checkCredentials(
      const admin::AdminCredentials& credentials) const;

  AdminDeps deps_;
  // Wrong credentials per address: after 5, each further one doubles the wait (1 s up to 5 min)
  // during which even right ones are refused, so the password cannot be guessed at speed.
  IpLoginBackoff failed_logins_{LoginBackoffConfig{5, 1000, 5 * 60 * 1000}};
  const uint64_t node_bits_;
  std::atomic<uint64_t> id_sequence_{0};
  // A hash that no password matches, made on the first unknown login name (see checkCredentials).
  mutable std::once_flag unknown_account_hash_once_;
  mutable std::string unknown_account_hash_;
};

}  // namespace parley
