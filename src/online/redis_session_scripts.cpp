#include "online/redis_session_scripts.h"

namespace parley::redis_session_scripts {
namespace {

// Field kinds of the session hash, shared by the scripts that walk it: "$" status, "<digits>"
// device → node id, "<digits>:t" device → login date, anything else node id → heartbeat.
// Node ids are checked against the first three forms so they can never be mistaken for them.
constexpr const char* kPrelude = R"lua(
local function is_device(field) return string.find(field, '^%d+$') ~= nil end
local function check_node(node)
  if node == '' or node == '$' or string.find(node, '^%d+$') or string.find(node, '^%d+:t$') then
    return redis.error_reply('ERR invalid node id: ' .. node)
  end
  return nil
end
-- True when some device field of key still names node.
local function owns_any(key, node)
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if is_device(all[i]) and all[i + 1] == node then return true end
  end
  return false
end
local function has_device(key)
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if is_device(all[i]) then return true end
  end
  return false
end
)lua";

redis::RedisScript withPrelude(const char* body) {
  return redis::RedisScript(std::string(kPrelude) + body);
}

}  // namespace

const redis::RedisScript& registerDevice() {
  static const redis::RedisScript script = withPrelude(R"lua(
local key = KEYS[1]
local device, node, status, login, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local bad = check_node(node)
if bad then return bad end
local previous = redis.call('HMGET', key, device, device .. ':t')
redis.call('HSET', key, device, node, device .. ':t', login, node, now, '$', status)
redis.call('EXPIRE', key, ttl)
local previous_node = previous[1]
if not previous_node then return {} end
-- The replaced node's heartbeat field would be an orphan once it owns no device here.
if previous_node ~= node and not owns_any(key, previous_node) then
  redis.call('HDEL', key, previous_node)
end
return {previous_node, previous[2] or '0'}
)lua");
  return script;
}

const redis::RedisScript& unregisterDevice() {
  static const redis::RedisScript script = withPrelude(R"lua(
local key = KEYS[1]
local node, device = ARGV[1], ARGV[2]
if redis.call('HGET', key, device) ~= node then return 0 end
redis.call('HDEL', key, device, device .. ':t')
if not has_device(key) then
  redis.call('DEL', key)
elseif not owns_any(key, node) then
  redis.call('HDEL', key, node)
end
return 1
)lua");
  return script;
}

const redis::RedisScript& setStatus() {
  static const redis::RedisScript script = withPrelude(R"lua(
local key = KEYS[1]
if not has_device(key) then return 0 end
redis.call('HSET', key, '$', ARGV[1])
return 1
)lua");
  return script;
}

const redis::RedisScript& refreshSessions() {
  static const redis::RedisScript script = withPrelude(R"lua(
local node, now, ttl = ARGV[1], ARGV[2], ARGV[3]
local bad = check_node(node)
if bad then return bad end
local result = {0}
local pos = 4
for i, key in ipairs(KEYS) do
  local status, count = ARGV[pos], tonumber(ARGV[pos + 1])
  pos = pos + 2
  local owns = false
  for _ = 1, count do
    local device, login = ARGV[pos], ARGV[pos + 1]
    pos = pos + 2
    local owner = redis.call('HGET', key, device)
    if not owner then
      -- Redis lost it (flush, restart without persistence, failover): write it back.
      redis.call('HSET', key, device, node, device .. ':t', login)
      result[1] = result[1] + 1
      owns = true
    elseif owner == node then
      owns = true
    else
      -- A newer login on another node won: keep it, the caller closes its local session.
      result[#result + 1] = i - 1
      result[#result + 1] = tonumber(device)
    end
  end
  if owns then
    redis.call('HSET', key, node, now)
    redis.call('HSETNX', key, '$', status)
    redis.call('EXPIRE', key, ttl)
  end
end
return result
)lua");
  return script;
}

}  // namespace parley::redis_session_scripts
