#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_database.h"
#include "store/store.h"
#include "store/user_repository_contract_test.h"
#include "testing/sqlite_store_test_env.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

namespace fs = std::filesystem;

using contract::UserRepositoryContractTest;
using testing::SqliteStoreTestEnv;
using testing::TempDir;

INSTANTIATE_TEST_SUITE_P(Sqlite, UserRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

TEST(SqliteStoreTest, CreatesDataDirAndDatabaseFile) {
  SqliteStoreTestEnv env;
  auto store = env.open();
  EXPECT_TRUE(fs::is_regular_file(fs::path(env.dataDir()) / "parley.db"));
}

TEST(SqliteStoreTest, ReopeningAMigratedDatabaseIsANoOp) {
  SqliteStoreTestEnv env;
  const std::string db_path = (fs::path(env.dataDir()) / "parley.db").string();
  {
    auto store = env.open();
    UserRecord user;
    user.id = 1;
    user.name = "kept";
    ASSERT_TRUE(store->users().insert(user).ok());
  }
  int version_after_first_open = 0;
  {
    sqlite::Database db(db_path);
    auto lock = db.lock();
    version_after_first_open = db.schemaVersion().value();
  }
  EXPECT_GE(version_after_first_open, 1);
  {
    // Migrations run again on every open; re-running "CREATE TABLE user" would throw.
    auto store = env.open();
    EXPECT_EQ(store->users().findById(1).value()->name, "kept");
  }
  sqlite::Database db(db_path);
  auto lock = db.lock();
  EXPECT_EQ(db.schemaVersion().value(), version_after_first_open);
}

TEST(SqliteStoreTest, UnusableDataDirThrowsAtStartUp) {
  TempDir dir;
  const fs::path file = dir.path() / "not-a-dir";
  std::ofstream(file) << "x";
  EXPECT_THROW(openSqliteStore(file.string()), std::runtime_error);
  try {
    openSqliteStore(file.string());
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not-a-dir"), std::string::npos) << e.what();
  }
}

TEST(SqliteStoreTest, FileThatIsNotADatabaseThrowsAtStartUp) {
  TempDir dir;
  std::ofstream(dir.path() / "parley.db") << std::string(4096, 'x');
  try {
    openSqliteStore(dir.path().string());
    FAIL() << "expected a start-up error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("parley.db"), std::string::npos) << e.what();
  }
}

constexpr sqlite::Migration kTestMigrations[] = {
    {1, "create a", "CREATE TABLE a (x INTEGER) STRICT;"},
    {2, "create b and fill a", "CREATE TABLE b (y TEXT) STRICT; INSERT INTO a VALUES (1);"},
};

int64_t countRows(sqlite::Database& db, std::string_view sql) {
  auto stmt = db.prepare(sql);
  EXPECT_TRUE(stmt.ok());
  EXPECT_TRUE(stmt->step().value());
  return stmt->columnInt64(0);
}

TEST(SqliteDatabaseTest, MigratesInOrderOnceAndRecordsTheVersion) {
  TempDir dir;
  sqlite::Database db(dir.file("t.db"));
  db.migrate(std::span(kTestMigrations).first(1));
  {
    auto lock = db.lock();
    EXPECT_EQ(db.schemaVersion().value(), 1);
  }
  db.migrate(kTestMigrations);
  db.migrate(kTestMigrations);  // nothing left to do: would fail on CREATE TABLE otherwise
  auto lock = db.lock();
  EXPECT_EQ(db.schemaVersion().value(), 2);
  EXPECT_EQ(countRows(db, "SELECT count(*) FROM a"), 1);
}

TEST(SqliteDatabaseTest, FailedMigrationRollsBackAndThrows) {
  TempDir dir;
  sqlite::Database db(dir.file("t.db"));
  const sqlite::Migration broken[] = {
      kTestMigrations[0],
      {2, "half broken", "CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1);"},
  };
  try {
    db.migrate(broken);
    FAIL() << "expected the migration to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("half broken"), std::string::npos) << e.what();
  }
  auto lock = db.lock();
  EXPECT_EQ(db.schemaVersion().value(), 1);
  EXPECT_EQ(countRows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c'"), 0);
  EXPECT_FALSE(db.inTransaction());
}

TEST(SqliteDatabaseTest, RefusesADatabaseFromANewerParley) {
  TempDir dir;
  const std::string path = dir.file("t.db");
  {
    sqlite::Database db(path);
    db.migrate(kTestMigrations);
  }
  sqlite::Database db(path);
  EXPECT_THROW(db.migrate(std::span(kTestMigrations).first(1)), std::runtime_error);
}

TEST(SqliteDatabaseTest, UsesWalAndFullSync) {
  TempDir dir;
  sqlite::Database db(dir.file("t.db"));
  auto lock = db.lock();
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(mode->step().value());
  EXPECT_EQ(mode->columnText(0), "wal");
  EXPECT_EQ(countRows(db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(countRows(db, "PRAGMA foreign_keys"), 1);
}

TEST(SqliteDatabaseTest, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  sqlite::Database db(dir.file("t.db"));
  db.migrate(std::span(kTestMigrations).first(1));
  auto lock = db.lock();
  {
    auto transaction = sqlite::Transaction::begin(db);
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db.exec("INSERT INTO a VALUES (7)").ok());
  }
  EXPECT_EQ(countRows(db, "SELECT count(*) FROM a"), 0);
  {
    auto transaction = sqlite::Transaction::begin(db);
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db.exec("INSERT INTO a VALUES (7)").ok());
    ASSERT_TRUE(transaction->commit().ok());
  }
  EXPECT_EQ(countRows(db, "SELECT count(*) FROM a"), 1);
}

TEST(SqliteDatabaseTest, ErrorsBecomeStatusesNotExceptions) {
  TempDir dir;
  sqlite::Database db(dir.file("t.db"));
  auto lock = db.lock();
  const VoidResult bad = db.exec("SELECT * FROM missing_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code, StatusCode::kServerInternalError);
  EXPECT_FALSE(db.prepare("SELEC 1").ok());
  EXPECT_FALSE(db.prepare("SELECT 1; SELECT 2").ok());
}

}  // namespace
}  // namespace parley
