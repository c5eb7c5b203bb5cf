#include "store/sqlite/sqlite_verification_cache.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/sqlite/sqlite_database.h"

namespace parley::sqlite {
namespace {

struct Row {
  std::string digest_hex;
  int64_t expires_at_millis;
};

constexpr std::string_view kDeleteExpired = "DELETE FROM verified_password WHERE expires_at <= ?1";

[[noreturn]] void failToLoad(const Status& status) {
  throw std::runtime_error("password verification cache: cannot read verified_password: " +
                           status.reason);
}

}  // namespace

SqliteVerificationCache::SqliteVerificationCache(Database& db, const Clock& clock,
                                                 int64_t ttl_millis, size_t capacity)
    : db_(db),
      clock_(clock),
      memory_(ttl_millis, capacity),
      failed_writes_(std::make_shared<std::atomic<uint64_t>>(0)) {
  const int64_t now = clock_.nowMillis();
  std::vector<Row> rows;
  {
    auto lock = db_.lock();
    auto purge = db_.prepare(kDeleteExpired);
    if (!purge.ok()) failToLoad(purge.status());
    if (VoidResult done = purge->bind(1, now).run(); !done.ok()) failToLoad(done.status());
    // The newest `capacity`, read newest first, restored oldest first.
    auto select = db_.prepare(
        "SELECT digest, expires_at FROM verified_password ORDER BY expires_at DESC LIMIT ?1");
    if (!select.ok()) failToLoad(select.status());
    select->bind(1, static_cast<int64_t>(capacity));
    for (;;) {
      Result<bool> row = select->step();
      if (!row.ok()) failToLoad(row.status());
      if (!*row) break;
      rows.push_back({select->columnText(0), select->columnInt64(1)});
    }
  }
  size_t restored = 0;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    VerificationDigest digest;
    if (!digestFromHex(it->digest_hex, &digest)) continue;
    memory_.restore(digest, it->expires_at_millis, now);
    ++restored;
  }
  last_purge_millis_ = now;
  if (restored > 0) {
    spdlog::info("password verification cache: {} entries kept from the last run", restored);
  }
}

SharedLookup SqliteVerificationCache::lookup(const VerificationDigest& digest) {
  return memory_.contains(digest, clock_.nowMillis()) ? SharedLookup::kFound
                                                      : SharedLookup::kAbsent;
}

void SqliteVerificationCache::remember(std::span<const VerificationDigest> digests) {
  if (digests.empty()) return;
  const int64_t now = clock_.nowMillis();
  const int64_t expires_at = now + memory_.ttlMillis();
  std::vector<std::string> hex;
  hex.reserve(digests.size());
  for (const VerificationDigest& digest : digests) {
    memory_.add(digest, now);
    hex.push_back(toHex(digest));
  }
  // Expired rows are deleted with a write now and then, not by a timer of their own.
  int64_t last_purge = last_purge_millis_.load(std::memory_order_relaxed);
  const bool purge = now - last_purge >= memory_.ttlMillis() / 4 &&
                     last_purge_millis_.compare_exchange_strong(last_purge, now);
  Database& db = db_;
  db_.writeAsync(
      [&db, hex = std::move(hex), expires_at, purge, now]() -> VoidResult {
        for (const std::string& digest : hex) {
          auto upsert = db.prepare(
              "INSERT INTO verified_password (digest, expires_at) VALUES (?1, ?2) "
              "ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at");
          if (!upsert.ok()) return upsert.status();
          if (VoidResult done = upsert->bind(1, digest).bind(2, expires_at).run(); !done.ok()) {
            return done;
          }
        }
        if (!purge) return {};
        auto expired = db.prepare(kDeleteExpired);
        if (!expired.ok()) return expired.status();
        return expired->bind(1, now).run();
      },
      [failed = failed_writes_, count = digests.size()](VoidResult written) {
        if (written.ok()) return;
        // Logged by the database with its reason; a lost entry costs one full verification.
        failed->fetch_add(count, std::memory_order_relaxed);
      });
}

uint64_t SqliteVerificationCache::failedWrites() const {
  return failed_writes_->load(std::memory_order_relaxed);
}

}  // namespace parley::sqlite
