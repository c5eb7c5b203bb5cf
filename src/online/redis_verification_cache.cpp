#include "online/redis_verification_cache.h"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "online/redis_keys.h"
#include "redis/redis_deployment.h"

namespace parley {

struct RedisVerificationCache::Health {
  std::atomic<uint64_t> failed_writes{0};
  std::atomic<bool> unavailable{false};

  void noteFailure(const std::string& what) {
    if (!unavailable.exchange(true)) {
      spdlog::warn(
          "password verification cache: Redis does not answer ({}); logins verify passwords in "
          "full (Argon2) until it does. Further failures are only counted "
          "(parley_password_shared_cache_unavailable_total, "
          "parley_password_shared_cache_write_failures_total)",
          what);
    }
  }
  void noteSuccess() {
    if (unavailable.load(std::memory_order_relaxed) && unavailable.exchange(false)) {
      spdlog::info("password verification cache: Redis answers again");
    }
  }
};

RedisVerificationCache::RedisVerificationCache(redis::RedisDeployment& redis, int64_t ttl_millis)
    : redis_(redis), ttl_millis_(ttl_millis), health_(std::make_shared<Health>()) {}

SharedLookup RedisVerificationCache::lookup(const VerificationDigest& digest) {
  std::string key = redis_keys::verifiedPassword(digest);
  const Result<redis::RespValue> reply = redis_.commandSync(key, {"EXISTS", key});
  if (!reply.ok()) {
    health_->noteFailure(reply.status().reason);
    return SharedLookup::kUnavailable;
  }
  if (reply->type != redis::RespType::kInteger) {
    health_->noteFailure("EXISTS answered " + redis::toDebugString(*reply));
    return SharedLookup::kUnavailable;
  }
  health_->noteSuccess();
  return reply->integer > 0 ? SharedLookup::kFound : SharedLookup::kAbsent;
}

void RedisVerificationCache::remember(std::span<const VerificationDigest> digests) {
  const std::string ttl = std::to_string(ttl_millis_);
  for (const VerificationDigest& digest : digests) {
    std::string key = redis_keys::verifiedPassword(digest);
    // SET rather than PEXPIRE: a renewal also writes back an entry Redis lost (a restart without
    // persistence, FLUSHALL), as sessions are written back.
    std::vector<std::string> args{"SET", key, "1", "PX", ttl};
    redis_.command(key, std::move(args), [health = health_](Result<redis::RespValue> reply) {
      if (reply.ok() && !reply->isError()) {
        health->noteSuccess();
        return;
      }
      health->failed_writes.fetch_add(1, std::memory_order_relaxed);
      health->noteFailure(reply.ok() ? redis::toDebugString(*reply) : reply.status().reason);
    });
  }
}

uint64_t RedisVerificationCache::failedWrites() const {
  return health_->failed_writes.load(std::memory_order_relaxed);
}

}  // namespace parley
