#include "store/sqlite/sqlite_admin_account_repository.h"

namespace parley::sqlite {
namespace {

#define PARLEY_ADMIN_ACCOUNT_COLUMNS \
  "id, login_name, password_hash, display_name, role, registration_date"
constexpr std::string_view kInsert =
    "INSERT INTO admin_account (" PARLEY_ADMIN_ACCOUNT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kFind =
    "SELECT " PARLEY_ADMIN_ACCOUNT_COLUMNS " FROM admin_account WHERE login_name = ?1";
constexpr std::string_view kFindAll = "SELECT " PARLEY_ADMIN_ACCOUNT_COLUMNS
                                      " FROM admin_account ORDER BY login_name LIMIT ?1 OFFSET ?2";
#undef PARLEY_ADMIN_ACCOUNT_COLUMNS
constexpr std::string_view kCount = "SELECT count(*) FROM admin_account";
// Unset fields are bound as NULL and keep their value.
constexpr std::string_view kUpdate =
    "UPDATE admin_account SET password_hash = coalesce(?2, password_hash), "
    "display_name = coalesce(?3, display_name), role = coalesce(?4, role) WHERE login_name = ?1";
constexpr std::string_view kDelete = "DELETE FROM admin_account WHERE login_name = ?1";

AdminAccount readAccount(const Statement& stmt) {
  return {.id = stmt.columnInt64(0),
          .login_name = stmt.columnText(1),
          .password_hash = stmt.columnText(2),
          .display_name = stmt.columnText(3),
          .role = adminRoleFromStored(stmt.columnInt64(4)),
          .registration_date_millis = stmt.columnInt64(5)};
}

}  // namespace

VoidResult SqliteAdminAccountRepository::insert(const AdminAccount& account) {
  return db_.writeDurably([&]() -> VoidResult {
    Result<Statement> stmt = db_.prepare(kInsert);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, account.id)
        .bind(2, account.login_name)
        .bind(3, account.password_hash)
        .bind(4, account.display_name)
        .bind(5, static_cast<int64_t>(account.role))
        .bind(6, account.registration_date_millis);
    return stmt->run();
  });
}

Result<std::optional<AdminAccount>> SqliteAdminAccountRepository::findByLoginName(
    std::string_view login_name) {
  return readWith(readers_, kFind, [&](Statement& stmt) -> Result<std::optional<AdminAccount>> {
    stmt.bind(1, login_name);
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return std::optional<AdminAccount>();
    return std::optional<AdminAccount>(readAccount(stmt));
  });
}

Result<std::vector<AdminAccount>> SqliteAdminAccountRepository::findAll(int64_t skip,
                                                                        int64_t limit) {
  return readWith(readers_, kFindAll, [&](Statement& stmt) -> Result<std::vector<AdminAccount>> {
    stmt.bind(1, limit).bind(2, skip);
    return readAllRows<AdminAccount>(stmt, readAccount);
  });
}

Result<int64_t> SqliteAdminAccountRepository::count() {
  return readInt64(readers_, kCount, [](Statement&) {});
}

template <typename Bind>
Result<int64_t> SqliteAdminAccountRepository::writeEach(std::string_view sql,
                                                        std::span<const std::string> login_names,
                                                        Bind&& bind) {
  if (login_names.empty()) return int64_t{0};
  int64_t changed = 0;
  const VoidResult written = db_.writeDurably([&]() -> VoidResult {
    for (const std::string& login_name : login_names) {
      const Result<int64_t> rows =
          writeRows(db_, sql, [&](Statement& stmt) { bind(stmt, login_name); });
      if (!rows.ok()) return rows.status();
      changed += *rows;
    }
    return {};
  });
  if (!written.ok()) return written.status();
  return changed;
}

Result<int64_t> SqliteAdminAccountRepository::update(std::span<const std::string> login_names,
                                                     const AdminAccountUpdate& update) {
  const std::optional<int64_t> role =
      update.role ? std::optional<int64_t>(static_cast<int64_t>(*update.role)) : std::nullopt;
  // SQLite counts every row the WHERE matched, also those left as they were.
  return writeEach(kUpdate, login_names, [&](Statement& stmt, const std::string& login_name) {
    stmt.bind(1, login_name)
        .bind(2, update.password_hash)
        .bind(3, update.display_name)
        .bind(4, role);
  });
}

Result<int64_t> SqliteAdminAccountRepository::remove(std::span<const std::string> login_names) {
  return writeEach(kDelete, login_names, [](Statement& stmt, const std::string& login_name) {
    stmt.bind(1, login_name);
  });
}

}  // namespace parley::sqlite
