#pragma once
// A token bucket with upstream Turms' parameters (turms-server-common's TokenBucket): it starts
// full, each acquisition takes one token, and every refill interval adds tokens_per_period up to
// the capacity. Not thread-safe: its owner (KeyedRateLimiter) locks around it.
#include <algorithm>
#include <cstdint>

#include "core/rate_limit_config.h"

namespace parley {

class TokenBucket {
 public:
  TokenBucket(const TokenBucketConfig& config, int64_t now_millis)
      : tokens_(config.capacity), last_refill_millis_(now_millis) {}

  bool tryAcquire(const TokenBucketConfig& config, int64_t now_millis) {
    refill(config, now_millis);
    if (tokens_ <= 0) return false;
    --tokens_;
    return true;
  }

  // A full bucket is the same as none: its owner may forget it.
  bool isFull(const TokenBucketConfig& config, int64_t now_millis) {
    refill(config, now_millis);
    return tokens_ >= config.capacity;
  }

 private:
  void refill(const TokenBucketConfig& config, int64_t now_millis) {
    if (config.refill_interval_millis <= 0 || tokens_ >= config.capacity) {
      // A full bucket gains nothing while it waits; starting the interval now keeps a burst
      // after a long idle time from refilling early.
      last_refill_millis_ = std::max(last_refill_millis_, now_millis);
      return;
    }
    const int64_t periods = (now_millis - last_refill_millis_) / config.refill_interval_millis;
    if (periods <= 0) return;
    const int64_t added = std::min<int64_t>(periods, config.capacity) * config.tokens_per_period;
    tokens_ = static_cast<int32_t>(std::min<int64_t>(config.capacity, tokens_ + added));
    // The part of an interval already waited counts toward the next token.
    last_refill_millis_ += periods * config.refill_interval_millis;
  }

  int32_t tokens_;
  int64_t last_refill_millis_;
};

}  // namespace parley
