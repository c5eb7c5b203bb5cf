#pragma once
// What the gateway limits per client address and per user (ThrottleConfig): requests, new
// connections and failed logins. One per node, shared by every io thread; each check is a
// hash lookup under a striped lock. Disabled, every check allows.
#include <cstdint>
#include <string_view>

#include "core/config.h"
#include "core/ip_address.h"
#include "core/keyed_rate_limiter.h"
#include "core/login_backoff.h"

namespace parley {

class ClientThrottle {
 public:
  explicit ClientThrottle(const ThrottleConfig& config);

  bool enabled() const { return enabled_; }
  bool allowConnection(std::string_view ip, int64_t now_millis);
  // user_id 0: not logged in, only the IP counts.
  enum class Verdict { kAllowed, kIpOverLimit, kUserOverLimit };
  Verdict allowRequest(std::string_view ip, int64_t user_id, int64_t now_millis);

  // How long a login of user_id from ip must still wait after earlier failures; 0 = none.
  int64_t loginWaitMillis(std::string_view ip, int64_t user_id, int64_t now_millis);
  // A wrong password counts against both; an unknown or inactive user only against the IP (the
  // id may not even exist).
  void loginFailed(std::string_view ip, int64_t user_id, bool wrong_password, int64_t now_millis);
  // Clears the user's failures, not the IP's: one valid account must not reset the count of an
  // address guessing at others.
  void loginSucceeded(int64_t user_id);

  // Forgets idle state (full buckets, failures forgotten); call every few seconds.
  void prune(int64_t now_millis);

 private:
  const bool enabled_;
  IpRateLimiter ip_requests_;
  UserRateLimiter user_requests_;
  IpRateLimiter ip_connections_;
  UserLoginBackoff user_login_failures_;
  IpLoginBackoff ip_login_failures_;
};

}  // namespace parley
