#pragma once
// UserValuesRepository on SQLite: one row per value in the layout's table, the date in one of
// `user_version`'s columns. Settings: `user_setting` and user_version.user_settings (schema
// migration 13); user-defined attributes: `user_defined_attribute` and
// user_version.user_defined_attributes (migration 15).
#include <string_view>

#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"
#include "store/sqlite/sqlite_user_version.h"
#include "store/user_values_repository.h"

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

inline constexpr std::string_view kUserDefinedAttributesSchema = R"sql(
CREATE TABLE user_defined_attribute (
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (user_id, name)
) STRICT, WITHOUT ROWID;
ALTER TABLE user_version ADD COLUMN user_defined_attributes INTEGER;
)sql";

struct UserValuesLayout {
  std::string_view table;  // (user_id, name, value) keyed by (user_id, name)
  UserVersionColumn date;
};
inline constexpr UserValuesLayout kUserSettingsLayout{"user_setting",
                                                      UserVersionColumn::kUserSettings};
inline constexpr UserValuesLayout kUserDefinedAttributesLayout{
    "user_defined_attribute", UserVersionColumn::kUserDefinedAttributes};

class SqliteUserValuesRepository final : public UserValuesRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteUserValuesRepository(Database& db, ReaderPool& readers, UserValuesLayout layout);

  Result<std::vector<std::string>> upsert(int64_t user_id,
                                          const std::map<std::string, std::string>& values,
                                          const std::vector<std::string>& immutable,
                                          int64_t now_millis) override;
  Result<bool> remove(int64_t user_id, const std::vector<std::string>& names,
                      int64_t now_millis) override;
  Result<std::optional<UserValuesRecord>> find(int64_t user_id) override;
  Result<std::vector<UserValuesRecord>> findMany(std::span<const int64_t> user_ids) override;

 private:
  Database& db_;
  ReaderPool& readers_;
  UserVersionColumn date_;
  // The statements, for this layout's table.
  std::string upsert_sql_;
  std::string exists_sql_;
  std::string delete_sql_;
  std::string find_many_sql_;
};

}  // namespace parley::sqlite
