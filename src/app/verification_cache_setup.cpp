#include "app/verification_cache_setup.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "app/cluster_node.h"
#include "core/password_hasher.h"
#include "online/redis_verification_cache.h"
#include "store/store.h"

namespace parley {
namespace {

// The store's setting that holds the generated secret.
constexpr const char* kSecretSetting = "passwordVerificationCacheSecret";
// Entries the embedded node keeps (in memory and in its file): far more than the sessions one
// node holds, so only entries whose sessions ended long ago are ever evicted.
constexpr size_t kEmbeddedCapacity = 200'000;

bool sharedLevelEnabled(const PasswordConfig& config) {
  return config.verification_cache_seconds > 0 && config.shared_verification_cache_seconds > 0;
}

}  // namespace

std::string verificationCacheSecret(const PasswordConfig& config, Store& store) {
  if (!config.verification_cache_secret.empty()) {
    spdlog::info("password verification cache: keyed with password.verification-cache-secret");
    return config.verification_cache_secret;
  }
  if (!sharedLevelEnabled(config)) return "";
  Result<std::string> secret =
      store.sharedSetting(kSecretSetting, PasswordHasher::newVerificationCacheSecret());
  if (!secret.ok()) {
    throw std::runtime_error("cannot read the password verification cache secret from the store: " +
                             secret.status().reason);
  }
  spdlog::info(
      "password verification cache: keyed with the secret kept in the business store (set "
      "password.verification-cache-secret to keep it out of the store)");
  return std::move(secret).value();
}

std::unique_ptr<SharedVerificationCache> openSharedVerificationCache(const PasswordConfig& config,
                                                                     ClusterNode* cluster,
                                                                     Store& store,
                                                                     const Clock& clock) {
  if (!sharedLevelEnabled(config)) return nullptr;
  const int64_t ttl_millis = int64_t{config.shared_verification_cache_seconds} * 1000;
  if (cluster) {
    spdlog::info(
        "password verification cache: shared in Redis, entries kept {} s after their "
        "last login or session renewal",
        config.shared_verification_cache_seconds);
    return std::make_unique<RedisVerificationCache>(cluster->sessionRedis(), ttl_millis);
  }
  auto kept = store.openVerificationCache(clock, ttl_millis, kEmbeddedCapacity);
  if (kept) {
    spdlog::info(
        "password verification cache: kept in the store across restarts, entries kept "
        "{} s after their last login or session renewal",
        config.shared_verification_cache_seconds);
  }
  return kept;
}

}  // namespace parley
