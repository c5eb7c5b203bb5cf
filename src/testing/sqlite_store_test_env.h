#pragma once
// SQLite stores in temp dirs: the environments the repository contract suites
// (store/store_test_env.h) run against, and a real store for any other test that wants one.
#include <memory>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/store_test_env.h"
#include "testing/temp_dir.h"

namespace parley::testing {

// The store a node opens (openSqliteStore, every migration) in a temp dir of its own.
class SqliteStoreTestEnv final : public contract::StoreTestEnv {
 public:
  std::unique_ptr<Store> open() override;
  // The data dir open() uses (created by the first open()).
  std::string dataDir() const;

 private:
  TempDir dir_{"parley-store"};
};

// The SQLite store over a database that holds one domain's schema alone, so that domain's
// repository contract runs without the other domains' tables and fails if the repository touches
// them. The other repositories exist but fail at their first statement.
using SqliteSchemaStore = sqlite::SqliteStore;

// SqliteSchemaStore in a temp dir of its own.
class SqliteSchemaTestEnv final : public contract::StoreTestEnv {
 public:
  explicit SqliteSchemaTestEnv(std::string_view schema) : schema_(schema) {}

  std::unique_ptr<Store> open() override { return openSchemaStore(); }
  std::unique_ptr<SqliteSchemaStore> openSchemaStore();

 private:
  std::string_view schema_;
  TempDir dir_{"parley-store"};
};

// The contract suites' parameters (named "sqlite") for the two environments above.
contract::StoreContractParam sqliteStoreContractParam();
contract::StoreContractParam sqliteSchemaContractParam(std::string_view schema);

}  // namespace parley::testing
