#include "online/redis_session_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <iterator>
#include <memory>
#include <set>

#include "online/redis_keys.h"
#include "online/redis_session_scripts.h"
#include "redis/redis_deployment.h"

namespace parley {
namespace {

namespace scripts = redis_session_scripts;
using redis::RespType;
using redis::RespValue;

// Same ranges as the in-process registry, so both reject the same values.
constexpr DeviceType kMaxDeviceType = 5;  // UNKNOWN
constexpr UserStatus kMaxUserStatus = 6;  // BE_RIGHT_BACK

// Every callback of the deployment comes back (each command has a timeout); this only bounds the
// wait should that promise ever be broken.
constexpr std::chrono::seconds kAsyncWaitLimit{60};

bool isValidDeviceType(DeviceType device_type) {
  return device_type >= 0 && device_type <= kMaxDeviceType;
}

bool isValidOnlineStatus(UserStatus status) {
  return status >= 0 && status <= kMaxUserStatus && status != kUserStatusOffline;
}

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int64_t> parseInt(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Status unavailable(std::string what, const std::string& reason) {
  return error(StatusCode::kServerUnavailable, what + ": " + reason);
}

// The failure of a reply: a failed call or a Redis error reply (script errors included).
std::optional<std::string> failureOf(const Result<RespValue>& reply) {
  if (!reply.ok()) return reply.status().reason;
  if (reply->isError()) return reply->str;
  return std::nullopt;
}

// Async calls issued together and awaited together, so n calls cost one round trip per server.
class AsyncBatch {
 public:
  explicit AsyncBatch(size_t count) : state_(std::make_shared<State>()) {
    state_->replies.resize(count);
    state_->remaining = count;
  }

  redis::RedisClient::Callback callback(size_t index) {
    return [state = state_, index](Result<RespValue> reply) {
      std::lock_guard lock(state->mutex);
      state->replies[index] = std::move(reply);
      if (--state->remaining == 0) state->done.notify_all();
    };
  }

  // The replies in issue order; a reply that never came is a kServerUnavailable failure.
  std::vector<Result<RespValue>> wait() {
    std::unique_lock lock(state_->mutex);
    state_->done.wait_for(lock, kAsyncWaitLimit, [&] { return state_->remaining == 0; });
    std::vector<Result<RespValue>> replies;
    replies.reserve(state_->replies.size());
    for (auto& reply : state_->replies) {
      replies.push_back(reply ? std::move(*reply)
                              : Result<RespValue>(error(StatusCode::kServerUnavailable,
                                                        "no reply from redis in time")));
    }
    return replies;
  }

 private:
  // Shared with the callbacks, which may run after a timed-out wait() has returned.
  struct State {
    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::optional<Result<RespValue>>> replies;
    size_t remaining = 0;
  };
  std::shared_ptr<State> state_;
};

}  // namespace

bool isValidSessionNodeId(std::string_view node_id) {
  if (node_id.empty() || node_id == "$" || allDigits(node_id)) return false;
  if (node_id.ends_with(":t") && allDigits(node_id.substr(0, node_id.size() - 2))) return false;
  return node_id.find(',') == std::string_view::npos;
}

RedisSessionRegistry::RedisSessionRegistry(redis::RedisDeployment& redis,
                                           RedisSessionRegistryOptions options, const Clock& clock)
    : redis_(redis), options_(std::move(options)), clock_(clock) {}

bool RedisSessionRegistry::nodeAlive(std::string_view node_id) const {
  return !options_.is_node_alive || options_.is_node_alive(node_id);
}

int64_t RedisSessionRegistry::staleAfterMillis() const {
  // Upstream's rule: a heartbeat older than the TTL plus one second is a dead node's.
  return int64_t{options_.session_ttl_seconds} * 1000 + 1000;
}

void RedisSessionRegistry::noteOutcome(bool ok, const std::string& what,
                                       const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (ok && failing_) {
    spdlog::info("session registry: redis works again ({})", what);
  } else if (!ok && !failing_) {
    spdlog::warn(
        "session registry: redis failed ({}: {}); sessions stay up and are written back "
        "when it recovers",
        what, reason);
  }
  failing_ = !ok;
}

Result<std::optional<DeviceSession>> RedisSessionRegistry::registerDevice(
    int64_t user_id, DeviceType device_type, UserStatus status, const std::string& node_id,
    int64_t now_millis) {
  if (!isValidDeviceType(device_type)) {
    return error(StatusCode::kIllegalArgument, "invalid device type");
  }
  if (!isValidOnlineStatus(status)) {
    return error(StatusCode::kIllegalArgument, "invalid user status for an online device");
  }
  if (!isValidSessionNodeId(node_id)) {
    return error(StatusCode::kIllegalArgument, "invalid node id for the session registry");
  }
  const std::string key = redis_keys::session(user_id);
  auto reply = redis_.evalshaSync(
      scripts::registerDevice(), {key},
      {std::to_string(device_type), node_id, std::to_string(status), std::to_string(now_millis),
       std::to_string(clock_.nowMillis()), std::to_string(options_.session_ttl_seconds)});
  if (auto failure = failureOf(reply)) {
    noteOutcome(false, "register user " + std::to_string(user_id), *failure);
    return unavailable("register session of user " + std::to_string(user_id), *failure);
  }
  noteOutcome(true, "register", {});

  std::optional<DeviceSession> previous;
  if (reply->type == RespType::kArray && reply->elements.size() == 2) {
    previous = DeviceSession{device_type, reply->elements[0].str,
                             parseInt(reply->elements[1].str).value_or(0)};
  }

  std::lock_guard lock(mutex_);
  if (node_id == options_.node_id) {
    LocalUser& user = local_[user_id];
    user.status = status;
    user.login_dates[device_type] = now_millis;
  } else if (auto user = local_.find(user_id); user != local_.end()) {
    // Another node's login replaced ours in Redis: it is no longer ours to refresh.
    user->second.login_dates.erase(device_type);
    if (user->second.login_dates.empty()) local_.erase(user);
  }
  return previous;
}

VoidResult RedisSessionRegistry::unregisterDevice(int64_t user_id, DeviceType device_type,
                                                  const std::string& node_id) {
  if (node_id == options_.node_id) {
    // Local truth first: the session is gone here whatever Redis answers, and a refresh must not
    // write it back.
    std::lock_guard lock(mutex_);
    if (auto user = local_.find(user_id); user != local_.end()) {
      user->second.login_dates.erase(device_type);
      if (user->second.login_dates.empty()) local_.erase(user);
    }
  }
  const std::string key = redis_keys::session(user_id);
  auto reply = redis_.evalshaSync(scripts::unregisterDevice(), {key},
                                  {node_id, std::to_string(device_type)});
  if (auto failure = failureOf(reply)) {
    noteOutcome(false, "unregister user " + std::to_string(user_id), *failure);
    return unavailable("unregister session of user " + std::to_string(user_id), *failure);
  }
  noteOutcome(true, "unregister", {});
  return {};
}

Result<bool> RedisSessionRegistry::setStatus(int64_t user_id, UserStatus status) {
  if (!isValidOnlineStatus(status)) {
    return error(StatusCode::kIllegalArgument, "invalid user status for an online device");
  }
  const std::string key = redis_keys::session(user_id);
  auto reply = redis_.evalshaSync(scripts::setStatus(), {key}, {std::to_string(status)});
  if (auto failure = failureOf(reply)) {
    noteOutcome(false, "set status of user " + std::to_string(user_id), *failure);
    return unavailable("set status of user " + std::to_string(user_id), *failure);
  }
  noteOutcome(true, "set status", {});
  std::lock_guard lock(mutex_);
  const auto user = local_.find(user_id);
  if (user == local_.end()) return reply->integer == 1;
  // A local user whose hash Redis lost is still online: the next refresh writes it back with
  // this status.
  user->second.status = status;
  return true;
}

UserOnlineInfo RedisSessionRegistry::decode(int64_t user_id,
                                            const std::vector<std::string>& fields_and_values,
                                            int64_t now_millis) const {
  UserStatus status = kUserStatusAvailable;
  std::map<DeviceType, DeviceSession> devices;
  std::unordered_map<std::string_view, int64_t> heartbeats;
  for (size_t i = 0; i + 1 < fields_and_values.size(); i += 2) {
    const std::string_view field = fields_and_values[i];
    const std::string& value = fields_and_values[i + 1];
    if (field == "$") {
      status = static_cast<UserStatus>(parseInt(value).value_or(kUserStatusAvailable));
    } else if (allDigits(field)) {
      DeviceSession& device = devices[static_cast<DeviceType>(*parseInt(field))];
      device.device_type = static_cast<DeviceType>(*parseInt(field));
      device.node_id = value;
    } else if (field.ends_with(":t") && allDigits(field.substr(0, field.size() - 2))) {
      const auto type = static_cast<DeviceType>(*parseInt(field.substr(0, field.size() - 2)));
      devices[type].login_date = parseInt(value).value_or(0);
    } else {
      heartbeats[field] = parseInt(value).value_or(0);
    }
  }
  UserOnlineInfo info{user_id, kUserStatusOffline, {}};
  for (auto& [type, device] : devices) {
    if (device.node_id.empty() || !nodeAlive(device.node_id)) continue;  // a lone ":t" field
    const auto heartbeat = heartbeats.find(device.node_id);
    if (heartbeat == heartbeats.end() || now_millis - heartbeat->second > staleAfterMillis()) {
      continue;
    }
    info.devices.push_back(std::move(device));
  }
  if (!info.devices.empty()) info.status = status;
  return info;
}

Result<std::vector<UserOnlineInfo>> RedisSessionRegistry::query(std::span<const int64_t> user_ids) {
  std::vector<UserOnlineInfo> infos;
  if (user_ids.empty()) return infos;
  AsyncBatch batch(user_ids.size());
  for (size_t i = 0; i < user_ids.size(); ++i) {
    std::string key = redis_keys::session(user_ids[i]);
    redis_.command(key, {"HGETALL", key}, batch.callback(i));
  }
  std::vector<Result<RespValue>> replies = batch.wait();
  const int64_t now = clock_.nowMillis();
  infos.reserve(user_ids.size());
  std::vector<std::string> fields;
  for (size_t i = 0; i < replies.size(); ++i) {
    if (auto failure = failureOf(replies[i])) {
      return unavailable("query sessions", *failure);
    }
    fields.clear();
    for (const RespValue& element : replies[i]->elements) fields.push_back(element.str);
    infos.push_back(decode(user_ids[i], fields, now));
  }
  return infos;
}

VoidResult RedisSessionRegistry::forEachSessionUserBatch(
    const std::function<VoidResult(std::span<const int64_t>)>& visit) {
  // The key layout comes from redis_keys alone: "<prefix><id><suffix>".
  static const std::string sample = redis_keys::session(0);
  static const std::string prefix = sample.substr(0, sample.rfind('0'));
  static const std::string suffix = sample.substr(prefix.size() + 1);
  const std::string pattern = prefix + "*";
  std::vector<int64_t> ids;
  ids.reserve(kReadBatch + kScanCount);
  const size_t servers = redis_.serverCount();
  for (size_t server = 0; server < servers; ++server) {
    std::string cursor = "0";
    do {
      auto reply = redis_.commandOnServerSync(
          server, {"SCAN", cursor, "MATCH", pattern, "COUNT", std::to_string(kScanCount)});
      if (auto failure = failureOf(reply)) {
        return unavailable("scan sessions on server " + std::to_string(server), *failure);
      }
      if (reply->type != RespType::kArray || reply->elements.size() != 2) {
        return unavailable("scan sessions", "unexpected reply " + redis::toDebugString(*reply));
      }
      cursor = reply->elements[0].str;
      for (const RespValue& key : reply->elements[1].elements) {
        const std::string_view text = key.str;
        if (!text.starts_with(prefix) || !text.ends_with(suffix)) continue;
        const auto id =
            parseInt(text.substr(prefix.size(), text.size() - prefix.size() - suffix.size()));
        if (id) ids.push_back(*id);
      }
      if (ids.size() >= kReadBatch) {
        if (auto visited = visit(ids); !visited.ok()) return visited;
        ids.clear();
      }
    } while (cursor != "0");
  }
  if (!ids.empty()) return visit(ids);
  return {};
}

Result<std::vector<UserOnlineInfo>> RedisSessionRegistry::listOnline(int64_t after_user_id,
                                                                     int limit) {
  std::vector<UserOnlineInfo> page;
  if (limit <= 0) return page;
  // Each pass over the keyspace keeps the `window` smallest ids after `after` (a set, since SCAN
  // may return a key twice), then reads them in order. Some may turn out offline (a dead node's
  // devices): then another pass starts after the last one read, until the page is full or no id
  // is left.
  const size_t wanted = static_cast<size_t>(limit);
  const size_t window = std::max(2 * wanted, kReadBatch);
  int64_t after = after_user_id;
  while (page.size() < wanted) {
    std::set<int64_t> candidates;
    bool more = false;
    auto scanned = forEachSessionUserBatch([&](std::span<const int64_t> ids) -> VoidResult {
      for (const int64_t id : ids) {
        if (id <= after) continue;
        if (candidates.size() == window) {
          if (id >= *candidates.rbegin()) {
            more = more || id > *candidates.rbegin();
            continue;
          }
          if (candidates.insert(id).second) {
            candidates.erase(std::prev(candidates.end()));
            more = true;
          }
        } else {
          candidates.insert(id);
        }
      }
      return {};
    });
    if (!scanned.ok()) return scanned.status();
    if (candidates.empty()) break;
    const std::vector<int64_t> ids(candidates.begin(), candidates.end());
    for (size_t start = 0; start < ids.size() && page.size() < wanted; start += kReadBatch) {
      const size_t end = std::min(ids.size(), start + kReadBatch);
      auto infos = query(std::span<const int64_t>(ids).subspan(start, end - start));
      if (!infos.ok()) return infos.status();
      for (UserOnlineInfo& info : *infos) {
        if (info.devices.empty()) continue;
        page.push_back(std::move(info));
        if (page.size() == wanted) break;
      }
    }
    if (!more) break;
    after = ids.back();
  }
  return page;
}

Result<int64_t> RedisSessionRegistry::countOnlineUsers() {
  int64_t count = 0;
  auto scanned = forEachSessionUserBatch([&](std::span<const int64_t> ids) -> VoidResult {
    auto infos = query(ids);
    if (!infos.ok()) return infos.status();
    for (const UserOnlineInfo& info : *infos) {
      if (!info.devices.empty()) ++count;
    }
    return {};
  });
  if (!scanned.ok()) return scanned.status();
  return count;
}

SessionRefreshReport RedisSessionRegistry::refreshLocalSessions() {
  SessionRefreshReport report;
  struct Entry {
    int64_t user_id;
    LocalUser user;
    std::string key;
  };
  std::vector<Entry> entries;
  {
    std::lock_guard lock(mutex_);
    entries.reserve(local_.size());
    for (const auto& [user_id, user] : local_) entries.push_back({user_id, user, {}});
  }
  report.users = entries.size();
  if (entries.empty()) return report;

  // Users of one batch share a server (a slot on a cluster): one script call per chunk of them.
  std::map<uint32_t, std::vector<size_t>> by_batch;
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].key = redis_keys::session(entries[i].user_id);
    by_batch[redis_.batchOf(entries[i].key)].push_back(i);
  }
  const size_t chunk_size = std::max<size_t>(options_.refresh_batch_size, 1);
  std::vector<std::vector<size_t>> chunks;
  for (auto& [batch, indexes] : by_batch) {
    for (size_t start = 0; start < indexes.size(); start += chunk_size) {
      const size_t end = std::min(indexes.size(), start + chunk_size);
      chunks.emplace_back(indexes.begin() + start, indexes.begin() + end);
    }
  }

  const std::string now = std::to_string(clock_.nowMillis());
  std::vector<Result<RespValue>> replies;
  replies.reserve(chunks.size());
  // In waves of about kRefreshUsersPerWave users: the calls of a wave are pipelined on one
  // connection, and the last one must not wait behind all the others past the command timeout
  // (which would drop the connection and fail them all: seen from ~500,000 users on one server).
  for (size_t wave_start = 0; wave_start < chunks.size();) {
    size_t wave_end = wave_start;
    for (size_t users = 0; wave_end < chunks.size() && users < kRefreshUsersPerWave; ++wave_end) {
      users += chunks[wave_end].size();
    }
    AsyncBatch calls(wave_end - wave_start);
    for (size_t c = wave_start; c < wave_end; ++c) {
      std::vector<std::string> keys;
      std::vector<std::string> args{options_.node_id, now,
                                    std::to_string(options_.session_ttl_seconds)};
      keys.reserve(chunks[c].size());
      for (const size_t i : chunks[c]) {
        const Entry& entry = entries[i];
        keys.push_back(entry.key);
        args.push_back(std::to_string(entry.user.status));
        args.push_back(std::to_string(entry.user.login_dates.size()));
        for (const auto& [type, login_date] : entry.user.login_dates) {
          args.push_back(std::to_string(type));
          args.push_back(std::to_string(login_date));
        }
      }
      redis_.evalsha(scripts::refreshSessions(), std::move(keys), std::move(args),
                     calls.callback(c - wave_start));
    }
    for (auto& reply : calls.wait()) replies.push_back(std::move(reply));
    wave_start = wave_end;
  }

  std::vector<std::pair<size_t, DeviceType>> taken;  // entry index, device type
  for (size_t c = 0; c < replies.size(); ++c) {
    if (auto failure = failureOf(replies[c])) {
      if (report.failed_batches++ == 0) report.first_error = *failure;
      continue;
    }
    const auto& elements = replies[c]->elements;
    if (elements.empty()) continue;
    report.reregistered_devices += static_cast<size_t>(elements[0].integer);
    for (size_t i = 1; i + 1 < elements.size(); i += 2) {
      const auto index = static_cast<size_t>(elements[i].integer);
      if (index < chunks[c].size()) {
        taken.emplace_back(chunks[c][index], static_cast<DeviceType>(elements[i + 1].integer));
      }
    }
  }

  if (!taken.empty()) {
    std::lock_guard lock(mutex_);
    for (const auto& [index, type] : taken) {
      const Entry& entry = entries[index];
      report.taken_over.emplace_back(entry.user_id, type);
      // Only the session the refresh saw: a login here since then is newer than the takeover.
      const auto user = local_.find(entry.user_id);
      if (user == local_.end()) continue;
      const auto device = user->second.login_dates.find(type);
      if (device != user->second.login_dates.end() &&
          device->second == entry.user.login_dates.at(type)) {
        user->second.login_dates.erase(device);
        if (user->second.login_dates.empty()) local_.erase(user);
      }
    }
  }

  noteOutcome(report.failed_batches == 0, "refresh sessions", report.first_error);
  if (report.reregistered_devices > 0) {
    spdlog::warn("session registry: re-registered {} sessions Redis had lost",
                 report.reregistered_devices);
  }
  if (!report.taken_over.empty()) {
    spdlog::info("session registry: {} local sessions were taken over by logins on other nodes",
                 report.taken_over.size());
  }
  return report;
}

size_t RedisSessionRegistry::localSessionCount() const {
  std::lock_guard lock(mutex_);
  return local_.size();
}

}  // namespace parley
