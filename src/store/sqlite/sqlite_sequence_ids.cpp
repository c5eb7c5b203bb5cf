#include "store/sqlite/sqlite_sequence_ids.h"

#include <algorithm>
#include <memory>

namespace parley::sqlite {
namespace {

constexpr std::string_view kNext =
    "INSERT INTO sequence_id (is_group, a, b, value) VALUES (?1, ?2, ?3, 1) "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET value = value + 1 RETURNING value";

// The upsert, run by the writer thread: the conversation's next value, counted from 1.
Result<int64_t> upsertNext(Database& db, const ConversationKey& key) {
  // A hand-built key may have its users in either order; one conversation must be one counter.
  const int64_t a = key.is_group ? key.a : std::min(key.a, key.b);
  const int64_t b = key.is_group ? 0 : std::max(key.a, key.b);
  Result<Statement> stmt = db.prepare(kNext);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{key.is_group}).bind(2, a).bind(3, b);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value())
    return error(StatusCode::kServerInternalError, "sequence upsert returned no row");
  const int64_t value = stmt->columnInt64(0);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return value;
}

}  // namespace

Result<int64_t> SqliteSequenceIds::next(const ConversationKey& key) {
  int64_t value = 0;
  VoidResult written = db_.writeBeforeCommit([&]() -> VoidResult {
    Result<int64_t> next = upsertNext(db_, key);
    if (!next.ok()) return next.status();
    value = next.value();
    return {};
  });
  if (!written.ok()) return written.status();
  return value;
}

void SqliteSequenceIds::nextAsync(const ConversationKey& key,
                                  std::function<void(Result<int64_t>)> done) {
  auto value = std::make_shared<int64_t>(0);
  db_.writeAsync(
      [this, key, value]() -> VoidResult {
        Result<int64_t> next = upsertNext(db_, key);
        if (!next.ok()) return next.status();
        *value = next.value();
        return {};
      },
      [value, done = std::move(done)](VoidResult written) {
        if (!written.ok()) {
          done(written.status());
        } else {
          done(*value);
        }
      },
      Database::NotifyWhen::kExecuted);
}

}  // namespace parley::sqlite
