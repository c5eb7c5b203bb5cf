#include "online/redis_sequence_ids.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "online/redis_keys.h"
#include "redis/redis_deployment.h"
#include "store/sequence_lease_repository.h"

namespace parley {
namespace {

using Clock = std::chrono::steady_clock;

// Replies other than an id (ids are > 0).
constexpr int64_t kLeaseNeeded = -1;  // the caller holds the lock: extend the lease, then install
constexpr int64_t kLeaseBusy = -2;    // another caller is extending it: wait a little, retry
constexpr int64_t kCheckBound = -3;   // read the durable bound, then call again with it

// KEYS: the counter, the lease lock beside it. ARGV (after the server id): "next" or "install",
// lock token, lock ttl (ms); then for "next" the conversation's durable bound as this caller read
// it, "-1" when it has not, or "" when it has checked this counter already; for "install" the
// durable lease (from, to] just taken.
// Returns the id handed out, kLeaseNeeded, kLeaseBusy or kCheckBound (a trusted counter this
// caller has not checked: read the durable bound and call again with it; a counter whose lease
// ends below the durable bound was left behind by leases taken elsewhere, under another shard
// layout, and is not trusted). "install" returns {id or code, 1 when the counter restarted at the
// lease's start because it could not be trusted, else 0}.
const redis::RedisScript& nextScript() {
  static const redis::RedisScript script(R"lua(
local key, lock = KEYS[1], KEYS[2]
local server, op, token, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('TYPE', key).ok == 'string' then
  -- A counter of an earlier Parley: kept as a lower bound, trusted by no one.
  local old = redis.call('GET', key)
  redis.call('DEL', key)
  redis.call('HSET', key, 'v', old, 'lim', old, 'srv', '')
end
local c = redis.call('HMGET', key, 'v', 'lim', 'srv')
local v, lim = tonumber(c[1]) or 0, tonumber(c[2]) or 0
local trusted = c[3] == server
local restarted = 0
if op == 'install' then
  local from, to = tonumber(ARGV[5]), tonumber(ARGV[6])
  if redis.call('GET', lock) == token then redis.call('DEL', lock) end
  if not (trusted and lim >= to) then
    -- Right after this counter's own lease the count goes on. Otherwise (a counter Redis lost,
    -- one another process wrote, or leases taken elsewhere in between) it restarts at the
    -- lease's start, above every id handed out before.
    if not (trusted and lim == from) then
      if c[1] or from > 0 then restarted = 1 end
      v = math.max(v, from)
    end
    lim = to
    trusted = true
    redis.call('HSET', key, 'v', string.format('%.0f', v), 'lim', string.format('%.0f', lim),
               'srv', server)
  end
end
if op == 'next' and trusted and v < lim and ARGV[5] ~= '' then
  local bound = tonumber(ARGV[5])
  if bound < 0 then return -3 end
  if lim < bound then trusted = false end
end
local result
if trusted and v < lim then
  result = redis.call('HINCRBY', key, 'v', 1)
elseif redis.call('SET', lock, token, 'NX', 'PX', ttl) then
  result = -1
else
  result = -2
end
if op == 'install' then return {result, restarted} end
return result
)lua",
                                         redis::ScriptArgs::kServerIdFirst);
  return script;
}

std::string randomToken() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::to_string(random());
}

Status unavailable(const std::string& reason) {
  return error(StatusCode::kServerUnavailable, "sequence id: " + reason);
}

}  // namespace

struct RedisSequenceIds::Counters {
  std::atomic<uint64_t> bound_checks{0};
  std::atomic<uint64_t> leases{0};
  std::atomic<uint64_t> stale_counters{0};
  std::atomic<uint64_t> lease_waits{0};
};

RedisSequenceIds::RedisSequenceIds(redis::RedisDeployment& redis, SequenceLeaseRepository& leases,
                                   RedisSequenceIdsOptions options)
    : redis_(redis), leases_(leases), options_(options), counters_(std::make_shared<Counters>()) {}

Result<int64_t> RedisSequenceIds::next(const ConversationKey& key) {
  const std::string counter = redis_keys::sequence(key);
  const std::string lock = redis_keys::sequenceLeaseLock(key);
  const std::string token = randomToken();
  const std::string ttl = std::to_string(options_.lease_wait_millis);
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.lease_wait_millis);
  auto pause = std::chrono::milliseconds(2);
  bool waited = false;
  // "" once checked in this process; else the durable bound once read, "-1" before.
  std::string bound = checked(key) ? "" : "-1";
  for (;;) {
    auto reply = redis_.evalshaSync(nextScript(), {counter, lock}, {"next", token, ttl, bound});
    if (!reply.ok()) return unavailable(reply.status().reason);
    if (reply->isError() || reply->type != redis::RespType::kInteger) {
      return unavailable("unexpected reply " + redis::toDebugString(*reply));
    }
    int64_t result = reply->integer;
    if (result == kCheckBound) {
      auto durable = leases_.bound(key);
      if (!durable.ok()) {
        return unavailable("reading the durable lease failed: " + durable.status().reason);
      }
      counters_->bound_checks.fetch_add(1, std::memory_order_relaxed);
      bound = std::to_string(*durable);
      continue;
    }
    if (result > 0 || result == kLeaseNeeded) markChecked(key);
    if (result == kLeaseNeeded) {
      auto lease = leases_.extend(key, options_.lease_size);
      if (!lease.ok()) {
        // The lock expires by itself; the next caller tries again.
        return unavailable("extending the durable lease failed: " + lease.status().reason);
      }
      counters_->leases.fetch_add(1, std::memory_order_relaxed);
      auto installed = redis_.evalshaSync(
          nextScript(), {counter, lock},
          {"install", token, ttl, std::to_string(lease->from), std::to_string(lease->to)});
      if (!installed.ok()) return unavailable(installed.status().reason);
      const auto& parts = installed->elements;
      if (installed->isError() || parts.size() != 2 || parts[0].type != redis::RespType::kInteger) {
        return unavailable("unexpected reply " + redis::toDebugString(*installed));
      }
      if (parts[1].integer == 1) counters_->stale_counters.fetch_add(1, std::memory_order_relaxed);
      result = parts[0].integer;
    }
    if (result > 0) return result;
    if (result == kLeaseNeeded) continue;  // used up by others already: extend again
    // kLeaseBusy: another caller is extending the lease.
    if (!waited) counters_->lease_waits.fetch_add(1, std::memory_order_relaxed);
    waited = true;
    if (Clock::now() + pause >= deadline) {
      return unavailable(
          "another node is extending the conversation's lease and it did not arrive in time");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

bool RedisSequenceIds::checked(const ConversationKey& key) {
  std::lock_guard lock(checked_mutex_);
  return checked_.contains(key);
}

void RedisSequenceIds::markChecked(const ConversationKey& key) {
  std::lock_guard lock(checked_mutex_);
  // When full, start over: each conversation then pays one more read of its bound.
  if (checked_.size() >= options_.checked_cache_entries) checked_.clear();
  checked_.insert(key);
}

RedisSequenceIdsStats RedisSequenceIds::stats() const {
  return {counters_->bound_checks.load(std::memory_order_relaxed),
          counters_->leases.load(std::memory_order_relaxed),
          counters_->stale_counters.load(std::memory_order_relaxed),
          counters_->lease_waits.load(std::memory_order_relaxed)};
}

}  // namespace parley
