#pragma once
// Password hashing for user logins. Stored hashes are self-describing strings, so a store can
// hold hashes of both algorithms at once (e.g. users imported from Turms next to new users).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace parley {

enum class PasswordAlgorithm { kArgon2id, kSaltedSha256 };

// Counters for metrics (and for tests to observe the cache).
struct PasswordVerifyStats {
  uint64_t cache_hits = 0;
  uint64_t full_verifications = 0;  // ran Argon2id or SHA-256
};

struct PasswordHasherOptions {
  PasswordAlgorithm algorithm = PasswordAlgorithm::kArgon2id;  // for new hashes
  uint64_t argon2_ops_limit = 2;
  uint64_t argon2_mem_limit_kib = 19 * 1024;
  int verification_cache_seconds = 300;  // 0 disables the cache
  size_t verification_cache_capacity = 100000;
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

  // Constant-time verification against a stored hash of either algorithm. A successful check is
  // remembered for verification_cache_seconds under a keyed digest of (stored hash, password),
  // so the cache never holds a password and a changed hash invalidates it. Thread-safe.
  bool verify(std::string_view password, std::string_view stored_hash) const;
  // verify()'s answer when its cache has it (this password matched this hash within
  // verification_cache_seconds), false otherwise: never runs Argon2, so an io thread may call it.
  // A false answer says nothing about the password.
  bool verifiedRecently(std::string_view password, std::string_view stored_hash) const;

  PasswordVerifyStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley
