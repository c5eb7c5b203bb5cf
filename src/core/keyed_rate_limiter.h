#pragma once
// One token bucket per key (a client IP, a user id), for limits shared by every connection of
// that key on this node. Thread-safe (StripedMap). A bucket that refilled to full is the same as
// none, and prune() forgets it: memory follows the keys that were busy in the last
// capacity / rate seconds, about 100 bytes each.
#include <cstdint>

#include "core/striped_map.h"
#include "core/token_bucket.h"

namespace parley {

template <typename Map>
class KeyedRateLimiter {
 public:
  explicit KeyedRateLimiter(TokenBucketConfig config) : config_(config) {}

  template <typename LookupKey>
  bool tryAcquire(LookupKey key, int64_t now_millis) {
    return buckets_.update(
        key, [&] { return TokenBucket(config_, now_millis); },
        [&](TokenBucket& bucket) { return bucket.tryAcquire(config_, now_millis); });
  }

  // Forgets the buckets that are full again; returns how many remain.
  size_t prune(int64_t now_millis) {
    return buckets_.eraseIf(
        [&](TokenBucket& bucket) { return bucket.isFull(config_, now_millis); });
  }

 private:
  const TokenBucketConfig config_;
  Map buckets_;
};

using IpRateLimiter = KeyedRateLimiter<IpMap<TokenBucket>>;
using UserRateLimiter = KeyedRateLimiter<UserIdMap<TokenBucket>>;

}  // namespace parley
