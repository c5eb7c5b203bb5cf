#pragma once
// The embedded node's second level of the password verification cache (core/verification_cache.h):
// in memory like the first, and kept in the node's SQLite file, so that a restarted node lets its
// returning users in without Argon2 (a restart used to cost every user about 12 ms of CPU, two
// minutes for 19,000 users on two cores).
//
// Lookups answer from memory (answersFromMemory: an io thread may ask). Writes change memory at
// once and reach the file behind the login, through the writer thread's group commit (one queued
// write per remember() call, never waited for). Start-up reads back the rows that have not
// expired and deletes the others; later writes delete expired rows now and then. A write lost in
// a crash costs its user one full verification, nothing else.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/digest_lru.h"
#include "core/verification_cache.h"

namespace parley {
class Clock;
}

namespace parley::sqlite {

class Database;

// Migration 9 (sqlite_store.cpp): digests in hex (64 characters), expiry in epoch milliseconds.
inline constexpr std::string_view kVerificationCacheSchema = R"sql(
CREATE TABLE verified_password (
  digest TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

class SqliteVerificationCache final : public SharedVerificationCache {
 public:
  // Reads the rows that have not expired (the capacity nearest to expiring last) into memory and
  // deletes the expired ones; throws std::runtime_error when the table cannot be read (start-up
  // only). db and clock must outlive this object; ttl_millis > 0, capacity > 0.
  SqliteVerificationCache(Database& db, const Clock& clock, int64_t ttl_millis, size_t capacity);

  bool answersFromMemory() const override { return true; }
  SharedLookup lookup(const VerificationDigest& digest) override;
  void remember(std::span<const VerificationDigest> digests) override;
  uint64_t failedWrites() const override;
  int64_t ttlMillis() const override { return memory_.ttlMillis(); }

  // Entries in memory (tests).
  size_t size() const { return memory_.size(); }

 private:
  Database& db_;
  const Clock& clock_;
  DigestLru memory_;
  // When expired rows were last deleted; they go at most every quarter TTL, with a write.
  std::atomic<int64_t> last_purge_millis_{0};
  // Shared with the completions of queued writes, which may run after this object is gone.
  std::shared_ptr<std::atomic<uint64_t>> failed_writes_;
};

}  // namespace parley::sqlite
