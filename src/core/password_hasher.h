#pragma once
// Password hashing for user logins. Stored hashes are self-describing strings, so a store can
// hold hashes of both algorithms at once (e.g. users imported from Turms next to new users).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/verification_cache.h"

namespace parley {

enum class PasswordAlgorithm { kArgon2id, kSaltedSha256 };

// Counters for metrics (and for tests to observe the cache).
struct PasswordVerifyStats {
  uint64_t cache_hits = 0;          // answered by this process's memory
  uint64_t full_verifications = 0;  // ran Argon2id or SHA-256
  // The shared level (verification_cache.h): lookups it answered yes or no, lookups it could not
  // answer (each followed by a full verification), and its writes that failed.
  uint64_t shared_hits = 0;
  uint64_t shared_misses = 0;
  uint64_t shared_unavailable = 0;
  uint64_t shared_write_failures = 0;
};

struct PasswordHasherOptions {
  PasswordAlgorithm algorithm = PasswordAlgorithm::kArgon2id;  // for new hashes
  uint64_t argon2_ops_limit = 2;
  uint64_t argon2_mem_limit_kib = 19 * 1024;
  int verification_cache_seconds = 300;  // 0 disables the cache, both levels
  size_t verification_cache_capacity = 100000;
  // Keys the cache's digests: any text of at least 32 characters, the same on every node that
  // shares a second level. Empty: a random key of this process, so its digests mean nothing
  // anywhere else (enough for the in-memory level alone).
  std::string verification_cache_secret;
};

class PasswordHasher {
 public:
  PasswordHasher(PasswordHasherOptions options, const Clock& clock);
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // Hashes with the configured algorithm. Argon2id: libsodium's "$argon2id$..." string.
  // Salted SHA-256: "$sha256$<salt hex>$<digest hex>".
  std::string hash(std::string_view password) const;

  // A second cache level (Redis, or the embedded node's store) behind the in-memory one. Call
  // before the hasher verifies anything; cache must outlive every later call. Ignored when the
  // cache is disabled.
  void useSharedCache(SharedVerificationCache& cache);

  // Constant-time verification against a stored hash of either algorithm. A successful check is
  // remembered for verification_cache_seconds under a keyed digest of (stored hash, password),
  // so the cache never holds a password and a changed hash invalidates it; and in the shared
  // level, which is asked before a full verification. A shared level that fails to answer costs
  // a full verification, never a wrong answer. On success with the cache enabled, *digest (when
  // given) receives the digest, for keepAlive(). Thread-safe.
  bool verify(std::string_view password, std::string_view stored_hash,
              VerificationDigest* digest = nullptr) const;
  // verify()'s answer when its cache has it (this password matched this hash within
  // verification_cache_seconds, or the shared level has it and answers from memory), false
  // otherwise: never runs Argon2 nor waits, so an io thread may call it. A false answer says
  // nothing about the password.
  bool verifiedRecently(std::string_view password, std::string_view stored_hash,
                        VerificationDigest* digest = nullptr) const;

  // Renews the shared level's entries of digests: those of the sessions still logged in, so that
  // their users find them when they log in again after their node died or restarted. Returns at
  // once. No-op without a shared level.
  void keepAlive(std::span<const VerificationDigest> digests) const;
  // How often keepAlive() should be called with every live session's digest: a quarter of the
  // shared level's time to live, so an entry outlives its session by 3/4 of it at least. 0
  // without a shared level.
  int64_t keepAliveIntervalMillis() const;

  PasswordVerifyStats stats() const;

  // A new random verification cache secret (64 hex digits: 256 bits), for a store to keep.
  static std::string newVerificationCacheSecret();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley
