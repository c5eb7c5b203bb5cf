#pragma once
// AdminAccountRepository on SQLite, over `admin_account` (kAdminAccountSchema below).
#include <string_view>

#include "store/admin_account_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Login names compare as bytes (BINARY collation): "Ops" and "ops" are two accounts, as in
// upstream's unique index.
inline constexpr std::string_view kAdminAccountSchema = R"sql(
CREATE TABLE admin_account (
  id INTEGER PRIMARY KEY,
  login_name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role INTEGER NOT NULL,
  registration_date INTEGER NOT NULL
) STRICT;
)sql";

class SqliteAdminAccountRepository final : public AdminAccountRepository {
 public:
  // Writes go to db, reads to readers (see SqliteStore); both must outlive the repository.
  SqliteAdminAccountRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const AdminAccount& account) override;
  Result<std::optional<AdminAccount>> findByLoginName(std::string_view login_name) override;
  Result<std::vector<AdminAccount>> findAll(int64_t skip, int64_t limit) override;
  Result<int64_t> count() override;
  Result<int64_t> update(std::span<const std::string> login_names,
                         const AdminAccountUpdate& update) override;
  Result<int64_t> remove(std::span<const std::string> login_names) override;

 private:
  // Runs sql, bound by bind(statement, login_name), once per name in one durable write, and
  // returns the rows it changed in all.
  template <typename Bind>
  Result<int64_t> writeEach(std::string_view sql, std::span<const std::string> login_names,
                            Bind&& bind);

  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
