#pragma once
// Slows password guessing: after free_attempts failed logins of one key (a user id, a client
// IP), each further failure locks the key out for twice as long as the one before, from
// first_backoff_millis up to max_backoff_millis. A locked-out attempt is refused before any
// password check, so it neither costs Argon2 time nor tells a guess apart. A key forgets its
// failures once it went max_backoff_millis without one, or at a successful login.
// Thread-safe (StripedMap).
#include <algorithm>
#include <cstdint>

#include "core/rate_limit_config.h"
#include "core/striped_map.h"

namespace parley {

struct LoginFailures {
  int count = 0;
  int64_t last_failure_millis = 0;
  int64_t locked_until_millis = 0;
};

template <typename Map>
class LoginBackoff {
 public:
  explicit LoginBackoff(LoginBackoffConfig config) : config_(config) {}

  // How long the key must still wait before its next attempt; 0 = it may try now.
  template <typename LookupKey>
  int64_t waitMillis(LookupKey key, int64_t now_millis) {
    return failures_.read(
        key,
        [&](const LoginFailures& failures) {
          return std::max<int64_t>(0, failures.locked_until_millis - now_millis);
        },
        int64_t{0});
  }

  template <typename LookupKey>
  void recordFailure(LookupKey key, int64_t now_millis) {
    failures_.update(
        key, [] { return LoginFailures{}; },
        [&](LoginFailures& failures) {
          if (forgotten(failures, now_millis)) failures = LoginFailures{};
          failures.last_failure_millis = now_millis;
          if (++failures.count <= config_.free_attempts) return;
          const int doublings = std::min(failures.count - config_.free_attempts - 1, 30);
          failures.locked_until_millis =
              now_millis + std::min<int64_t>(int64_t{config_.first_backoff_millis} << doublings,
                                             config_.max_backoff_millis);
        });
  }

  template <typename LookupKey>
  void recordSuccess(LookupKey key) {
    failures_.erase(key);
  }

  // Forgets keys quiet for long enough; returns how many remain.
  size_t prune(int64_t now_millis) {
    return failures_.eraseIf(
        [&](const LoginFailures& failures) { return forgotten(failures, now_millis); });
  }

 private:
  bool forgotten(const LoginFailures& failures, int64_t now_millis) const {
    return failures.last_failure_millis + config_.max_backoff_millis < now_millis;
  }

  const LoginBackoffConfig config_;
  Map failures_;
};

using IpLoginBackoff = LoginBackoff<IpMap<LoginFailures>>;
using UserLoginBackoff = LoginBackoff<UserIdMap<LoginFailures>>;

}  // namespace parley
