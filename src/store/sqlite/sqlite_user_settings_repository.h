#pragma once
// UserSettingsRepository on SQLite: one `user_setting` row per setting, the date in
// `user_version.user_settings` (schema migration 13, kUserSettingsSchema below).
#include <string_view>

#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"
#include "store/user_settings_repository.h"

namespace parley::sqlite {

inline constexpr std::string_view kUserSettingsSchema = R"sql(
CREATE TABLE user_setting (
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (user_id, name)
) STRICT, WITHOUT ROWID;
ALTER TABLE user_version ADD COLUMN user_settings INTEGER;
)sql";

class SqliteUserSettingsRepository final : public UserSettingsRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteUserSettingsRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  Result<std::vector<std::string>> upsert(int64_t user_id,
                                          const std::map<std::string, std::string>& settings,
                                          const std::vector<std::string>& immutable,
                                          int64_t now_millis) override;
  Result<bool> remove(int64_t user_id, const std::vector<std::string>& names,
                      int64_t now_millis) override;
  Result<std::optional<UserSettingsRecord>> find(int64_t user_id) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
