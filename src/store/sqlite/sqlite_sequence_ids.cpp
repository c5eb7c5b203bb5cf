#include "store/sqlite/sqlite_sequence_ids.h"

#include <algorithm>

namespace parley::sqlite {
namespace {

constexpr std::string_view kNext =
    "INSERT INTO sequence_id (is_group, a, b, value) VALUES (?1, ?2, ?3, 1) "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET value = value + 1 RETURNING value";

}  // namespace

Result<int64_t> SqliteSequenceIds::next(const ConversationKey& key) {
  // A hand-built key may have its users in either order; one conversation must be one counter.
  const int64_t a = key.is_group ? key.a : std::min(key.a, key.b);
  const int64_t b = key.is_group ? 0 : std::max(key.a, key.b);
  int64_t value = 0;
  // Part of the group commit of the message insert that follows, without waiting for it: the id
  // reaches clients only with its message, which is committed with or after this counter (see
  // Database::writeBeforeCommit), so a crash can never hand out an id that a stored message has.
  VoidResult written = db_.writeBeforeCommit([&]() -> VoidResult {
    Result<Statement> stmt = db_.prepare(kNext);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, int64_t{key.is_group}).bind(2, a).bind(3, b);
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) {
      return error(StatusCode::kServerInternalError, "sequence upsert returned no row");
    }
    value = stmt->columnInt64(0);
    return stmt->run();
  });
  if (!written.ok()) return written.status();
  return value;
}

}  // namespace parley::sqlite
