#include "testing/sqlite_store_test_env.h"

#include <span>

namespace parley::testing {

std::unique_ptr<Store> SqliteStoreTestEnv::open() { return openSqliteStore(dataDir()); }

std::string SqliteStoreTestEnv::dataDir() const { return dir_.file("data"); }

std::unique_ptr<SqliteSchemaStore> SqliteSchemaTestEnv::openSchemaStore() {
  const sqlite::Migration migration{1, "the schema under test", schema_};
  return std::make_unique<SqliteSchemaStore>(dir_.file("parley.db"), std::span(&migration, 1));
}

contract::StoreContractParam sqliteStoreContractParam() {
  return {"sqlite", [] { return std::make_unique<SqliteStoreTestEnv>(); }};
}

contract::StoreContractParam sqliteSchemaContractParam(std::string_view schema) {
  return {"sqlite", [schema] { return std::make_unique<SqliteSchemaTestEnv>(schema); }};
}

}  // namespace parley::testing
