#include "store/sqlite/sqlite_sequence_lease_repository.h"

namespace parley::sqlite {
namespace {

// ?4: the highest stored sequence id, the start of a conversation that has no row yet.
constexpr std::string_view kExtend =
    "INSERT INTO sequence_lease (is_group, a, b, bound) VALUES (?1, ?2, ?3, ?4 + ?5) "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET bound = bound + ?5 RETURNING bound";

constexpr std::string_view kBound =
    "SELECT bound FROM sequence_lease WHERE is_group = ?1 AND a = ?2 AND b = ?3";

ConversationKey normalized(const ConversationKey& key) {
  return key.is_group ? ConversationKey::groupOf(key.a) : ConversationKey::privateOf(key.a, key.b);
}

}  // namespace

Result<int64_t> SqliteSequenceLeaseRepository::bound(const ConversationKey& key) {
  const ConversationKey normal = normalized(key);
  // On the writer's connection: a bound extend() just committed is visible at once.
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kBound);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{normal.is_group ? 1 : 0}).bind(2, normal.a).bind(3, normal.b);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  const int64_t value = row.value() ? stmt->columnInt64(0) : 0;
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return value;
}

Result<SequenceLease> SqliteSequenceLeaseRepository::extend(const ConversationKey& key,
                                                            int64_t count) {
  if (count <= 0) return error(StatusCode::kIllegalArgument, "a lease covers at least one id");
  const ConversationKey normal = normalized(key);
  // Read outside the write: it only matters for a conversation without a row, whose messages
  // were all stored before it had one.
  const Result<int64_t> stored = messages_.maxSequenceId(normal.is_group, normal.a, normal.b);
  if (!stored.ok()) return stored.status();
  int64_t bound = 0;
  const VoidResult written = db_.writeDurably([&]() -> VoidResult {
    Result<Statement> stmt = db_.prepare(kExtend);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, int64_t{normal.is_group ? 1 : 0})
        .bind(2, normal.a)
        .bind(3, normal.b)
        .bind(4, stored.value())
        .bind(5, count);
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value())
      return error(StatusCode::kServerInternalError, "lease upsert returned no row");
    bound = stmt->columnInt64(0);
    return stmt->run();
  });
  if (!written.ok()) return written.status();
  return SequenceLease{bound - count, bound};
}

}  // namespace parley::sqlite
