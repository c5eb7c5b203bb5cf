#pragma once
// The second level of PasswordHasher's verification cache. The first level is each process's
// memory (password.verification-cache-seconds); this one keeps a successful verification beyond
// one process: in Redis, where every node of a cluster finds what another node verified (a node
// dies, its users log in again elsewhere), or in the embedded node's SQLite store, where the node
// finds it again after a restart.
//
// An entry is a VerificationDigest: BLAKE2b, keyed with the verification cache key, of the stored
// hash and the password (PasswordHasher computes it). Its presence means "this password matched
// this stored hash". It holds neither the password nor the hash, and without the key nothing can
// be tested against it; a password change changes the stored hash, so old entries never match.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace parley {

using VerificationDigest = std::array<unsigned char, 32>;

// 64 lowercase hex digits, as Redis keys and SQLite rows hold a digest.
std::string toHex(const VerificationDigest& digest);
// Exactly 64 hex digits (either case); false otherwise.
bool digestFromHex(std::string_view hex, VerificationDigest* digest);

enum class SharedLookup {
  kFound,
  kAbsent,
  // The level could not answer (Redis unreachable or too slow): the caller verifies in full.
  kUnavailable,
};

class SharedVerificationCache {
 public:
  virtual ~SharedVerificationCache() = default;

  // True when lookup() answers from this process's memory and never waits, so an io thread may
  // ask it; false when it waits on the network (only the blocking pool may ask).
  virtual bool answersFromMemory() const = 0;

  // Whether the digest was remembered less than the level's time to live ago. Thread-safe.
  virtual SharedLookup lookup(const VerificationDigest& digest) = 0;

  // Remembers the digests, or renews them, for the level's time to live from now. Returns at
  // once: the writes happen behind, and their failures are only counted (failedWrites()), since a
  // missing entry costs one full verification later, never a failed login. Thread-safe.
  virtual void remember(std::span<const VerificationDigest> digests) = 0;

  // Writes of remember() that did not reach the level (for metrics).
  virtual uint64_t failedWrites() const = 0;

  // How long an entry lives after remember() last wrote it.
  virtual int64_t ttlMillis() const = 0;
};

}  // namespace parley
