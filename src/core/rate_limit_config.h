#pragma once
// The parameters of the client throttles (TokenBucket, LoginBackoff, AutoBlocker), apart from their
// code so that the configuration can hold them without including it.
#include <cstdint>

namespace parley {

// Upstream Turms' rate-limiting properties, less initialTokens: a bucket starts full.
struct TokenBucketConfig {
  int capacity = 50;
  int tokens_per_period = 1;
  int refill_interval_millis = 1000;  // 0 = never refill
};

struct LoginBackoffConfig {
  int free_attempts = 5;
  int first_backoff_millis = 1000;
  int max_backoff_millis = 5 * 60 * 1000;
};

// One level of automatic blocking (AutoBlocker): `offences` more offences while at the level
// before block the client for block_millis; one offence is forgiven per forgive_one_after_millis
// without any (0 = never).
struct AutoBlockLevel {
  int64_t block_millis;
  int64_t forgive_one_after_millis;
  int offences;
  bool operator==(const AutoBlockLevel&) const = default;
};

}  // namespace parley
