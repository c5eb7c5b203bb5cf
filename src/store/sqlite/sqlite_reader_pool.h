#pragma once
// The read connections of the embedded store. Reads run on many threads at once (an embedded
// node's io threads check every message there; compute and blocking threads serve the rest); on a
// single connection each would wait behind the longest read in progress, a history query say. A
// read takes a free connection, preferring the one its thread used last (whose page cache holds
// what that thread reads), and waits only when every connection is busy.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_database.h"

namespace parley::sqlite {

class ReaderPool {
 public:
  // Opens `connections` read connections to path (Database::Access::kRead; the writer must have
  // created the file). They share one page-cache budget of `cache_kib`. Throws at start-up when
  // the file cannot be read.
  ReaderPool(const std::string& path, int connections, int cache_kib);
  // Reads on an existing connection (tests that read and write through one Database).
  explicit ReaderPool(Database& only);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // One connection, locked for as long as the lease lives (Statements included).
  class Lease {
   public:
    Database& operator*() const { return *db_; }
    Database* operator->() const { return db_; }

   private:
    friend class ReaderPool;
    Lease(Database* db, std::unique_lock<std::mutex> lock) : db_(db), lock_(std::move(lock)) {}
    Database* db_;
    std::unique_lock<std::mutex> lock_;
  };
  [[nodiscard]] Lease acquire();
  size_t size() const { return connections_.size(); }
  // Leases handed out, and of those the ones that found every connection busy and waited (for
  // /metrics: many waits mean too few connections for the reads in flight).
  uint64_t reads() const { return reads_.load(std::memory_order_relaxed); }
  uint64_t waits() const { return waits_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> waits_{0};
  std::vector<std::unique_ptr<Database>> owned_;
  std::vector<Database*> connections_;
};

// Prepares `sql` on a read connection and returns read(statement), the connection held meanwhile.
// read binds the parameters and steps; a failed prepare is the result.
template <typename Read>
auto readWith(ReaderPool& readers, std::string_view sql, Read&& read)
    -> decltype(read(std::declval<Statement&>())) {
  ReaderPool::Lease reader = readers.acquire();
  Result<Statement> stmt = reader->prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return read(*stmt);
}

// The first column of the first row of `sql` (a COUNT(*) say) after bind(statement); 0 when there
// is no row.
template <typename Bind>
Result<int64_t> readInt64(ReaderPool& readers, std::string_view sql, Bind&& bind) {
  return readWith(readers, sql, [&](Statement& stmt) -> Result<int64_t> {
    bind(stmt);
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    return row.value() ? stmt.columnInt64(0) : int64_t{0};
  });
}

}  // namespace parley::sqlite
