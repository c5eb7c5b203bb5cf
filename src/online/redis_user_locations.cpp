#include "online/redis_user_locations.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "online/redis_keys.h"
#include "online/redis_location_scripts.h"
#include "redis/async_batch.h"
#include "redis/redis_deployment.h"

namespace parley {
namespace {

namespace scripts = redis_location_scripts;
using redis::AsyncBatch;
using redis::failureOf;
using redis::RespType;
using redis::RespValue;

// Entries per rewrite call: four arguments each, so a call stays far below Redis's limits and a
// bucket of a busy node is written in several short scripts rather than one long one.
constexpr size_t kRewriteChunk = 1000;

int32_t bucketCount(const redis::RedisDeployment& redis) {
  switch (redis.topology()) {
    case redis::RedisTopology::kSingle:
      return 1;
    case redis::RedisTopology::kSharded:
      return static_cast<int32_t>(redis.serverCount());
    case redis::RedisTopology::kCluster:
      return RedisUserLocations::kClusterBuckets;
  }
  return 1;
}

// Shortest text that reads back as the same double.
std::string number(double value) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return ec == std::errc() ? std::string(text, end) : "0";
}

bool parseNumber(const RespValue& value, double* out) {
  const std::string& text = value.str;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Status unavailable(const std::string& what, const std::string& reason) {
  return error(StatusCode::kServerUnavailable, what + ": " + reason);
}

std::vector<std::string> bucketKeys(int32_t bucket) {
  return {redis_keys::locations(bucket), redis_keys::locationWriters(bucket)};
}

}  // namespace

RedisUserLocations::RedisUserLocations(redis::RedisDeployment& redis,
                                       RedisUserLocationsOptions options)
    : redis_(redis), options_(std::move(options)), buckets_(bucketCount(redis)) {}

size_t RedisUserLocations::localEntryCount() const {
  std::lock_guard lock(mutex_);
  return local_.size();
}

VoidResult RedisUserLocations::upsert(const LocationSession& session, GeoPosition position) {
  if (std::string reason = invalidPositionReason(position); !reason.empty()) {
    return error(StatusCode::kIllegalArgument, std::move(reason));
  }
  const std::string member =
      location_entry::member(session.user_id, session.device_type, options_.per_device);
  const int32_t bucket = bucketOf(session.user_id);
  LocalEntry entry{bucket, position, location_entry::writer(session, options_.node_id)};
  std::vector<std::string> args{number(position.longitude), number(position.latitude), member,
                                entry.writer};
  {
    // Kept before it is sent: a refresh that finds the bucket lost writes it back either way.
    std::lock_guard lock(mutex_);
    local_[member] = std::move(entry);
    pending_removals_.erase(member);
  }
  auto reply = redis_.evalshaSync(scripts::upsert(), bucketKeys(bucket), std::move(args));
  if (auto failure = failureOf(reply)) {
    std::lock_guard lock(mutex_);
    dirty_buckets_.insert(bucket);
    return unavailable("storing the location", *failure);
  }
  return {};
}

VoidResult RedisUserLocations::remove(const LocationSession& session) {
  const std::string member =
      location_entry::member(session.user_id, session.device_type, options_.per_device);
  const std::string writer = location_entry::writer(session, options_.node_id);
  const int32_t bucket = bucketOf(session.user_id);
  {
    std::lock_guard lock(mutex_);
    const auto it = local_.find(member);
    // Another session of the user wrote the entry since: it is theirs to remove.
    if (it == local_.end() || it->second.writer != writer) return {};
    local_.erase(it);
  }
  auto removed = sendRemovals(bucket, {{member, writer}});
  if (!removed) {
    std::lock_guard lock(mutex_);
    if (!local_.contains(member)) pending_removals_[member] = PendingRemoval{bucket, writer};
    return removed.status();
  }
  return {};
}

Result<size_t> RedisUserLocations::sendRemovals(
    int32_t bucket, const std::vector<std::pair<std::string, std::string>>& removals) {
  std::vector<std::string> args;
  args.reserve(removals.size() * 2);
  for (const auto& [member, writer] : removals) {
    args.push_back(member);
    args.push_back(writer);
  }
  auto reply =
      redis_.evalshaSync(scripts::removeIfWrittenBy(), bucketKeys(bucket), std::move(args));
  if (auto failure = failureOf(reply)) return unavailable("removing locations", *failure);
  return static_cast<size_t>(std::max<int64_t>(reply->integer, 0));
}

Result<std::vector<LocatedUser>> RedisUserLocations::search(GeoPosition center,
                                                            double radius_meters, int count) {
  std::vector<LocatedUser> found;
  if (count <= 0) return found;
  const int32_t buckets = buckets_.shardCount();
  AsyncBatch calls(static_cast<size_t>(buckets));
  for (int32_t bucket = 0; bucket < buckets; ++bucket) {
    redis_.evalsha(scripts::search(), bucketKeys(bucket),
                   {number(center.longitude), number(center.latitude), number(radius_meters),
                    std::to_string(count)},
                   calls.callback(static_cast<size_t>(bucket)));
  }
  for (auto& reply : calls.wait()) {
    if (auto failure = failureOf(reply)) return unavailable("searching locations", *failure);
    for (const RespValue& item : reply->elements) {
      if (item.type != RespType::kArray || item.elements.size() != 5) continue;
      LocatedUser located;
      if (!location_entry::parseMember(item.elements[0].str, &located.user_id,
                                       &located.device_type) ||
          !parseNumber(item.elements[1], &located.distance_meters) ||
          !parseNumber(item.elements[2], &located.position.longitude) ||
          !parseNumber(item.elements[3], &located.position.latitude)) {
        continue;  // not an entry this code writes
      }
      located.writer = item.elements[4].str;
      found.push_back(std::move(located));
    }
  }
  // Each bucket answered its nearest: the nearest of all is among them.
  std::stable_sort(found.begin(), found.end(), [](const LocatedUser& a, const LocatedUser& b) {
    return a.distance_meters < b.distance_meters;
  });
  if (found.size() > static_cast<size_t>(count)) found.resize(static_cast<size_t>(count));
  return found;
}

VoidResult RedisUserLocations::removeStale(std::span<const LocatedUser> entries) {
  std::map<int32_t, std::vector<std::pair<std::string, std::string>>> by_bucket;
  for (const LocatedUser& located : entries) {
    by_bucket[bucketOf(located.user_id)].emplace_back(location_entry::memberOf(located),
                                                      located.writer);
  }
  for (const auto& [bucket, removals] : by_bucket) {
    if (auto removed = sendRemovals(bucket, removals); !removed) return removed.status();
  }
  return {};
}

LocationRefreshReport RedisUserLocations::refresh() {
  LocationRefreshReport report;
  auto fail = [&report](const std::string& reason) {
    ++report.failed_buckets;
    if (report.first_error.empty()) report.first_error = reason;
  };
  std::map<int32_t, std::vector<std::pair<std::string, std::string>>> removals;
  std::set<int32_t> held;
  std::set<int32_t> dirty;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [member, removal] : pending_removals_) {
      removals[removal.bucket].emplace_back(member, removal.writer);
    }
    for (const auto& [member, entry] : local_) held.insert(entry.bucket);
    dirty = std::exchange(dirty_buckets_, {});
  }
  for (const auto& [bucket, pairs] : removals) {
    if (auto sent = sendRemovals(bucket, pairs); !sent) {
      fail(sent.status().reason);
      continue;
    }
    report.retried_removals += pairs.size();
    std::lock_guard lock(mutex_);
    for (const auto& [member, writer] : pairs) {
      const auto it = pending_removals_.find(member);
      if (it != pending_removals_.end() && it->second.writer == writer) {
        pending_removals_.erase(it);
      }
    }
  }
  // Which buckets lost this node's entries since it last wrote them all: one call each, at once.
  std::vector<int32_t> checked(held.begin(), held.end());
  AsyncBatch marks(checked.size());
  for (size_t i = 0; i < checked.size(); ++i) {
    redis_.evalsha(scripts::isMarked(), {redis_keys::locationMarks(checked[i])}, {options_.node_id},
                   marks.callback(i));
  }
  const auto replies = marks.wait();
  for (size_t i = 0; i < checked.size(); ++i) {
    const int32_t bucket = checked[i];
    if (auto failure = failureOf(replies[i])) {
      fail(*failure);
      std::lock_guard lock(mutex_);
      dirty_buckets_.insert(bucket);
      continue;
    }
    if (replies[i]->integer == 1 && !dirty.contains(bucket)) continue;
    if (!rewriteBucket(bucket, report)) {
      std::lock_guard lock(mutex_);
      dirty_buckets_.insert(bucket);
    }
  }
  return report;
}

bool RedisUserLocations::rewriteBucket(int32_t bucket, LocationRefreshReport& report) {
  std::vector<std::pair<std::string, LocalEntry>> entries;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [member, entry] : local_) {
      if (entry.bucket == bucket) entries.emplace_back(member, entry);
    }
  }
  std::vector<std::string> keys = bucketKeys(bucket);
  keys.push_back(redis_keys::locationMarks(bucket));
  std::set<std::string> kept_by_others;
  for (size_t start = 0; start < entries.size(); start += kRewriteChunk) {
    const size_t end = std::min(entries.size(), start + kRewriteChunk);
    std::vector<std::string> args{options_.node_id};
    args.reserve(1 + 4 * (end - start));
    for (size_t i = start; i < end; ++i) {
      const auto& [member, entry] = entries[i];
      args.push_back(number(entry.position.longitude));
      args.push_back(number(entry.position.latitude));
      args.push_back(member);
      args.push_back(entry.writer);
    }
    auto reply = redis_.evalshaSync(scripts::rewrite(), keys, std::move(args));
    if (auto failure = failureOf(reply)) {
      ++report.failed_buckets;
      if (report.first_error.empty()) report.first_error = *failure;
      return false;
    }
    std::lock_guard lock(mutex_);
    report.rewritten += (end - start) - reply->elements.size();
    // A later login of the user owns these now: they are no longer this node's to write back.
    for (const RespValue& kept : reply->elements) {
      kept_by_others.insert(kept.str);
      const auto it = local_.find(kept.str);
      if (it != local_.end() && it->second.bucket == bucket) local_.erase(it);
    }
  }
  // A session that removed its entry while the rewrite was in flight may have had it written
  // back: take those back again.
  std::vector<std::pair<std::string, std::string>> undo;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [member, entry] : entries) {
      if (kept_by_others.contains(member)) continue;
      const auto it = local_.find(member);
      if (it == local_.end() || it->second.writer != entry.writer) {
        undo.emplace_back(member, entry.writer);
      }
    }
  }
  if (!undo.empty()) {
    if (auto removed = sendRemovals(bucket, undo); !removed) {
      std::lock_guard lock(mutex_);
      for (const auto& [member, writer] : undo) {
        if (!local_.contains(member)) pending_removals_[member] = PendingRemoval{bucket, writer};
      }
    }
  }
  return true;
}

}  // namespace parley
