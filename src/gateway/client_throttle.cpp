#include "gateway/client_throttle.h"

#include <algorithm>

namespace parley {

ClientThrottle::ClientThrottle(const ThrottleConfig& config)
    : enabled_(config.enabled),
      ip_requests_(config.ip_requests),
      user_requests_(config.user_requests),
      ip_connections_(config.ip_connections),
      user_login_failures_(config.user_login_failures),
      ip_login_failures_(config.ip_login_failures) {}

bool ClientThrottle::allowConnection(std::string_view ip, int64_t now_millis) {
  return !enabled_ || ip_connections_.tryAcquire(ip, now_millis);
}

ClientThrottle::Verdict ClientThrottle::allowRequest(std::string_view ip, int64_t user_id,
                                                     int64_t now_millis) {
  if (!enabled_) return Verdict::kAllowed;
  if (!ip_requests_.tryAcquire(ip, now_millis)) return Verdict::kIpOverLimit;
  if (user_id != 0 && !user_requests_.tryAcquire(user_id, now_millis)) {
    return Verdict::kUserOverLimit;
  }
  return Verdict::kAllowed;
}

int64_t ClientThrottle::loginWaitMillis(std::string_view ip, int64_t user_id, int64_t now_millis) {
  if (!enabled_) return 0;
  return std::max(ip_login_failures_.waitMillis(ip, now_millis),
                  user_login_failures_.waitMillis(user_id, now_millis));
}

void ClientThrottle::loginFailed(std::string_view ip, int64_t user_id, bool wrong_password,
                                 int64_t now_millis) {
  if (!enabled_) return;
  ip_login_failures_.recordFailure(ip, now_millis);
  if (wrong_password) user_login_failures_.recordFailure(user_id, now_millis);
}

void ClientThrottle::loginSucceeded(int64_t user_id) {
  if (enabled_) user_login_failures_.recordSuccess(user_id);
}

void ClientThrottle::prune(int64_t now_millis) {
  if (!enabled_) return;
  ip_requests_.prune(now_millis);
  user_requests_.prune(now_millis);
  ip_connections_.prune(now_millis);
  user_login_failures_.prune(now_millis);
  ip_login_failures_.prune(now_millis);
}

}  // namespace parley
