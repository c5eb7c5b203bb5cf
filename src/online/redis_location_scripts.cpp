#include "online/redis_location_scripts.h"

namespace parley::redis_location_scripts {

const redis::RedisScript& upsert() {
  static const redis::RedisScript script(R"lua(
redis.call('GEOADD', KEYS[1], ARGV[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1
)lua");
  return script;
}

const redis::RedisScript& removeIfWrittenBy() {
  static const redis::RedisScript script(R"lua(
local removed = 0
for i = 1, #ARGV, 2 do
  local member = ARGV[i]
  if (redis.call('HGET', KEYS[2], member) or '') == ARGV[i + 1] then
    redis.call('ZREM', KEYS[1], member)
    redis.call('HDEL', KEYS[2], member)
    removed = removed + 1
  end
end
return removed
)lua");
  return script;
}

const redis::RedisScript& search() {
  static const redis::RedisScript script(R"lua(
local found = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS',
  ARGV[3], 'm', 'ASC', 'COUNT', ARGV[4], 'WITHCOORD', 'WITHDIST')
local out = {}
for i, item in ipairs(found) do
  out[i] = {item[1], item[2], item[3][1], item[3][2], redis.call('HGET', KEYS[2], item[1]) or ''}
end
return out
)lua");
  return script;
}

const redis::RedisScript& isMarked() {
  static const redis::RedisScript script(R"lua(
if redis.call('HGET', KEYS[1], ARGV[2]) == ARGV[1] then return 1 end
return 0
)lua",
                                         redis::ScriptArgs::kServerIdFirst);
  return script;
}

const redis::RedisScript& rewrite() {
  static const redis::RedisScript script(R"lua(
local server, node = ARGV[1], ARGV[2]
local function login_date(writer) return tonumber(string.match(writer, '^(-?%d+):')) or 0 end
local kept = {}
for i = 3, #ARGV, 4 do
  local member, writer = ARGV[i + 2], ARGV[i + 3]
  local current = redis.call('HGET', KEYS[2], member)
  if current and current ~= writer and login_date(current) >= login_date(writer) then
    kept[#kept + 1] = member
  else
    redis.call('GEOADD', KEYS[1], ARGV[i], ARGV[i + 1], member)
    redis.call('HSET', KEYS[2], member, writer)
  end
end
redis.call('HSET', KEYS[3], node, server)
return kept
)lua",
                                         redis::ScriptArgs::kServerIdFirst);
  return script;
}

}  // namespace parley::redis_location_scripts
