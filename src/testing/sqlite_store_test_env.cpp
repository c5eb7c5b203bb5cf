#include "testing/sqlite_store_test_env.h"

#include <span>

namespace parley::testing {

std::unique_ptr<Store> SqliteStoreTestEnv::open() { return openSqliteStore(dataDir()); }

std::string SqliteStoreTestEnv::dataDir() const { return dir_.file("data"); }

SqliteSchemaStore::SqliteSchemaStore(const std::string& path, std::string_view schema)
    : db_(path),
      users_(db_),
      messages_(db_),
      groups_(db_),
      group_members_(db_),
      relationships_(db_),
      conversations_(db_),
      sequence_ids_(db_) {
  const sqlite::Migration migration{1, "the schema under test", schema};
  db_.migrate(std::span(&migration, 1));
}

Result<bool> SqliteSchemaStore::isEmpty() {
  // Without the user table this is an error status, as from a broken database.
  const Result<bool> has_users = users_.hasAny();
  if (!has_users.ok()) return has_users.status();
  return !has_users.value();
}

std::unique_ptr<SqliteSchemaStore> SqliteSchemaTestEnv::openSchemaStore() {
  return std::make_unique<SqliteSchemaStore>(dir_.file("parley.db"), schema_);
}

contract::StoreContractParam sqliteStoreContractParam() {
  return {"sqlite", [] { return std::make_unique<SqliteStoreTestEnv>(); }};
}

contract::StoreContractParam sqliteSchemaContractParam(std::string_view schema) {
  return {"sqlite", [schema] { return std::make_unique<SqliteSchemaTestEnv>(schema); }};
}

}  // namespace parley::testing
