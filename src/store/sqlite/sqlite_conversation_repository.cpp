#include "store/sqlite/sqlite_conversation_repository.h"

#include <algorithm>
#include <string>

namespace parley::sqlite {
namespace {

// max() keeps a read date from moving backwards, in the same statement as the write, so two
// concurrent receipts cannot interleave a read and a write.
constexpr std::string_view kUpsertPrivateReadDate =
    "INSERT INTO private_conversation (owner_id, target_id, read_date) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (owner_id, target_id) DO UPDATE SET read_date = max(read_date, "
    "excluded.read_date) RETURNING read_date";
constexpr std::string_view kUpsertGroupReadDate =
    "INSERT INTO group_conversation_member (group_id, member_id, read_date) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (group_id, member_id) DO UPDATE SET read_date = max(read_date, "
    "excluded.read_date) RETURNING read_date";
// Id lists are passed as JSON arrays, so one cached statement serves any number of ids.
constexpr std::string_view kQueryPrivate =
    "SELECT target_id, read_date FROM private_conversation "
    "WHERE owner_id = ?1 AND target_id IN (SELECT value FROM json_each(?2)) ORDER BY target_id";
constexpr std::string_view kQueryGroups =
    "SELECT group_id, member_id, read_date FROM group_conversation_member "
    "WHERE group_id IN (SELECT value FROM json_each(?1)) ORDER BY group_id, member_id";

// The statement API binds text only; CAST keeps the bytes as they are and stores them as the
// BLOB the column requires (serialized protobuf is not text). Reading a BLOB as text returns
// the same bytes.
constexpr std::string_view kUpsertSetting =
    "INSERT INTO conversation_settings "
    "(owner_id, is_group, target_id, name, value, last_updated_date) "
    "VALUES (?1, ?2, ?3, ?4, CAST(?5 AS BLOB), ?6) "
    "ON CONFLICT (owner_id, is_group, target_id, name) DO UPDATE SET value = excluded.value, "
    "last_updated_date = excluded.last_updated_date";
// The date belongs to the conversation, so a partial update re-dates its other settings too.
constexpr std::string_view kTouchSettings =
    "UPDATE conversation_settings SET last_updated_date = ?4 "
    "WHERE owner_id = ?1 AND is_group = ?2 AND target_id = ?3";
// Unset filters are bound as NULL: ?3 = JSON array of target ids, ?4 = one setting name.
constexpr std::string_view kDeleteSettings =
    "DELETE FROM conversation_settings WHERE owner_id = ?1 AND is_group = ?2 "
    "AND (?3 IS NULL OR target_id IN (SELECT value FROM json_each(?3))) "
    "AND (?4 IS NULL OR name = ?4)";
constexpr std::string_view kSettingsOfOwner =
    "SELECT is_group, target_id, name, value, last_updated_date FROM conversation_settings "
    "WHERE owner_id = ?1 ORDER BY is_group, target_id, name";
constexpr std::string_view kSettingsOfTargets =
    "SELECT is_group, target_id, name, value, last_updated_date FROM conversation_settings "
    "WHERE owner_id = ?1 AND is_group = ?2 AND target_id IN (SELECT value FROM json_each(?3)) "
    "ORDER BY target_id, name";

// Runs an upsert ... RETURNING read_date to completion and hands back the returned date.
Result<int64_t> upsertReadDate(Database& db, std::string_view sql, int64_t key, int64_t other_key,
                               int64_t read_date) {
  Result<Statement> stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, key).bind(2, other_key).bind(3, read_date);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return error(StatusCode::kServerInternalError, "upsert returned no row");
  const int64_t stored = stmt->columnInt64(0);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return stored;
}

// Appends the rows of a settings SELECT (is_group, target_id, name, value, last_updated_date),
// ordered by conversation, to `out`, one record per conversation.
VoidResult readSettings(Statement& stmt, int64_t owner_id,
                        std::vector<ConversationSettingsRecord>& out) {
  ConversationSettingsRecord* current = nullptr;
  while (true) {
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return {};
    const bool is_group = stmt.columnInt64(0) != 0;
    const int64_t target_id = stmt.columnInt64(1);
    if (current == nullptr || current->is_group != is_group || current->target_id != target_id) {
      current = &out.emplace_back();
      current->owner_id = owner_id;
      current->is_group = is_group;
      current->target_id = target_id;
    }
    current->settings[stmt.columnText(2)] = stmt.columnText(3);
    current->last_updated_date = std::max(current->last_updated_date, stmt.columnInt64(4));
  }
}

}  // namespace

Result<int64_t> SqliteConversationRepository::upsertPrivateReadDate(int64_t owner_id,
                                                                    int64_t target_id,
                                                                    int64_t read_date) {
  auto lock = db_.lock();
  return upsertReadDate(db_, kUpsertPrivateReadDate, owner_id, target_id, read_date);
}

Result<int64_t> SqliteConversationRepository::upsertGroupReadDate(int64_t group_id,
                                                                  int64_t member_id,
                                                                  int64_t read_date) {
  auto lock = db_.lock();
  return upsertReadDate(db_, kUpsertGroupReadDate, group_id, member_id, read_date);
}

Result<std::vector<PrivateConversationRecord>> SqliteConversationRepository::queryPrivate(
    int64_t owner_id, std::span<const int64_t> target_ids) {
  std::vector<PrivateConversationRecord> conversations;
  if (target_ids.empty()) return conversations;
  const std::string targets = jsonArray(target_ids);
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kQueryPrivate);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, targets);
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) return conversations;
    conversations.push_back({owner_id, stmt->columnInt64(0), stmt->columnInt64(1)});
  }
}

Result<std::vector<GroupConversationRecord>> SqliteConversationRepository::queryGroups(
    std::span<const int64_t> group_ids) {
  std::vector<GroupConversationRecord> conversations;
  if (group_ids.empty()) return conversations;
  const std::string groups = jsonArray(group_ids);
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kQueryGroups);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, groups);
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) return conversations;
    const int64_t group_id = stmt->columnInt64(0);
    if (conversations.empty() || conversations.back().group_id != group_id) {
      conversations.emplace_back().group_id = group_id;
    }
    conversations.back().member_read_dates[stmt->columnInt64(1)] = stmt->columnInt64(2);
  }
}

VoidResult SqliteConversationRepository::upsertSettings(
    const ConversationSettingsRecord& settings) {
  if (settings.settings.empty()) return {};
  const int64_t is_group = settings.is_group ? 1 : 0;
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  for (const auto& [name, value] : settings.settings) {
    Result<Statement> stmt = db_.prepare(kUpsertSetting);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, settings.owner_id)
        .bind(2, is_group)
        .bind(3, settings.target_id)
        .bind(4, name)
        .bind(5, value)
        .bind(6, settings.last_updated_date);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  }
  Result<Statement> touch = db_.prepare(kTouchSettings);
  if (!touch.ok()) return touch.status();
  touch->bind(1, settings.owner_id)
      .bind(2, is_group)
      .bind(3, settings.target_id)
      .bind(4, settings.last_updated_date);
  if (const VoidResult done = touch->run(); !done.ok()) return done.status();
  return transaction->commit();
}

Result<int64_t> SqliteConversationRepository::deleteSettings(int64_t owner_id, bool is_group,
                                                             std::span<const int64_t> target_ids,
                                                             std::span<const std::string> names) {
  std::optional<std::string> targets;
  if (!target_ids.empty()) targets = jsonArray(target_ids);
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t deleted = 0;
  const auto deleteMatching = [&](std::optional<std::string_view> name) -> VoidResult {
    Result<Statement> stmt = db_.prepare(kDeleteSettings);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, owner_id).bind(2, int64_t{is_group ? 1 : 0}).bind(3, targets).bind(4, name);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    deleted += db_.changes();
    return {};
  };
  if (names.empty()) {
    if (const VoidResult done = deleteMatching(std::nullopt); !done.ok()) return done.status();
  }
  for (const std::string& name : names) {
    if (const VoidResult done = deleteMatching(name); !done.ok()) return done.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return deleted;
}

Result<std::vector<ConversationSettingsRecord>> SqliteConversationRepository::querySettings(
    int64_t owner_id, std::span<const int64_t> user_ids, std::span<const int64_t> group_ids,
    std::optional<int64_t> last_updated_date_start) {
  std::vector<ConversationSettingsRecord> conversations;
  {
    ReaderPool::Lease reader = readers_.acquire();
    if (user_ids.empty() && group_ids.empty()) {
      Result<Statement> stmt = reader->prepare(kSettingsOfOwner);
      if (!stmt.ok()) return stmt.status();
      stmt->bind(1, owner_id);
      if (const VoidResult done = readSettings(*stmt, owner_id, conversations); !done.ok()) {
        return done.status();
      }
    }
    for (const auto& [is_group, ids] : {std::pair{int64_t{0}, user_ids}, {int64_t{1}, group_ids}}) {
      if (ids.empty()) continue;
      Result<Statement> stmt = reader->prepare(kSettingsOfTargets);
      if (!stmt.ok()) return stmt.status();
      stmt->bind(1, owner_id).bind(2, is_group).bind(3, jsonArray(ids));
      if (const VoidResult done = readSettings(*stmt, owner_id, conversations); !done.ok()) {
        return done.status();
      }
    }
  }
  if (last_updated_date_start) {
    std::erase_if(conversations, [&](const ConversationSettingsRecord& conversation) {
      return conversation.last_updated_date < *last_updated_date_start;
    });
  }
  return conversations;
}

}  // namespace parley::sqlite
