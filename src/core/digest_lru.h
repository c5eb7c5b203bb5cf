#pragma once
// A bounded set of verification digests that each expire a fixed time after they were added or
// last renewed: the in-memory verification cache (PasswordHasher) and the embedded node's
// persistent one (SqliteVerificationCache) both keep their entries in one. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

#include "core/verification_cache.h"

namespace parley {

class DigestLru {
 public:
  // ttl_millis > 0, capacity > 0.
  DigestLru(int64_t ttl_millis, size_t capacity);

  // True while digest's entry has not expired. Expired entries met on the way are dropped.
  bool contains(const VerificationDigest& digest, int64_t now_millis);

  // Adds digest, or renews it, to expire ttl after now; past capacity the entry closest to
  // expiring goes.
  void add(const VerificationDigest& digest, int64_t now_millis);

  // Adds an entry that expires at expires_at_millis (entries read back from storage), never later
  // than ttl after now. Call in order of expiry, before any add(), to keep the oldest-first order
  // that eviction relies on.
  void restore(const VerificationDigest& digest, int64_t expires_at_millis, int64_t now_millis);

  size_t size() const;
  int64_t ttlMillis() const { return ttl_millis_; }

 private:
  struct Entry {
    VerificationDigest digest;
    int64_t expires_at_millis;
  };
  struct DigestHash {
    size_t operator()(const VerificationDigest& digest) const;
  };

  // A wall clock that went backwards must not extend an entry's life: an entry expiring more than
  // ttl after now is treated as expired too.
  bool live(int64_t expires_at_millis, int64_t now_millis) const {
    return now_millis < expires_at_millis && expires_at_millis - now_millis <= ttl_millis_;
  }
  void insertLocked(const VerificationDigest& digest, int64_t expires_at_millis,
                    int64_t now_millis);

  const int64_t ttl_millis_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  // Oldest first. Every entry gets the same TTL, so this is also expiry order.
  std::list<Entry> order_;
  std::unordered_map<VerificationDigest, std::list<Entry>::iterator, DigestHash> index_;
};

}  // namespace parley
