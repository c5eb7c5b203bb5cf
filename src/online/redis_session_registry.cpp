#include "online/redis_session_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iterator>
#include <memory>
#include <set>

#include "online/redis_keys.h"
#include "online/redis_session_scripts.h"
#include "redis/async_batch.h"
#include "redis/redis_deployment.h"

namespace parley {
namespace {

namespace scripts = redis_session_scripts;
using redis::AsyncBatch;
using redis::failureOf;
using redis::RespType;
using redis::RespValue;

// Same ranges as the in-process registry, so both reject the same values.
constexpr DeviceType kMaxDeviceType = 5;  // UNKNOWN
constexpr UserStatus kMaxUserStatus = 6;  // BE_RIGHT_BACK

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

Result<DeviceRegistration> RedisSessionRegistry::registerDevice(int64_t user_id,
                                                                DeviceType device_type,
                                                                UserStatus status,
                                                                const std::string& node_id,
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
  DeviceRegistration registration{std::nullopt, now_millis};
  const bool ours = node_id == options_.node_id;
  if (ours) {
    // Held from now on, before Redis hears of it: a refresh running meanwhile then writes it
    // back rather than leaving it out.
    // Later than the session of this device type it replaces here, held or being removed, so
    // that the removal of that one never matches this one.
    std::lock_guard lock(mutex_);
    LocalUser& user = local_[user_id];
    auto& login_date = user.login_dates[device_type];
    int64_t latest = login_date;
    if (auto removals = pending_removals_.find(user_id); removals != pending_removals_.end()) {
      for (const PendingRemoval& removal : removals->second) {
        if (removal.device_type == device_type) latest = std::max(latest, removal.login_date);
      }
    }
    registration.login_date = std::max(now_millis, latest + 1);
    login_date = registration.login_date;
    user.status = status;
  }
  const std::string key = redis_keys::session(user_id);
  auto reply = redis_.evalshaSync(
      scripts::registerDevice(), {key},
      {std::to_string(device_type), node_id, std::to_string(status),
       std::to_string(registration.login_date), std::to_string(clock_.nowMillis()),
       std::to_string(options_.session_ttl_seconds)});
  if (auto failure = failureOf(reply)) {
    noteOutcome(false, "register user " + std::to_string(user_id), *failure);
    if (ours) {
      // The login fails; the script may still have run: its entry is removed by the next
      // refresh.
      std::lock_guard lock(mutex_);
      forgetLocked(user_id, device_type, registration.login_date);
      pending_removals_[user_id].insert({device_type, registration.login_date});
    }
    return unavailable("register session of user " + std::to_string(user_id), *failure);
  }
  noteOutcome(true, "register", {});

  if (reply->type == RespType::kArray && reply->elements.size() == 2) {
    registration.previous = DeviceSession{device_type, reply->elements[0].str,
                                          parseInt(reply->elements[1].str).value_or(0)};
  }
  if (!ours) {
    // Another node's login replaced ours in Redis: it is no longer ours to refresh.
    std::lock_guard lock(mutex_);
    if (auto user = local_.find(user_id); user != local_.end()) {
      user->second.login_dates.erase(device_type);
      if (user->second.login_dates.empty()) local_.erase(user);
    }
  }
  return registration;
}

void RedisSessionRegistry::forgetLocked(int64_t user_id, DeviceType device_type,
                                        int64_t login_date) {
  const auto user = local_.find(user_id);
  if (user == local_.end()) return;
  const auto device = user->second.login_dates.find(device_type);
  if (device == user->second.login_dates.end() || device->second != login_date) return;
  user->second.login_dates.erase(device);
  if (user->second.login_dates.empty()) local_.erase(user);
}

VoidResult RedisSessionRegistry::removeSession(int64_t user_id, DeviceType device_type,
                                               int64_t login_date) {
  // Pending until Redis confirms: a failed removal is sent again by the next refresh, and a
  // login of this device type meanwhile takes a later date.
  const PendingRemoval removal{device_type, login_date};
  {
    std::lock_guard lock(mutex_);
    pending_removals_[user_id].insert(removal);
  }
  const std::string key = redis_keys::session(user_id);
  auto reply = redis_.evalshaSync(
      scripts::unregisterDevice(), {key},
      {options_.node_id, std::to_string(device_type), std::to_string(login_date)});
  if (auto failure = failureOf(reply)) {
    noteOutcome(false, "unregister user " + std::to_string(user_id), *failure);
    return unavailable("unregister session of user " + std::to_string(user_id), *failure);
  }
  noteOutcome(true, "unregister", {});
  std::lock_guard lock(mutex_);
  if (auto removals = pending_removals_.find(user_id); removals != pending_removals_.end()) {
    removals->second.erase(removal);
    if (removals->second.empty()) pending_removals_.erase(removals);
  }
  return {};
}

VoidResult RedisSessionRegistry::unregisterDevice(int64_t user_id, DeviceType device_type,
                                                  const std::string& node_id, int64_t login_date) {
  if (node_id != options_.node_id) {
    // Another node's session (tests, tools): no local state to keep.
    const std::string key = redis_keys::session(user_id);
    auto reply =
        redis_.evalshaSync(scripts::unregisterDevice(), {key},
                           {node_id, std::to_string(device_type), std::to_string(login_date)});
    if (auto failure = failureOf(reply)) {
      return unavailable("unregister session of user " + std::to_string(user_id), *failure);
    }
    return {};
  }
  {
    // Local truth first: the session is gone here whatever Redis answers, and a refresh must not
    // write it back.
    std::lock_guard lock(mutex_);
    forgetLocked(user_id, device_type, login_date);
  }
  return removeSession(user_id, device_type, login_date);
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
  UserOnlineInfo info{user_id, kUserStatusOffline, {}, {}, false};
  for (auto& [type, device] : devices) {
    if (device.node_id.empty()) continue;  // a lone ":t" field
    const auto heartbeat = heartbeats.find(device.node_id);
    const bool refreshed =
        heartbeat != heartbeats.end() && now_millis - heartbeat->second <= staleAfterMillis();
    if (!refreshed || !nodeAlive(device.node_id)) {
      info.unreachable.push_back(std::move(device));
      continue;
    }
    info.devices.push_back(std::move(device));
  }
  if (!info.devices.empty()) info.status = status;
  return info;
}

VoidResult RedisSessionRegistry::lookup(
    std::span<const int64_t> user_ids,
    const std::function<void(size_t index, const std::vector<std::string>& fields, bool healing)>&
        read) {
  // One script per batch (server or slot) and per chunk of users, all in flight at once.
  std::map<uint32_t, std::vector<size_t>> by_batch;
  std::vector<std::string> keys(user_ids.size());
  for (size_t i = 0; i < user_ids.size(); ++i) {
    keys[i] = redis_keys::session(user_ids[i]);
    by_batch[redis_.batchOf(keys[i])].push_back(i);
  }
  std::vector<std::vector<size_t>> chunks;
  for (auto& [batch, indexes] : by_batch) {
    for (size_t start = 0; start < indexes.size(); start += kReadBatch) {
      const size_t end = std::min(indexes.size(), start + kReadBatch);
      chunks.emplace_back(indexes.begin() + start, indexes.begin() + end);
    }
  }
  AsyncBatch calls(chunks.size());
  const std::string window = std::to_string(options_.heal_window_millis);
  for (size_t c = 0; c < chunks.size(); ++c) {
    std::vector<std::string> chunk_keys;
    chunk_keys.reserve(chunks[c].size() + 1);
    for (const size_t i : chunks[c]) chunk_keys.push_back(keys[i]);
    chunk_keys.push_back(redis_.keyBeside(chunk_keys.front(), redis_keys::sessionMarker()));
    redis_.evalsha(scripts::querySessions(), std::move(chunk_keys), {window}, calls.callback(c));
  }
  std::vector<Result<RespValue>> replies = calls.wait();
  std::vector<std::string> fields;
  for (size_t c = 0; c < replies.size(); ++c) {
    if (auto failure = failureOf(replies[c])) return unavailable("query sessions", *failure);
    const auto& elements = replies[c]->elements;
    if (replies[c]->type != RespType::kArray || elements.size() != chunks[c].size() + 2) {
      return unavailable("query sessions", "unexpected reply " + redis::toDebugString(*replies[c]));
    }
    // Within the window after the batch lost its entries, or until every live node has written
    // its sessions back since then, however long that takes (a Cluster still failing over).
    const bool healing =
        elements[0].integer != 0 ||
        (options_.sessions_written_since && !options_.sessions_written_since(elements[1].integer));
    for (size_t j = 0; j < chunks[c].size(); ++j) {
      fields.clear();
      for (const RespValue& element : elements[j + 2].elements) fields.push_back(element.str);
      read(chunks[c][j], fields, healing);
    }
  }
  return {};
}

Result<std::vector<UserOnlineInfo>> RedisSessionRegistry::query(std::span<const int64_t> user_ids) {
  std::vector<UserOnlineInfo> infos(user_ids.size());
  if (user_ids.empty()) return infos;
  const int64_t now = clock_.nowMillis();
  auto looked_up =
      lookup(user_ids, [&](size_t index, const std::vector<std::string>& fields, bool healing) {
        infos[index] = decode(user_ids[index], fields, now);
        infos[index].may_be_incomplete = healing;
      });
  if (!looked_up.ok()) return looked_up.status();
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

std::vector<std::pair<std::vector<size_t>, Result<RespValue>>> RedisSessionRegistry::runRefresh(
    const std::vector<RefreshEntry>& entries, int64_t ghost_cutoff) {
  // Users of one batch share a server (a slot on a cluster): one script call per chunk of them.
  std::map<uint32_t, std::vector<size_t>> by_batch;
  for (size_t i = 0; i < entries.size(); ++i) {
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
  const std::string cutoff = std::to_string(ghost_cutoff);
  std::vector<std::pair<std::vector<size_t>, Result<RespValue>>> results;
  results.reserve(chunks.size());
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
                                    std::to_string(options_.session_ttl_seconds), cutoff};
      keys.reserve(chunks[c].size());
      for (const size_t i : chunks[c]) {
        const RefreshEntry& entry = entries[i];
        keys.push_back(entry.key);
        args.push_back(std::to_string(entry.user.status));
        args.push_back(std::to_string(entry.user.login_dates.size()));
        for (const auto& [type, login_date] : entry.user.login_dates) {
          args.push_back(std::to_string(type));
          args.push_back(std::to_string(login_date));
        }
        args.push_back(std::to_string(entry.removals.size()));
        for (const PendingRemoval& removal : entry.removals) {
          args.push_back(std::to_string(removal.device_type));
          args.push_back(std::to_string(removal.login_date));
        }
      }
      redis_.evalsha(scripts::refreshSessions(), std::move(keys), std::move(args),
                     calls.callback(c - wave_start));
    }
    std::vector<Result<RespValue>> replies = calls.wait();
    for (size_t c = wave_start; c < wave_end; ++c) {
      results.emplace_back(std::move(chunks[c]), std::move(replies[c - wave_start]));
    }
    wave_start = wave_end;
  }
  return results;
}

SessionRefreshReport RedisSessionRegistry::refreshLocalSessions() {
  SessionRefreshReport report;
  std::vector<RefreshEntry> entries;
  // Device fields naming this node that it does not hold are deleted when registered before
  // this (a login registering right now is held before the snapshot, or dated after it).
  const int64_t ghost_cutoff = clock_.nowMillis() - kGhostGraceMillis;
  {
    std::lock_guard lock(mutex_);
    entries.reserve(local_.size() + pending_removals_.size());
    for (const auto& [user_id, user] : local_) entries.push_back({user_id, user, {}, {}});
    for (const auto& [user_id, removals] : pending_removals_) {
      if (!local_.contains(user_id)) entries.push_back({user_id, {}, {}, {}});
    }
    for (auto& entry : entries) {
      if (auto removals = pending_removals_.find(entry.user_id);
          removals != pending_removals_.end()) {
        entry.removals.assign(removals->second.begin(), removals->second.end());
        report.retried_removals += entry.removals.size();
      }
    }
  }
  for (const auto& entry : entries) report.users += entry.user.login_dates.empty() ? 0 : 1;
  if (entries.empty()) return report;
  for (auto& entry : entries) entry.key = redis_keys::session(entry.user_id);
  if (options_.after_refresh_snapshot) options_.after_refresh_snapshot();

  const auto results = runRefresh(entries, ghost_cutoff);

  // (entry index, device type) of the replies, decoded.
  std::vector<std::pair<size_t, DeviceType>> taken;
  std::vector<std::pair<size_t, DeviceType>> written;
  std::vector<size_t> refreshed;  // entries whose batch call succeeded
  for (const auto& [chunk, reply] : results) {
    if (auto failure = failureOf(reply)) {
      if (report.failed_batches++ == 0) report.first_error = *failure;
      continue;
    }
    refreshed.insert(refreshed.end(), chunk.begin(), chunk.end());
    const auto& elements = reply->elements;
    if (elements.size() < 4) continue;
    report.reregistered_devices += static_cast<size_t>(elements[0].integer);
    report.removed_ghosts += static_cast<size_t>(elements[1].integer);
    size_t pos = 2;
    auto readPairs = [&](std::vector<std::pair<size_t, DeviceType>>& into) {
      const auto count = pos < elements.size() ? static_cast<size_t>(elements[pos].integer) : 0;
      ++pos;
      for (size_t k = 0; k < count && pos + 1 < elements.size(); ++k, pos += 2) {
        const auto index = static_cast<size_t>(elements[pos].integer);
        if (index < chunk.size()) {
          into.emplace_back(chunk[index], static_cast<DeviceType>(elements[pos + 1].integer));
        }
      }
    };
    readPairs(taken);
    readPairs(written);
  }

  std::vector<std::pair<size_t, DeviceType>> undo;
  {
    std::lock_guard lock(mutex_);
    // Removals that ran in a successful call are done (each deleted its session or found it
    // replaced).
    for (const size_t index : refreshed) {
      const RefreshEntry& entry = entries[index];
      auto removals = pending_removals_.find(entry.user_id);
      if (removals == pending_removals_.end()) continue;
      for (const PendingRemoval& removal : entry.removals) removals->second.erase(removal);
      if (removals->second.empty()) pending_removals_.erase(removals);
    }
    for (const auto& [index, type] : taken) {
      const RefreshEntry& entry = entries[index];
      report.taken_over.emplace_back(entry.user_id, type);
      // Only the session the refresh saw: a login here since then is newer than the takeover.
      forgetLocked(entry.user_id, type, entry.user.login_dates.at(type));
    }
    // A session written back that is no longer held (it logged out while this refresh was in
    // flight) must not stay.
    for (const auto& [index, type] : written) {
      const RefreshEntry& entry = entries[index];
      const auto user = local_.find(entry.user_id);
      const int64_t written_date = entry.user.login_dates.at(type);
      const bool still_held = user != local_.end() && user->second.login_dates.contains(type) &&
                              user->second.login_dates.at(type) == written_date;
      if (!still_held) undo.emplace_back(index, type);
    }
  }
  for (const auto& [index, type] : undo) {
    const RefreshEntry& entry = entries[index];
    ++report.undone_write_backs;
    // On failure the removal stays pending for the next refresh.
    (void)removeSession(entry.user_id, type, entry.user.login_dates.at(type));
  }

  noteOutcome(report.failed_batches == 0, "refresh sessions", report.first_error);
  if (report.reregistered_devices > 0) {
    spdlog::warn("session registry: re-registered {} sessions Redis had lost",
                 report.reregistered_devices);
  }
  if (report.removed_ghosts > 0) {
    spdlog::warn("session registry: removed {} entries naming this node that it does not hold",
                 report.removed_ghosts);
  }
  if (!report.taken_over.empty()) {
    spdlog::info("session registry: {} local sessions were taken over by logins on other nodes",
                 report.taken_over.size());
  }
  return report;
}

Result<size_t> RedisSessionRegistry::removeEntriesOfEarlierProcess() {
  size_t removed = 0;
  auto scanned = forEachSessionUserBatch([&](std::span<const int64_t> ids) -> VoidResult {
    std::map<uint32_t, std::vector<std::string>> by_batch;
    for (const int64_t id : ids) {
      std::string key = redis_keys::session(id);
      by_batch[redis_.batchOf(key)].push_back(std::move(key));
    }
    AsyncBatch calls(by_batch.size());
    size_t c = 0;
    for (auto& [batch, keys] : by_batch) {
      redis_.evalsha(scripts::removeNodeEntries(), std::move(keys), {options_.node_id},
                     calls.callback(c++));
    }
    for (const auto& reply : calls.wait()) {
      if (auto failure = failureOf(reply)) {
        return unavailable("remove the entries of an earlier process", *failure);
      }
      removed += static_cast<size_t>(reply->integer);
    }
    return {};
  });
  if (!scanned.ok()) return scanned.status();
  if (removed > 0) {
    spdlog::warn(
        "session registry: removed {} session entries left by an earlier process of node {}",
        removed, options_.node_id);
  }
  return removed;
}

size_t RedisSessionRegistry::localSessionCount() const {
  std::lock_guard lock(mutex_);
  return local_.size();
}

}  // namespace parley
