#include "store/sqlite/sqlite_reader_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <thread>

namespace parley::sqlite {

ReaderPool::ReaderPool(const std::string& path, int connections, int cache_kib) {
  connections = std::max(connections, 1);
  const int per_connection_kib = std::max(cache_kib / connections, 1024);
  for (int i = 0; i < connections; ++i) {
    owned_.push_back(std::make_unique<Database>(path, Database::Access::kRead));
    Database& db = *owned_.back();
    auto lock = db.lock();
    if (!db.exec(fmt::format("PRAGMA cache_size=-{}", per_connection_kib)).ok()) {
      throw std::runtime_error("SQLite database " + path + ": cannot size the read cache");
    }
    connections_.push_back(&db);
  }
}

ReaderPool::ReaderPool(Database& only) : connections_{&only} {}

ReaderPool::Lease ReaderPool::acquire() {
  // Per thread, the connection it used last; a fresh thread starts from a hash of its id, so
  // that threads spread over the connections.
  thread_local size_t last = SIZE_MAX;
  reads_.fetch_add(1, std::memory_order_relaxed);
  const size_t count = connections_.size();
  const size_t first =
      last < count ? last : std::hash<std::thread::id>{}(std::this_thread::get_id()) % count;
  for (size_t i = 0; i < count; ++i) {
    const size_t index = (first + i) % count;
    std::unique_lock<std::mutex> lock = connections_[index]->tryLock();
    if (lock.owns_lock()) {
      last = index;
      return Lease(connections_[index], std::move(lock));
    }
  }
  waits_.fetch_add(1, std::memory_order_relaxed);
  last = first;
  return Lease(connections_[first], connections_[first]->lock());
}

}  // namespace parley::sqlite
