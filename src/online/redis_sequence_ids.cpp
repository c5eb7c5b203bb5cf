#include "online/redis_sequence_ids.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <string>

#include "online/redis_keys.h"
#include "redis/redis_deployment.h"
#include "store/message_repository.h"

namespace parley {
namespace {

// KEYS: the counter. ARGV: floor, reseed (see the header). Returns the allocated id, or 0 when
// the counter is missing and reseed is negative.
const redis::RedisScript& nextScript() {
  static const redis::RedisScript script(R"lua(
local key = KEYS[1]
local floor, reseed = tonumber(ARGV[1]), tonumber(ARGV[2])
local value
if redis.call('EXISTS', key) == 1 then
  value = redis.call('INCR', key)
  if value > floor then return value end
  -- Rolled back below what was already issued.
  value = math.max(floor, reseed) + 1
else
  if reseed < 0 then return 0 end
  value = math.max(floor, reseed) + 1
end
redis.call('SET', key, string.format('%.0f', value))
return value
)lua");
  return script;
}

}  // namespace

size_t RedisSequenceIds::KeyHash::operator()(const ConversationKey& key) const {
  const size_t h = std::hash<int64_t>{}(key.a) * 31 + std::hash<int64_t>{}(key.b);
  return key.is_group ? ~h : h;
}

RedisSequenceIds::RedisSequenceIds(redis::RedisDeployment& redis, MessageRepository& durable,
                                   RedisSequenceIdsOptions options)
    : redis_(redis), durable_(durable), options_(options) {}

Result<int64_t> RedisSequenceIds::allocate(const ConversationKey& key, int64_t floor,
                                           int64_t reseed) {
  auto reply = redis_.evalshaSync(nextScript(), {redis_keys::sequence(key)},
                                  {std::to_string(floor), std::to_string(reseed)});
  if (!reply.ok()) {
    return error(StatusCode::kServerUnavailable, "sequence id: " + reply.status().reason);
  }
  if (reply->isError() || reply->type != redis::RespType::kInteger) {
    return error(StatusCode::kServerUnavailable,
                 "sequence id: unexpected reply " + redis::toDebugString(*reply));
  }
  return reply->integer;
}

void RedisSequenceIds::remember(const ConversationKey& key, int64_t value,
                                uint64_t verified_generation) {
  std::lock_guard lock(mutex_);
  auto it = known_.find(key);
  if (it == known_.end()) {
    if (known_.size() >= options_.verified_cache_entries) known_.clear();
    it = known_.emplace(key, Known{}).first;
  }
  it->second.high = std::max(it->second.high, value);
  // Verified as of the generation read before the call: a reconnect during the call makes the
  // next call verify again.
  if (verified_generation != 0) it->second.verified_generation = verified_generation;
}

Result<int64_t> RedisSequenceIds::next(const ConversationKey& key) {
  const uint64_t generation = redis_.connectGeneration() + 1;
  Known known;
  {
    std::lock_guard lock(mutex_);
    if (auto it = known_.find(key); it != known_.end()) known = it->second;
  }

  if (known.verified_generation == generation) {
    auto value = allocate(key, known.high, -1);
    if (!value.ok()) return value;
    if (*value > 0) {
      remember(key, *value, 0);
      return value;
    }
    // The counter vanished without a reconnect (FLUSHALL): re-verify below.
  }

  auto durable = durable_.maxSequenceId(key.is_group, key.a, key.b);
  if (!durable.ok()) {
    return error(StatusCode::kServerUnavailable,
                 "sequence id: reading the stored maximum failed: " + durable.status().reason);
  }
  const int64_t floor = std::max(known.high, *durable);
  const int64_t reseed = *durable + (*durable > 0 ? options_.reseed_gap : 0);
  auto value = allocate(key, floor, reseed);
  if (!value.ok()) return value;
  remember(key, *value, generation);
  return value;
}

}  // namespace parley
