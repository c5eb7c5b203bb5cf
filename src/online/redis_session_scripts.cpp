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
local node, device, login = ARGV[1], ARGV[2], ARGV[3]
local owner = redis.call('HMGET', key, device, device .. ':t')
if owner[1] ~= node or owner[2] ~= login then return 0 end
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
local node, now, ttl, cutoff = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local bad = check_node(node)
if bad then return bad end
local written_back, ghosts = 0, 0
local taken, written = {}, {}
local pos = 5
for i, key in ipairs(KEYS) do
  local status, count = ARGV[pos], tonumber(ARGV[pos + 1])
  pos = pos + 2
  local held = {}
  local owns = false
  for _ = 1, count do
    local device, login = ARGV[pos], ARGV[pos + 1]
    pos = pos + 2
    held[device] = true
    local entry = redis.call('HMGET', key, device, device .. ':t')
    local owner = entry[1]
    if not owner then
      -- Redis lost it (flush, restart without persistence, failover): write it back.
      redis.call('HSET', key, device, node, device .. ':t', login)
      written_back = written_back + 1
      written[#written + 1] = i - 1
      written[#written + 1] = tonumber(device)
      owns = true
    elseif owner == node then
      -- This node's session holds the device; an entry of an earlier session may linger.
      if entry[2] ~= login then redis.call('HSET', key, device .. ':t', login) end
      owns = true
    elseif (tonumber(entry[2]) or 0) < tonumber(login) then
      -- Another node's older session: a copy of the past (a restart from an older AOF, a lagging
      -- replica promoted) from before this node's login took the device over. This one is newer.
      redis.call('HSET', key, device, node, device .. ':t', login)
      written_back = written_back + 1
      written[#written + 1] = i - 1
      written[#written + 1] = tonumber(device)
      owns = true
    else
      -- A newer login on another node won: keep it, the caller closes its local session.
      taken[#taken + 1] = i - 1
      taken[#taken + 1] = tonumber(device)
    end
  end
  local removals = tonumber(ARGV[pos])
  pos = pos + 1
  for _ = 1, removals do
    local device, login = ARGV[pos], ARGV[pos + 1]
    pos = pos + 2
    local entry = redis.call('HMGET', key, device, device .. ':t')
    if entry[1] == node and entry[2] == login then redis.call('HDEL', key, device, device .. ':t') end
  end
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    local field = all[j]
    if is_device(field) and all[j + 1] == node and not held[field] then
      local login = tonumber(redis.call('HGET', key, field .. ':t') or '0') or 0
      if login < cutoff then
        redis.call('HDEL', key, field, field .. ':t')
        ghosts = ghosts + 1
      end
    end
  end
  if owns then
    redis.call('HSET', key, node, now)
    redis.call('HSETNX', key, '$', status)
    redis.call('EXPIRE', key, ttl)
  elseif not has_device(key) then
    redis.call('DEL', key)
  elseif not owns_any(key, node) then
    redis.call('HDEL', key, node)
  end
end
local result = {written_back, ghosts, #taken / 2}
for _, v in ipairs(taken) do result[#result + 1] = v end
result[#result + 1] = #written / 2
for _, v in ipairs(written) do result[#result + 1] = v end
return result
)lua");
  return script;
}

const redis::RedisScript& querySessions() {
  static const redis::RedisScript script(R"lua(
local server, window = ARGV[1], tonumber(ARGV[2])
local marker = KEYS[#KEYS]
local mark = redis.call('HMGET', marker, 'server', 'since')
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local healing, since = 0, tonumber(mark[2]) or 0
if mark[1] ~= server then
  redis.call('HSET', marker, 'server', server, 'since', now)
  healing, since = 1, now
elseif now - since < window then
  healing = 1
end
local out = {healing, since}
for i = 1, #KEYS - 1 do out[i + 2] = redis.call('HGETALL', KEYS[i]) end
return out
)lua",
                                         redis::ScriptArgs::kServerIdFirst);
  return script;
}

const redis::RedisScript& removeNodeEntries() {
  static const redis::RedisScript script = withPrelude(R"lua(
local node = ARGV[1]
local bad = check_node(node)
if bad then return bad end
local removed = 0
for _, key in ipairs(KEYS) do
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    if is_device(all[j]) and all[j + 1] == node then
      redis.call('HDEL', key, all[j], all[j] .. ':t')
      removed = removed + 1
    end
  end
  redis.call('HDEL', key, node)
  if redis.call('EXISTS', key) == 1 and not has_device(key) then redis.call('DEL', key) end
end
return removed
)lua");
  return script;
}

}  // namespace parley::redis_session_scripts
