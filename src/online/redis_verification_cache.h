#pragma once
// The shared level of the password verification cache on Redis (core/verification_cache.h), so
// that a user one node verified logs in on any other node without Argon2: after a node dies, its
// users reconnect elsewhere at Redis speed instead of about 12 ms of CPU each.
//
// One string per digest, key redis_keys::verifiedPassword(digest) = "1" with a TTL (SET PX);
// lookup is EXISTS. The keys carry a hash tag taken from the digest, so they spread over Cluster
// slots and standalone shards like everything else, through RedisDeployment. Redis never sees a
// password or a stored hash, only digests keyed with the verification cache key, which Redis
// does not hold.
//
// Failures never fail a login: a lookup Redis does not answer is kUnavailable (the caller
// verifies in full) and a write that fails is counted. An outage is logged once when it starts
// and once when Redis answers again.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "core/verification_cache.h"

namespace parley {

namespace redis {
class RedisDeployment;
}

class RedisVerificationCache final : public SharedVerificationCache {
 public:
  // redis must outlive this object; ttl_millis > 0.
  RedisVerificationCache(redis::RedisDeployment& redis, int64_t ttl_millis);

  bool answersFromMemory() const override { return false; }
  // Blocks for one round trip: call from the blocking pool, never from one of the deployment's io
  // threads (there it answers kUnavailable).
  SharedLookup lookup(const VerificationDigest& digest) override;
  // One SET per digest, pipelined; returns at once.
  void remember(std::span<const VerificationDigest> digests) override;
  uint64_t failedWrites() const override;
  int64_t ttlMillis() const override { return ttl_millis_; }

 private:
  // Shared with the callbacks of writes in flight, which may run after this object is gone.
  struct Health;

  redis::RedisDeployment& redis_;
  const int64_t ttl_millis_;
  std::shared_ptr<Health> health_;
};

}  // namespace parley
