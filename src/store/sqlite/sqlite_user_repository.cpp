#include "store/sqlite/sqlite_user_repository.h"

#include <string>

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT and INSERT below (readUser/bindUser depend on it).
#define PARLEY_USER_COLUMNS                                                    \
  "id, password_hash, name, intro, profile_picture, profile_access_strategy, " \
  "permission_group_id, registration_date, deletion_date, last_updated_date, is_active"

constexpr std::string_view kInsert = "INSERT INTO user (" PARLEY_USER_COLUMNS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr std::string_view kInsertIfAbsent =
    "INSERT INTO user (" PARLEY_USER_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kFindById = "SELECT " PARLEY_USER_COLUMNS " FROM user WHERE id = ?1";
constexpr std::string_view kIsActive =
    "SELECT 1 FROM user WHERE id = ?1 AND is_active = 1 AND deletion_date IS NULL";
// One cached statement for any number of ids: they are passed as a JSON array.
constexpr std::string_view kFindByIds = "SELECT " PARLEY_USER_COLUMNS
                                        " FROM user WHERE id IN (SELECT value FROM json_each(?1)) "
                                        "ORDER BY id";
constexpr std::string_view kList = "SELECT " PARLEY_USER_COLUMNS
                                   " FROM user WHERE id > ?1 AND deletion_date IS NULL "
                                   "ORDER BY id LIMIT ?2";
constexpr std::string_view kSearchByName =
    "SELECT " PARLEY_USER_COLUMNS
    " FROM user INDEXED BY user_by_name WHERE name >= ?1 AND name < ?2 "
    "AND deletion_date IS NULL AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3))) "
    "ORDER BY name, id LIMIT ?5 OFFSET ?4";
constexpr std::string_view kCountActive =
    "SELECT count(*) FROM user WHERE is_active = 1 AND deletion_date IS NULL";
// Unset fields are bound as NULL and keep their value; every column here is NOT NULL, so NULL
// never means "set to NULL". One statement serves every combination of fields.
constexpr std::string_view kUpdate =
    "UPDATE user SET password_hash = coalesce(?2, password_hash), name = coalesce(?3, name), "
    "intro = coalesce(?4, intro), profile_picture = coalesce(?5, profile_picture), "
    "profile_access_strategy = coalesce(?6, profile_access_strategy), "
    "permission_group_id = coalesce(?7, permission_group_id), "
    "is_active = coalesce(?8, is_active), last_updated_date = ?9 "
    "WHERE id = ?1 AND deletion_date IS NULL";
constexpr std::string_view kSoftDelete =
    "UPDATE user SET deletion_date = ?2, is_active = 0, last_updated_date = ?2 "
    "WHERE id = ?1 AND deletion_date IS NULL";
constexpr std::string_view kHasAny = "SELECT EXISTS (SELECT 1 FROM user)";

#undef PARLEY_USER_COLUMNS

void bindUser(Statement& stmt, const UserRecord& user) {
  stmt.bind(1, user.id)
      .bind(2, user.password_hash)
      .bind(3, user.name)
      .bind(4, user.intro)
      .bind(5, user.profile_picture)
      .bind(6, int64_t{user.profile_access_strategy})
      .bind(7, user.permission_group_id)
      .bind(8, user.registration_date)
      .bind(9, user.deletion_date)
      .bind(10, user.last_updated_date)
      .bind(11, int64_t{user.is_active});
}

UserRecord readUser(const Statement& stmt) {
  UserRecord user;
  user.id = stmt.columnInt64(0);
  user.password_hash = stmt.columnText(1);
  user.name = stmt.columnText(2);
  user.intro = stmt.columnText(3);
  user.profile_picture = stmt.columnText(4);
  user.profile_access_strategy = static_cast<int32_t>(stmt.columnInt64(5));
  user.permission_group_id = stmt.columnInt64(6);
  user.registration_date = stmt.columnInt64(7);
  if (!stmt.columnIsNull(8)) user.deletion_date = stmt.columnInt64(8);
  user.last_updated_date = stmt.columnInt64(9);
  user.is_active = stmt.columnInt64(10) != 0;
  return user;
}

Result<std::vector<UserRecord>> readUsers(Statement& stmt) {
  std::vector<UserRecord> users;
  while (true) {
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return users;
    users.push_back(readUser(stmt));
  }
}

}  // namespace

VoidResult SqliteUserRepository::insert(const UserRecord& user) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kInsert);
  if (!stmt.ok()) return stmt.status();
  bindUser(*stmt, user);
  return stmt->run();
}

Result<int64_t> SqliteUserRepository::insertMany(std::span<const UserRecord> users) {
  if (users.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t inserted = 0;
  for (const UserRecord& user : users) {
    Result<Statement> stmt = db_.prepare(kInsertIfAbsent);
    if (!stmt.ok()) return stmt.status();
    bindUser(*stmt, user);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    inserted += db_.changes();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return inserted;
}

Result<std::optional<UserRecord>> SqliteUserRepository::findById(int64_t id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindById);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(readUser(*stmt));
}

Result<bool> SqliteUserRepository::isActive(int64_t id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kIsActive);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  return stmt->step();
}

Result<std::vector<UserRecord>> SqliteUserRepository::findByIds(std::span<const int64_t> ids) {
  if (ids.empty()) return std::vector<UserRecord>();
  const std::string json = jsonArray(ids);
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindByIds);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, json);
  return readUsers(*stmt);
}

Result<std::vector<UserRecord>> SqliteUserRepository::list(int64_t after_id, int limit) {
  if (limit <= 0) return std::vector<UserRecord>();
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kList);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, after_id).bind(2, int64_t{limit});
  return readUsers(*stmt);
}

Result<std::vector<UserRecord>> SqliteUserRepository::searchByName(
    const std::string& prefix, std::span<const int64_t> within_ids, int skip, int limit) {
  if (limit <= 0) return std::vector<UserRecord>();
  std::optional<std::string> ids;
  if (!within_ids.empty()) ids = jsonArray(within_ids);
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kSearchByName);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, prefix)
      .bind(2, namePrefixEnd(prefix))
      .bind(3, ids)
      .bind(4, int64_t{skip})
      .bind(5, int64_t{limit});
  return readUsers(*stmt);
}

Result<int64_t> SqliteUserRepository::countActive() {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kCountActive);
  if (!stmt.ok()) return stmt.status();
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() ? stmt->columnInt64(0) : 0;
}

Result<bool> SqliteUserRepository::update(int64_t id, const UserUpdate& update) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kUpdate);
  if (!stmt.ok()) return stmt.status();
  std::optional<int64_t> is_active;
  if (update.is_active) is_active = *update.is_active ? 1 : 0;
  stmt->bind(1, id)
      .bind(2, update.password_hash)
      .bind(3, update.name)
      .bind(4, update.intro)
      .bind(5, update.profile_picture)
      .bind(6, update.profile_access_strategy)
      .bind(7, update.permission_group_id)
      .bind(8, is_active)
      .bind(9, update.last_updated_date);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db_.changes() > 0;
}

Result<bool> SqliteUserRepository::softDelete(int64_t id, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kSoftDelete);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id).bind(2, now_millis);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db_.changes() > 0;
}

Result<bool> SqliteUserRepository::hasAny() {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kHasAny);
  if (!stmt.ok()) return stmt.status();
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() && stmt->columnInt64(0) != 0;
}

}  // namespace parley::sqlite
