#include "store/sqlite/sqlite_sequence_ids.h"

#include <algorithm>
#include <memory>

namespace parley::sqlite {
namespace {

constexpr std::string_view kRecorded =
    "SELECT value FROM sequence_id WHERE is_group = ?1 AND a = ?2 AND b = ?3";
constexpr std::string_view kRecord =
    "INSERT INTO sequence_id (is_group, a, b, value) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET value = excluded.value";

// A hand-built key may have its users in either order; one conversation must be one sequence.
ConversationKey normalized(const ConversationKey& key) {
  if (key.is_group) return {true, key.a, 0};
  return ConversationKey::privateOf(key.a, key.b);
}

}  // namespace

Result<int64_t> SqliteSequenceIds::lastInWrite(const ConversationKey& key) {
  Result<int64_t> stored = messages_.maxSequenceIdInWrite(key.is_group, key.a, key.b);
  if (!stored.ok()) return stored.status();
  Result<Statement> stmt = db_.prepare(kRecorded);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{key.is_group}).bind(2, key.a).bind(3, key.b);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  const int64_t recorded = row.value() ? stmt->columnInt64(0) : 0;
  return std::max(stored.value(), recorded);
}

Result<int64_t> SqliteSequenceIds::next(const ConversationKey& key) {
  const ConversationKey conversation = normalized(key);
  int64_t value = 0;
  VoidResult written = db_.writeBeforeCommit([&]() -> VoidResult {
    Result<int64_t> last = lastInWrite(conversation);
    if (!last.ok()) return last.status();
    Result<Statement> stmt = db_.prepare(kRecord);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, int64_t{conversation.is_group})
        .bind(2, conversation.a)
        .bind(3, conversation.b)
        .bind(4, last.value() + 1);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    value = last.value() + 1;
    return {};
  });
  if (!written.ok()) return written.status();
  return value;
}

void SqliteSequenceIds::numberAndStoreAsync(MessageRecord message, MessageRepository& messages,
                                            std::function<void(Result<int64_t>)> done) {
  if (&messages != &messages_) {
    SequenceIds::numberAndStoreAsync(std::move(message), messages, std::move(done));
    return;
  }
  auto numbered = std::make_shared<MessageRecord>(std::move(message));
  db_.writeAsync(
      [this, numbered]() -> VoidResult {
        Result<int64_t> last = lastInWrite(ConversationKey::of(*numbered));
        if (!last.ok()) return last.status();
        numbered->sequence_id = last.value() + 1;
        return messages_.insertInWrite(*numbered);
      },
      [numbered, done = std::move(done)](VoidResult written) {
        if (!written.ok()) {
          done(written.status());
        } else {
          done(numbered->sequence_id);
        }
      });
}

}  // namespace parley::sqlite
