#include "store/sqlite/sqlite_sequence_lease_repository.h"

#include <algorithm>
#include <functional>

namespace parley::sqlite {
namespace {

constexpr std::string_view kRaise =
    "INSERT INTO sequence_lease (is_group, a, b, bound) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET bound = max(bound, excluded.bound)";
constexpr std::string_view kBound =
    "SELECT bound FROM sequence_lease WHERE is_group = ?1 AND a = ?2 AND b = ?3";

ConversationKey normalized(const ConversationKey& key) {
  return key.is_group ? ConversationKey::groupOf(key.a) : ConversationKey::privateOf(key.a, key.b);
}

}  // namespace

Result<int64_t> SqliteSequenceLeaseRepository::storedBound(const ConversationKey& key) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kBound);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{key.is_group ? 1 : 0}).bind(2, key.a).bind(3, key.b);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  const int64_t value = row.value() ? stmt->columnInt64(0) : 0;
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return value;
}

Result<int64_t> SqliteSequenceLeaseRepository::bound(const ConversationKey& key) {
  const ConversationKey normal = normalized(key);
  if (const auto pending = pendingBound(normal)) return *pending;
  return storedBound(normal);
}

std::optional<int64_t> SqliteSequenceLeaseRepository::pendingBound(const ConversationKey& key) {
  std::lock_guard lock(pending_mutex_);
  if (auto it = pending_.find(key); it != pending_.end()) return it->second;
  return std::nullopt;
}

Result<SequenceLease> SqliteSequenceLeaseRepository::extend(const ConversationKey& key,
                                                            int64_t count) {
  if (count <= 0) return error(StatusCode::kIllegalArgument, "a lease covers at least one id");
  const ConversationKey normal = normalized(key);
  std::lock_guard turn(stripes_[ConversationKeyHash{}(normal) % stripes_.size()]);
  // Above the row, above a bound raised but not committed yet, and above every stored message
  // (those stored before this conversation had a row, and those stored by an earlier process
  // whose raise did not commit).
  // Memory before the row: a pending bound leaves memory only once its row is committed, so
  // one gone before this look is in the row read next. (Row first, a bound committed and
  // dropped from memory in between would be seen in neither.)
  int64_t from = pendingBound(normal).value_or(0);
  const Result<int64_t> row = storedBound(normal);
  if (!row.ok()) return row.status();
  const Result<int64_t> stored = messages_.maxSequenceId(normal.is_group, normal.a, normal.b);
  if (!stored.ok()) return stored.status();
  from = std::max({from, row.value(), stored.value()});
  {
    std::lock_guard lock(pending_mutex_);
    pending_[normal] = from + count;
  }
  const int64_t to = from + count;
  // Queued before any id of the lease can be handed out, hence before any message carrying one.
  db_.writeAsync(
      [this, normal, to]() -> VoidResult {
        Result<Statement> stmt = db_.prepare(kRaise);
        if (!stmt.ok()) return stmt.status();
        stmt->bind(1, int64_t{normal.is_group ? 1 : 0})
            .bind(2, normal.a)
            .bind(3, normal.b)
            .bind(4, to);
        return stmt->run();
      },
      [this, normal, to](VoidResult written) {
        // Committed: the row covers it. Otherwise memory goes on covering it.
        if (!written.ok()) return;
        std::lock_guard lock(pending_mutex_);
        if (auto it = pending_.find(normal); it != pending_.end() && it->second == to) {
          pending_.erase(it);
        }
      });
  return SequenceLease{from, to};
}

size_t SqliteSequenceLeaseRepository::pendingBounds() {
  std::lock_guard lock(pending_mutex_);
  return pending_.size();
}

}  // namespace parley::sqlite
