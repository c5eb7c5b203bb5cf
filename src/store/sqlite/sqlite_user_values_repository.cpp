#include "store/sqlite/sqlite_user_values_repository.h"

#include <fmt/format.h>

#include <algorithm>

namespace parley::sqlite {

// The statement API binds text only; CAST stores the serialized Value's bytes as the BLOB the
// column requires, and reading a BLOB as text returns the same bytes.
SqliteUserValuesRepository::SqliteUserValuesRepository(Database& db, ReaderPool& readers,
                                                       UserValuesLayout layout)
    : db_(db),
      readers_(readers),
      date_(layout.date),
      upsert_sql_(
          fmt::format("INSERT INTO {} (user_id, name, value) VALUES (?1, ?2, CAST(?3 AS BLOB)) "
                      "ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value",
                      layout.table)),
      exists_sql_(fmt::format("SELECT EXISTS (SELECT 1 FROM {} WHERE user_id = ?1 AND name = ?2)",
                              layout.table)),
      delete_sql_(fmt::format("DELETE FROM {} WHERE user_id = ?1 AND name = ?2", layout.table)),
      find_many_sql_(fmt::format(
          "SELECT v.user_id, v.name, v.value, d.{1} FROM {0} v JOIN user_version d "
          "ON d.user_id = v.user_id WHERE v.user_id IN (SELECT value FROM json_each(?1)) "
          "ORDER BY v.user_id, v.name",
          layout.table, userVersionColumnName(layout.date))) {}

Result<std::vector<std::string>> SqliteUserValuesRepository::upsert(
    int64_t user_id, const std::map<std::string, std::string>& values,
    const std::vector<std::string>& immutable, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  std::vector<std::string> conflicts;
  for (const std::string& name : immutable) {
    if (!values.contains(name)) continue;
    Result<Statement> stmt = db_.prepare(exists_sql_);
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
  for (const auto& [name, value] : values) {
    Result<Statement> stmt = db_.prepare(upsert_sql_);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, user_id).bind(2, name).bind(3, value);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  }
  if (const VoidResult moved = moveUserVersionForwardLocked(db_, user_id, date_, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return conflicts;
}

Result<bool> SqliteUserValuesRepository::remove(int64_t user_id,
                                                const std::vector<std::string>& names,
                                                int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t removed = 0;
  for (const std::string& name : names) {
    Result<Statement> stmt = db_.prepare(delete_sql_);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, user_id).bind(2, name);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    removed += db_.changes();
  }
  if (removed == 0) return false;
  if (const VoidResult moved = moveUserVersionForwardLocked(db_, user_id, date_, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<std::optional<UserValuesRecord>> SqliteUserValuesRepository::find(int64_t user_id) {
  const int64_t ids[] = {user_id};
  Result<std::vector<UserValuesRecord>> found = findMany(ids);
  if (!found.ok()) return found.status();
  if (!found->empty()) return std::optional<UserValuesRecord>(std::move(found->front()));
  // Stored once, all removed since: the date remains and says when.
  Result<std::optional<int64_t>> date = findUserVersion(readers_, user_id, date_);
  if (!date.ok()) return date.status();
  if (!date.value()) return std::optional<UserValuesRecord>();
  return std::optional<UserValuesRecord>(UserValuesRecord{user_id, {}, **date});
}

Result<std::vector<UserValuesRecord>> SqliteUserValuesRepository::findMany(
    std::span<const int64_t> user_ids) {
  std::vector<UserValuesRecord> records;
  if (user_ids.empty()) return records;
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(find_many_sql_);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, jsonArray(user_ids));
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) return records;
    const int64_t user_id = stmt->columnInt64(0);
    if (records.empty() || records.back().user_id != user_id) {
      records.push_back({user_id, {}, stmt->columnIsNull(3) ? 0 : stmt->columnInt64(3)});
    }
    records.back().values[stmt->columnText(1)] = stmt->columnText(2);
  }
}

}  // namespace parley::sqlite
