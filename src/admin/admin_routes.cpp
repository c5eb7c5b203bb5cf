#include "admin/admin_routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <variant>

#include "admin/admin_credentials.h"
#include "admin/admin_permissions.h"
#include "admin/admin_route_util.h"
#include "admin/console_files.h"
#include "admin/metrics_stream.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "core/result.h"
#include "core/status_code.h"
#include "online/session_registry.h"
#include "store/store.h"
#include "store/user_repository.h"

namespace parley {
namespace {

using namespace admin;

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4";

// Enum names as Turms' admin API (Jackson) prints them, indexed by the proto value.
constexpr std::array<std::string_view, 3> kProfileAccessStrategies = {
    "ALL", "ALL_EXCEPT_BLOCKED_USERS", "FRIENDS"};
constexpr std::array<std::string_view, 7> kUserStatuses = {
    "AVAILABLE", "OFFLINE", "INVISIBLE", "BUSY", "DO_NOT_DISTURB", "AWAY", "BE_RIGHT_BACK"};
constexpr std::array<std::string_view, 6> kDeviceTypes = {"DESKTOP", "BROWSER", "IOS",
                                                          "ANDROID", "OTHERS",  "UNKNOWN"};

// ---- request parsing ----

struct Page {
  int64_t after = 0;
  int size = kDefaultPageSize;
};

Result<Page> parsePage(const AdminRequest& request) {
  auto after = parseIntParam(request, "after", 0, std::numeric_limits<int64_t>::min(),
                             std::numeric_limits<int64_t>::max());
  if (!after) {
    return after.status();
  }
  auto size = parseIntParam(request, "size", kDefaultPageSize, 1, kMaxPageSize);
  if (!size) {
    return size.status();
  }
  return Page{*after, static_cast<int>(*size)};
}

// User fields of POST and PUT bodies (Turms' AddUserDTO / UpdateUserDTO). JSON null means "not
// given", as with Turms' nullable DTO fields.
struct UserFields {
  std::optional<int64_t> id;
  std::optional<std::string> password;
  std::optional<std::string> name;
  std::optional<std::string> intro;
  std::optional<std::string> profile_picture;
  std::optional<int32_t> profile_access_strategy;
  std::optional<int64_t> role_id;
  std::optional<int64_t> registration_date;
  std::optional<bool> is_active;

  bool anyUpdate() const {
    return password || name || intro || profile_picture || profile_access_strategy || role_id ||
           is_active;
  }
};

enum class UserBody { kCreate, kUpdate };

Result<UserFields> parseUserFields(std::string_view body, UserBody kind) {
  Result<json::object> parsed = parseJsonObject(body);
  if (!parsed) return parsed.status();
  UserFields fields;
  for (const auto& member : *parsed) {
    const std::string_view key = member.key();
    const json::value& value = member.value();
    if (value.is_null()) {
      continue;
    }
    auto string_field = [&](std::optional<std::string>& out) -> VoidResult {
      if (!value.is_string()) {
        return badArgument(key, "must be a string");
      }
      out = std::string(value.get_string());
      return {};
    };
    auto int64_field = [&](std::optional<int64_t>& out) -> VoidResult {
      out = jsonInt64(value);
      if (!out) {
        return badArgument(key, "must be a 64-bit integer");
      }
      return {};
    };
    VoidResult result;
    if (key == "id" && kind == UserBody::kCreate) {
      result = int64_field(fields.id);
      if (result && *fields.id <= 0) {
        result = badArgument(key, "must be positive");
      }
    } else if (key == "password") {
      result = string_field(fields.password);
      if (result && fields.password->empty()) {
        result = badArgument(key, "must not be empty (leave it out for no password login)");
      }
    } else if (key == "name") {
      result = string_field(fields.name);
    } else if (key == "intro") {
      result = string_field(fields.intro);
    } else if (key == "profilePicture") {
      result = string_field(fields.profile_picture);
    } else if (key == "profileAccessStrategy") {
      fields.profile_access_strategy = enumValue(kProfileAccessStrategies, value);
      if (!fields.profile_access_strategy) {
        result = badArgument(key, "must be ALL, ALL_EXCEPT_BLOCKED_USERS, FRIENDS or 0..2");
      }
    } else if (key == "roleId" || key == "permissionGroupId") {
      // Older Turms admin clients say roleId, current ones permissionGroupId.
      const std::optional<int64_t> previous = fields.role_id;
      result = int64_field(fields.role_id);
      if (result && previous && *previous != *fields.role_id) {
        result = badArgument(key, "contradicts roleId/permissionGroupId");
      }
    } else if (key == "registrationDate" && kind == UserBody::kCreate) {
      result = int64_field(fields.registration_date);
    } else if (key == "isActive") {
      if (!value.is_bool()) {
        result = badArgument(key, "must be a boolean");
      } else {
        fields.is_active = value.get_bool();
      }
    } else {
      result = badArgument(key, "unknown field");
    }
    if (!result) {
      return result.status();
    }
  }
  return fields;
}

// ---- JSON views of records ----

json::object userJson(const UserRecord& user) {
  json::object object;
  object["id"] = user.id;
  object["name"] = user.name;
  object["intro"] = user.intro;
  object["profilePicture"] = user.profile_picture;
  object["profileAccessStrategy"] =
      enumName(kProfileAccessStrategies, user.profile_access_strategy);
  // Both names, for the same reason parseUserFields accepts both.
  object["roleId"] = user.permission_group_id;
  object["permissionGroupId"] = user.permission_group_id;
  object["registrationDate"] = user.registration_date;
  object["lastUpdatedDate"] = user.last_updated_date;
  if (user.deletion_date) {
    object["deletionDate"] = *user.deletion_date;
  } else {
    object["deletionDate"] = nullptr;
  }
  object["isActive"] = user.is_active;
  return object;
}

json::object onlineInfoJson(const UserOnlineInfo& info) {
  json::array device_types;
  json::array nodes;
  json::object sessions;
  std::set<std::string> seen_nodes;
  for (const DeviceSession& device : info.devices) {
    const std::string device_name = enumName(kDeviceTypes, device.device_type);
    device_types.emplace_back(device_name);
    if (seen_nodes.insert(device.node_id).second) {
      nodes.emplace_back(device.node_id);
    }
    sessions[device_name] =
        json::object{{"nodeId", device.node_id}, {"loginDate", device.login_date}};
  }
  json::object object;
  object["userId"] = info.user_id;
  // Judged by the devices, not the stored status: a user without devices is offline whatever
  // status was last set.
  object["userStatus"] =
      info.devices.empty() ? std::string("OFFLINE") : enumName(kUserStatuses, info.status);
  object["deviceTypes"] = std::move(device_types);
  object["nodes"] = std::move(nodes);
  object["deviceTypeToSessionInfo"] = std::move(sessions);
  return object;
}

json::array usersJson(const std::vector<UserRecord>& users) {
  json::array array;
  array.reserve(users.size());
  for (const UserRecord& user : users) {
    array.emplace_back(userJson(user));
  }
  return array;
}

json::array onlineInfosJson(const std::vector<UserOnlineInfo>& infos) {
  json::array array;
  array.reserve(infos.size());
  for (const UserOnlineInfo& info : infos) {
    array.emplace_back(onlineInfoJson(info));
  }
  return array;
}

// ---- authentication ----

AdminResponse unauthorized() {
  AdminResponse response =
      fail(401, StatusCode::kUnauthorizedRequest,
           "send Authorization: Basic base64(admin:<password>) or Bearer <password>");
  response.headers.emplace_back("WWW-Authenticate",
                                R"(Basic realm="parley-admin", charset="UTF-8")");
  return response;
}

// ---- handlers ----

AdminResponse health(AdminRoutes& routes, const AdminRequest&) {
  const AdminDeps& deps = routes.deps();
  const bool healthy = !deps.is_healthy || deps.is_healthy();
  return jsonResponse(healthy ? 200 : 503,
                      json::object{{"status", healthy ? "UP" : "DOWN"}, {"node", deps.node_id}});
}

AdminResponse metrics(AdminRoutes& routes, const AdminRequest&) {
  AdminResponse response;
  response.content_type = std::string(kMetricsContentType);
  response.body = routes.deps().metrics.serialize();
  return response;
}

// The stream's first event alone, for a client that calls handle() (AdminServer streams).
AdminResponse metricsStreamOnce(AdminRoutes& routes, const AdminRequest&) {
  AdminResponse response;
  response.content_type = "text/event-stream";
  response.body = routes.metricsEvent();
  response.headers.emplace_back("Cache-Control", "no-store");
  response.opens_metrics_stream = true;
  return response;
}

AdminResponse createUser(AdminRoutes& routes, const AdminRequest& request) {
  const AdminDeps& deps = routes.deps();
  auto fields = parseUserFields(request.body, UserBody::kCreate);
  if (!fields) {
    return fail(fields.status());
  }
  const int64_t now = deps.clock.nowMillis();
  UserRecord user;
  if (fields->password) {
    user.password_hash = deps.hasher.hash(*fields->password);
  }
  user.name = fields->name.value_or("");
  user.intro = fields->intro.value_or("");
  user.profile_picture = fields->profile_picture.value_or("");
  user.profile_access_strategy = fields->profile_access_strategy.value_or(0);
  user.permission_group_id = fields->role_id.value_or(0);
  user.registration_date = fields->registration_date.value_or(now);
  user.last_updated_date = now;
  user.is_active = fields->is_active.value_or(true);

  if (fields->id) {
    user.id = *fields->id;
    VoidResult inserted = deps.users.insert(user);
    if (!inserted) {
      if (inserted.status().code == StatusCode::kRecordContainsDuplicateKey) {
        return fail(409, StatusCode::kRecordContainsDuplicateKey,
                    "id: user " + std::to_string(user.id) + " already exists");
      }
      return fail(inserted.status());
    }
  } else {
    // A generated id can only collide with an id another node generated in the same millisecond
    // with the same node hash, or with one an admin chose; a few retries settle both.
    constexpr int kAttempts = 3;
    VoidResult inserted = error(StatusCode::kRecordContainsDuplicateKey);
    for (int attempt = 0; attempt < kAttempts && !inserted.ok() &&
                          inserted.status().code == StatusCode::kRecordContainsDuplicateKey;
         ++attempt) {
      user.id = routes.nextId();
      inserted = deps.users.insert(user);
    }
    if (!inserted) {
      return fail(inserted.status());
    }
  }
  spdlog::info("admin: created user {}", user.id);
  return ok(userJson(user));
}

AdminResponse getUsers(AdminRoutes& routes, const AdminRequest& request) {
  UserRepository& users = routes.deps().users;
  if (const auto name = queryParam(request, "name")) {
    // A name prefix (as clients search), ordered by name: the console's lookup by name.
    if (name->empty()) {
      return fail(badArgument("name", "must not be empty"));
    }
    auto size = parseIntParam(request, "size", kDefaultPageSize, 1, kMaxPageSize);
    if (!size) {
      return fail(size.status());
    }
    auto found = users.searchByName(std::string(*name), {}, 0, static_cast<int>(*size));
    return found ? ok(usersJson(*found)) : fail(found.status());
  }
  if (request.query.contains("ids")) {
    auto ids = parseIds(request);
    if (!ids) {
      return fail(ids.status());
    }
    auto found = users.findByIds(*ids);
    return found ? ok(usersJson(*found)) : fail(found.status());
  }
  auto page = parsePage(request);
  if (!page) {
    return fail(page.status());
  }
  auto listed = users.list(page->after, page->size);
  return listed ? ok(usersJson(*listed)) : fail(listed.status());
}

AdminResponse countUsers(AdminRoutes& routes, const AdminRequest&) {
  auto count = routes.deps().users.countActive();
  if (!count) {
    return fail(count.status());
  }
  // Named as Turms' UserStatisticsDTO.
  return ok(json::object{{"registeredUsers", *count}});
}

AdminResponse updateUsers(AdminRoutes& routes, const AdminRequest& request) {
  const AdminDeps& deps = routes.deps();
  auto ids = parseIds(request);
  if (!ids) {
    return fail(ids.status());
  }
  auto fields = parseUserFields(request.body, UserBody::kUpdate);
  if (!fields) {
    return fail(fields.status());
  }
  if (!fields->anyUpdate()) {
    return fail(badArgument("body", "no field to update"));
  }
  UserUpdate update;
  if (fields->password) {
    // One hash for all ids: they get the same password anyway, and hashing is the slow part.
    update.password_hash = deps.hasher.hash(*fields->password);
  }
  update.name = fields->name;
  update.intro = fields->intro;
  update.profile_picture = fields->profile_picture;
  update.profile_access_strategy = fields->profile_access_strategy;
  update.permission_group_id = fields->role_id;
  update.is_active = fields->is_active;
  update.last_updated_date = deps.clock.nowMillis();

  int64_t updated_count = 0;
  for (const int64_t id : *ids) {
    auto updated = deps.users.update(id, update);
    if (!updated) {
      spdlog::warn("admin: updating user {} failed after {} updates: {}", id, updated_count,
                   updated.status().reason);
      return fail(updated.status());
    }
    if (!*updated) {
      continue;
    }
    ++updated_count;
    if (update.is_active == false && deps.disconnect_user) {
      deps.disconnect_user(id);
    }
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

AdminResponse deleteUsers(AdminRoutes& routes, const AdminRequest& request) {
  const AdminDeps& deps = routes.deps();
  auto ids = parseIds(request);
  if (!ids) {
    return fail(ids.status());
  }
  // Turms' deleteLogically=false erases the document; Parley keeps users for their messages.
  const auto logically = queryParam(request, "deleteLogically");
  if (logically && *logically != "true") {
    return fail(badArgument("deleteLogically", "only logical deletion (true) is supported"));
  }
  const int64_t now = deps.clock.nowMillis();
  int64_t deleted_count = 0;
  for (const int64_t id : *ids) {
    auto deleted = deps.users.softDelete(id, now);
    if (!deleted) {
      spdlog::warn("admin: deleting user {} failed after {} deletions: {}", id, deleted_count,
                   deleted.status().reason);
      return fail(deleted.status());
    }
    if (!*deleted) {
      continue;
    }
    ++deleted_count;
    if (deps.disconnect_user) {
      deps.disconnect_user(id);
    }
  }
  return deletedAnswer(deleted_count, "users");
}

AdminResponse onlineStatuses(AdminRoutes& routes, const AdminRequest& request) {
  auto ids = parseIds(request);
  if (!ids) {
    return fail(ids.status());
  }
  auto infos = routes.deps().sessions.query(*ids);
  return infos ? ok(onlineInfosJson(*infos)) : fail(infos.status());
}

// Turms' PUT /users/online-infos/statuses: OFFLINE closes the sessions (of the deviceTypes given,
// else all). Other statuses are not settable here: a status belongs to the user's client.
AdminResponse updateOnlineStatuses(AdminRoutes& routes, const AdminRequest& request) {
  const AdminDeps& deps = routes.deps();
  auto ids = parseIds(request);
  if (!ids) {
    return fail(ids.status());
  }
  std::vector<int32_t> device_types;
  for (const std::string& name : parseStrings(request, "deviceTypes")) {
    const std::optional<int32_t> type = enumValue(kDeviceTypes, json::value(name));
    if (!type) {
      return fail(badArgument("deviceTypes", "must be DESKTOP, BROWSER, IOS, ANDROID, OTHERS"));
    }
    device_types.push_back(*type);
  }
  auto body = JsonBody::parse(request.body);
  if (!body) {
    return fail(body.status());
  }
  const std::optional<int32_t> status = body->enumeration("onlineStatus", kUserStatuses);
  if (VoidResult valid = body->status(); !valid) {
    return fail(valid.status());
  }
  if (!status || enumName(kUserStatuses, *status) != "OFFLINE") {
    return fail(badArgument("onlineStatus", "only OFFLINE (closing the sessions) is supported"));
  }
  if (!deps.kick_sessions) {
    return fail(503, StatusCode::kServerUnavailable, "this node cannot close sessions");
  }
  for (const int64_t id : *ids) {
    deps.kick_sessions(id, device_types);
  }
  spdlog::info("admin: closed the sessions of {} user(s), first {}", ids->size(), ids->front());
  return ok(nullptr);
}

AdminResponse countOnlineUsers(AdminRoutes& routes, const AdminRequest&) {
  auto count = routes.deps().sessions.countOnlineUsers();
  // Named as Turms' OnlineUserCountDTO.
  return count ? ok(json::object{{"total", *count}}) : fail(count.status());
}

AdminResponse listSessions(AdminRoutes& routes, const AdminRequest& request) {
  auto page = parsePage(request);
  if (!page) {
    return fail(page.status());
  }
  auto infos = routes.deps().sessions.listOnline(page->after, page->size);
  return infos ? ok(onlineInfosJson(*infos)) : fail(infos.status());
}

// Paths follow Turms' admin API where it has one (the online-infos ones are its spelling).
constexpr Route kRoutes[] = {
    {"GET", "/health", false, health},
    {"GET", "/metrics", false, metrics},
    // Unlike /metrics, authenticated: it is meant for the console, not for scrapers.
    {"GET", kMetricsStreamPath, true, metricsStreamOnce},
    {"POST", "/users", true, createUser},
    {"GET", "/users", true, getUsers},
    {"PUT", "/users", true, updateUsers},
    {"DELETE", "/users", true, deleteUsers},
    {"GET", "/users/count", true, countUsers},
    {"GET", "/users/online-statuses", true, onlineStatuses},
    {"GET", "/users/online-infos/statuses", true, onlineStatuses},
    {"PUT", "/users/online-infos/statuses", true, updateOnlineStatuses},
    {"GET", "/users/online-infos/count", true, countOnlineUsers},
    {"GET", "/sessions", true, listSessions},
};

// Every domain's table; a route's table is the only place that names it.
std::span<const std::span<const Route>> routeTables() {
  static const std::span<const Route> tables[] = {std::span<const Route>(kRoutes),
                                                  relationshipRoutes(),
                                                  relationshipGroupRoutes(),
                                                  friendRequestRoutes(),
                                                  groupTypeRoutes(),
                                                  groupRoutes(),
                                                  groupMemberRoutes(),
                                                  groupBlocklistRoutes(),
                                                  groupInvitationRoutes(),
                                                  groupJoinRequestRoutes(),
                                                  groupQuestionRoutes(),
                                                  clientBlocklistRoutes(),
                                                  clusterRoutes(),
                                                  adminAccountRoutes()};
  return tables;
}

bool isPublicPath(std::string_view path) {
  for (const std::span<const Route> table : routeTables()) {
    for (const Route& route : table) {
      if (route.path == path) {
        return !route.needs_auth;
      }
    }
  }
  return false;
}

// The console's files are public: they hold no secret, and the login page must load before the
// password is known.
std::optional<AdminResponse> consoleAnswer(const AdminRoutes& routes, const AdminRequest& request) {
  if (request.path != "/console" && !request.path.starts_with("/console/")) {
    return std::nullopt;
  }
  if (request.method != "GET") {
    AdminResponse response = fail(405, StatusCode::kInvalidRequest,
                                  "method " + request.method + " not allowed; use GET");
    response.headers.emplace_back("Allow", "GET");
    return response;
  }
  if (request.path == "/console") {
    // Relative links in index.html resolve against the directory only with the slash.
    AdminResponse response;
    response.status = 301;
    response.content_type = "text/plain";
    response.body = "moved to /console/\n";
    response.headers.emplace_back("Location", "/console/");
    return response;
  }
  return serveConsoleFile(routes.deps().console_dir, request.path);
}

// `who` receives the sender of an authenticated request, for the audit trail.
AdminResponse dispatch(AdminRoutes& routes, const AdminRequest& request,
                       std::optional<AdminIdentity>& who) {
  if (auto console = consoleAnswer(routes, request)) {
    return std::move(*console);
  }
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  // Unknown paths need credentials too, so that probing cannot map the API.
  if (!isPublicPath(path)) {
    auto sender = routes.authenticate(request);
    if (auto* refused = std::get_if<AdminResponse>(&sender)) return std::move(*refused);
    who = std::get<AdminIdentity>(std::move(sender));
    if (!roleAllows(who->role, request.method, path)) {
      return fail(403, StatusCode::kUnauthorized,
                  "account " + who->login_name + " (" + std::string(adminRoleName(who->role)) +
                      ") may not " + request.method + " " + std::string(path));
    }
  }
  std::string allowed;
  for (const std::span<const Route> table : routeTables()) {
    for (const Route& route : table) {
      if (route.path != path) {
        continue;
      }
      if (route.method == request.method) {
        return route.handler(routes, request);
      }
      allowed += allowed.empty() ? "" : ", ";
      allowed += route.method;
    }
  }
  if (allowed.empty()) {
    return fail(404, StatusCode::kInvalidRequest, "no such path: " + std::string(path));
  }
  AdminResponse response = fail(405, StatusCode::kInvalidRequest,
                                "method " + request.method + " not allowed; use " + allowed);
  response.headers.emplace_back("Allow", allowed);
  return response;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = hexDigit(text[i + 1]);
      const int low = hexDigit(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

bool parseRequestTarget(std::string_view target, AdminRequest& request) {
  if (target.empty() || target.front() != '/') {
    return false;
  }
  const size_t question = target.find('?');
  auto path = percentDecode(target.substr(0, question), false);
  if (!path) {
    return false;
  }
  request.path = std::move(*path);
  request.query.clear();
  if (question == std::string_view::npos) {
    return true;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const size_t equals = pair.find('=');
    auto name = percentDecode(pair.substr(0, equals), true);
    auto value = percentDecode(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!name || !value) {
      return false;
    }
    auto [it, inserted] = request.query.try_emplace(std::move(*name), *value);
    if (!inserted) {
      it->second += ',';
      it->second += *value;
    }
  }
  return true;
}

AdminRoutes::AdminRoutes(AdminDeps deps)
    : deps_(std::move(deps)), node_bits_(std::hash<std::string>{}(deps_.node_id) & 0xFF) {}

// Snowflake-like layout: 41 bits of milliseconds since 2024-01-01 UTC, 8 bits from a hash of the
// node id, 14 bits of a per-process sequence. Ids grow with time (like Turms' Snowflake ids) and
// stay unique on one node for up to 16384 creations per millisecond.
int64_t AdminRoutes::nextId() {
  constexpr int64_t kEpochMillis = 1704067200000;
  const uint64_t millis =
      static_cast<uint64_t>(std::max<int64_t>(0, deps_.clock.nowMillis() - kEpochMillis));
  const uint64_t sequence = id_sequence_.fetch_add(1, std::memory_order_relaxed) & 0x3FFF;
  const uint64_t id = ((millis & ((uint64_t{1} << 41) - 1)) << 22) | (node_bits_ << 14) | sequence;
  // Never 0, which Turms treats as "no user".
  return id == 0 ? 1 : static_cast<int64_t>(id);
}

Result<std::optional<AdminIdentity>> AdminRoutes::checkCredentials(
    const AdminCredentials& credentials) const {
  if (credentials.login_name == kBootstrapLoginName) {
    // An empty admin.password never matches: the API must not be open by accident.
    if (deps_.admin_password.empty() ||
        !constantTimeEquals(credentials.password, deps_.admin_password)) {
      return std::optional<AdminIdentity>();
    }
    return std::optional<AdminIdentity>(
        AdminIdentity{std::string(kBootstrapLoginName), AdminRole::kOwner});
  }
  if (deps_.store == nullptr) return std::optional<AdminIdentity>();
  auto account = deps_.store->adminAccounts().findByLoginName(credentials.login_name);
  if (!account) return account.status();
  if (!*account) {
    // As long as a wrong password of a real account, so that timing does not tell which login
    // names exist.
    std::call_once(unknown_account_hash_once_,
                   [&] { unknown_account_hash_ = deps_.hasher.hash("no such account"); });
    (void)deps_.hasher.verify(credentials.password, unknown_account_hash_);
    return std::optional<AdminIdentity>();
  }
  if (!deps_.hasher.verify(credentials.password, (*account)->password_hash)) {
    return std::optional<AdminIdentity>();
  }
  return std::optional<AdminIdentity>(AdminIdentity{(*account)->login_name, (*account)->role});
}

std::variant<AdminIdentity, AdminResponse> AdminRoutes::authenticate(const AdminRequest& request) {
  // A request without credentials (a browser's first try, a probe) is not a failed login.
  if (!request.headers.contains("authorization")) return unauthorized();
  const int64_t now = deps_.clock.nowMillis();
  if (const int64_t wait = failed_logins_.waitMillis(request.remote_ip, now); wait > 0) {
    return fail(429, StatusCode::kAdminRequestsTooFrequent,
                "too many failed admin logins from this address: try again in " +
                    std::to_string((wait + 999) / 1000) + " s");
  }
  const std::optional<AdminCredentials> credentials = parseCredentials(request);
  Result<std::optional<AdminIdentity>> who =
      credentials ? checkCredentials(*credentials)
                  : Result<std::optional<AdminIdentity>>(std::optional<AdminIdentity>());
  if (!who) {
    // The store could not say: not the sender's failure, so not counted against its address.
    return fail(503, StatusCode::kServerUnavailable,
                "cannot read the admin account: " + who.status().reason);
  }
  if (!*who) {
    failed_logins_.recordFailure(request.remote_ip, now);
    if (failed_logins_.waitMillis(request.remote_ip, now) > 0) {
      spdlog::warn("admin: failed logins from {}: its logins wait now", request.remote_ip);
    }
    return unauthorized();
  }
  failed_logins_.recordSuccess(request.remote_ip);
  return std::move(**who);
}

std::string AdminRoutes::metricsEvent() {
  const Result<int64_t> online = deps_.sessions.countOnlineUsers();
  const std::vector<std::string> others =
      deps_.other_nodes_figures ? deps_.other_nodes_figures() : std::vector<std::string>();
  return metricsStreamEvent(deps_.metrics.snapshot(), deps_.clock.nowMillis(), deps_.node_id,
                            online ? std::optional<int64_t>(*online) : std::nullopt, others);
}

AdminResponse AdminRoutes::handle(const AdminRequest& request) {
  AdminResponse response;
  std::optional<AdminIdentity> who;
  try {
    response = dispatch(*this, request, who);
  } catch (const std::exception& e) {
    // Only resource exhaustion (bad_alloc) or a bug gets here; the client still gets an answer.
    spdlog::error("admin {} {}: {}", request.method, request.path, e.what());
    response = fail(500, StatusCode::kServerInternalError, "internal error");
  }
  // The audit trail: every change an authenticated admin asked for, whatever came of it.
  const bool changes = request.method != "GET" && request.method != "HEAD";
  if (changes && who) {
    spdlog::info("admin audit: account {} from {}: {} {} -> {}", who->login_name, request.remote_ip,
                 request.method, request.path, response.status);
  }
  if (response.status >= 300) {
    constexpr size_t kMaxLoggedBody = 300;
    spdlog::info("admin {} {} -> {} {}", request.method, request.path, response.status,
                 response.content_type == "application/json"
                     ? std::string_view(response.body).substr(0, kMaxLoggedBody)
                     : std::string_view());
  }
  return response;
}

}  // namespace parley
