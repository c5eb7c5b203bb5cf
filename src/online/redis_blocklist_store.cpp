#include "online/redis_blocklist_store.h"

#include <charconv>

#include "online/redis_keys.h"
#include "redis/redis_deployment.h"

namespace parley {

namespace {

// KEYS: ip zset, user zset, marks. ARGV: server id, node id, now. Drops expired entries, then
// answers {1 if the marks say this server holds the node's writes else 0, ip entries, user
// entries}, entries flat as ZRANGE WITHSCORES gives them.
const redis::RedisScript& readScript() {
  static const redis::RedisScript script(R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local marked = 0
if redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[1] then marked = 1 end
return {marked, redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'),
        redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')}
)lua",
                                         redis::ScriptArgs::kServerIdFirst);
  return script;
}

// KEYS as readScript. ARGV: server id, node id, count of ip entries, then ip entries and user
// entries as (until, id) pairs. Blocks each (never shortening), then marks the node's writes as
// held by this server.
const redis::RedisScript& restoreScript() {
  static const redis::RedisScript script(R"lua(
local ip_count = tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local key = KEYS[1]
  if (i - 4) / 2 >= ip_count then key = KEYS[2] end
  redis.call('ZADD', key, 'GT', ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
return 1
)lua",
                                         redis::ScriptArgs::kServerIdFirst);
  return script;
}

std::string keyOf(BlockTarget target) { return redis_keys::blocklist(blockTargetName(target)); }

std::vector<std::string> allKeys() {
  return {keyOf(BlockTarget::kIp), keyOf(BlockTarget::kUser),
          std::string(redis_keys::blocklistMarks())};
}

Status unexpected(const redis::RespValue& reply) {
  return error(StatusCode::kServerInternalError,
               "blocklist: unexpected Redis reply: " + redis::toDebugString(reply));
}

VoidResult expectNoError(Result<redis::RespValue> reply) {
  if (!reply) return reply.status();
  if (reply->isError()) return unexpected(*reply);
  return {};
}

// ZRANGE ... WITHSCORES: member, score, member, score...
bool parseEntries(const redis::RespValue& flat, std::vector<BlockedClient>& out) {
  if (flat.type != redis::RespType::kArray || flat.elements.size() % 2 != 0) return false;
  for (size_t i = 0; i < flat.elements.size(); i += 2) {
    const std::string& score = flat.elements[i + 1].str;
    double until = 0;
    if (std::from_chars(score.data(), score.data() + score.size(), until).ec != std::errc()) {
      return false;
    }
    out.push_back({flat.elements[i].str, static_cast<int64_t>(until)});
  }
  return true;
}

}  // namespace

RedisBlocklistStore::RedisBlocklistStore(redis::RedisDeployment& redis, std::string node_id)
    : redis_(redis), node_id_(std::move(node_id)) {}

VoidResult RedisBlocklistStore::block(BlockTarget target, std::span<const std::string> ids,
                                      int64_t until_millis) {
  if (ids.empty()) return {};
  const std::string key = keyOf(target);
  std::vector<std::string> args = {"ZADD", key, "GT"};
  const std::string until = std::to_string(until_millis);
  for (const std::string& id : ids) {
    args.push_back(until);
    args.push_back(id);
  }
  return expectNoError(redis_.commandSync(key, std::move(args)));
}

VoidResult RedisBlocklistStore::unblock(BlockTarget target, std::span<const std::string> ids) {
  if (ids.empty()) return {};
  const std::string key = keyOf(target);
  std::vector<std::string> args = {"ZREM", key};
  args.insert(args.end(), ids.begin(), ids.end());
  return expectNoError(redis_.commandSync(key, std::move(args)));
}

VoidResult RedisBlocklistStore::unblockAll(BlockTarget target) {
  const std::string key = keyOf(target);
  return expectNoError(redis_.commandSync(key, {"DEL", key}));
}

Result<BlocklistSnapshot> RedisBlocklistStore::read(int64_t now_millis) {
  auto reply = redis_.evalshaSync(readScript(), allKeys(), {node_id_, std::to_string(now_millis)});
  if (!reply) return reply.status();
  const redis::RespValue& value = *reply;
  if (value.type != redis::RespType::kArray || value.elements.size() != 3) {
    return unexpected(value);
  }
  BlocklistSnapshot snapshot;
  snapshot.holds_this_nodes_writes = value.elements[0].integer == 1;
  if (!parseEntries(value.elements[1], snapshot.entries[0]) ||
      !parseEntries(value.elements[2], snapshot.entries[1])) {
    return unexpected(value);
  }
  return snapshot;
}

VoidResult RedisBlocklistStore::restore(const BlocklistSnapshot& copy) {
  std::vector<std::string> args = {node_id_, std::to_string(copy.entries[0].size())};
  for (const auto& entries : copy.entries) {
    for (const BlockedClient& entry : entries) {
      args.push_back(std::to_string(entry.until_millis));
      args.push_back(entry.id);
    }
  }
  return expectNoError(redis_.evalshaSync(restoreScript(), allKeys(), std::move(args)));
}

}  // namespace parley
