#include "store/sqlite/sqlite_user_settings_repository.h"

#include <algorithm>

#include "store/sqlite/sqlite_user_version.h"

namespace parley::sqlite {
namespace {

// The statement API binds text only; CAST stores the serialized Value's bytes as the BLOB the
// column requires, and reading a BLOB as text returns the same bytes.
constexpr std::string_view kUpsert =
    "INSERT INTO user_setting (user_id, name, value) VALUES (?1, ?2, CAST(?3 AS BLOB)) "
    "ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value";
constexpr std::string_view kExists =
    "SELECT EXISTS (SELECT 1 FROM user_setting WHERE user_id = ?1 AND name = ?2)";
constexpr std::string_view kDelete = "DELETE FROM user_setting WHERE user_id = ?1 AND name = ?2";
constexpr std::string_view kFind =
    "SELECT name, value FROM user_setting WHERE user_id = ?1 ORDER BY name";

}  // namespace

Result<std::vector<std::string>> SqliteUserSettingsRepository::upsert(
    int64_t user_id, const std::map<std::string, std::string>& settings,
    const std::vector<std::string>& immutable, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  std::vector<std::string> conflicts;
  for (const std::string& name : immutable) {
    if (!settings.contains(name)) continue;
    Result<Statement> stmt = db_.prepare(kExists);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, user_id).bind(2, name);
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (row.value() && stmt->columnInt64(0) != 0) conflicts.push_back(name);
  }
  if (!conflicts.empty()) {
    std::sort(conflicts.begin(), conflicts.end());
    return conflicts;
  }
  for (const auto& [name, value] : settings) {
    Result<Statement> stmt = db_.prepare(kUpsert);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, user_id).bind(2, name).bind(3, value);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  }
  if (const VoidResult moved =
          moveUserVersionForwardLocked(db_, user_id, UserVersionColumn::kUserSettings, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return conflicts;
}

Result<bool> SqliteUserSettingsRepository::remove(int64_t user_id,
                                                  const std::vector<std::string>& names,
                                                  int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t removed = 0;
  for (const std::string& name : names) {
    Result<Statement> stmt = db_.prepare(kDelete);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, user_id).bind(2, name);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    removed += db_.changes();
  }
  if (removed == 0) return false;
  if (const VoidResult moved =
          moveUserVersionForwardLocked(db_, user_id, UserVersionColumn::kUserSettings, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<std::optional<UserSettingsRecord>> SqliteUserSettingsRepository::find(int64_t user_id) {
  Result<std::optional<int64_t>> date =
      findUserVersion(readers_, user_id, UserVersionColumn::kUserSettings);
  if (!date.ok()) return date.status();
  if (!date.value()) return std::optional<UserSettingsRecord>();
  UserSettingsRecord record;
  record.user_id = user_id;
  record.last_updated_date = **date;
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFind);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, user_id);
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    record.settings[stmt->columnText(0)] = stmt->columnText(1);
  }
  return std::optional<UserSettingsRecord>(std::move(record));
}

}  // namespace parley::sqlite
