// Database::writeDurably: many writers, one transaction per batch, each writer told its own
// outcome only once its batch is committed.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_database.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

constexpr sqlite::Migration kMigrations[] = {
    {1, "a table with a unique column", "CREATE TABLE item (id INTEGER PRIMARY KEY, v INTEGER)"},
};

VoidResult insertItem(sqlite::Database& db, int64_t id) {
  auto stmt = db.prepare("INSERT INTO item (id, v) VALUES (?1, ?1)");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  return stmt->run();
}

int64_t countItems(sqlite::Database& db) {
  auto lock = db.lock();
  auto stmt = db.prepare("SELECT count(*) FROM item");
  EXPECT_TRUE(stmt.ok());
  auto row = stmt->step();
  EXPECT_TRUE(row.ok() && row.value());
  return stmt->columnInt64(0);
}

TEST(SqliteGroupCommitTest, ConcurrentWritersAreAllCommittedBeforeTheyReturn) {
  testing::TempDir dir;
  const std::string path = dir.file("gc.db");
  sqlite::Database db(path);
  db.migrate(kMigrations);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t id = int64_t{t} * kPerThread + i + 1;
        if (!db.writeDurably([&] { return insertItem(db, id); }).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(db.inTransaction()) << "no batch is left open after the last writer returned";
  // A second connection sees every acknowledged write: they were committed, not buffered.
  sqlite::Database observer(path);
  EXPECT_EQ(countItems(observer), kThreads * kPerThread);
}

TEST(SqliteGroupCommitTest, AFailingWriteUndoesOnlyItself) {
  testing::TempDir dir;
  sqlite::Database db(dir.file("gc.db"));
  db.migrate(kMigrations);
  ASSERT_TRUE(db.writeDurably([&] { return insertItem(db, 1); }).ok());
  // Two statements, the second fails (duplicate key): the first of them is undone too.
  auto failed = db.writeDurably([&]() -> VoidResult {
    if (auto first = insertItem(db, 2); !first.ok()) return first;
    return insertItem(db, 1);
  });
  EXPECT_FALSE(failed.ok());
  ASSERT_TRUE(db.writeDurably([&] { return insertItem(db, 3); }).ok());
  EXPECT_EQ(countItems(db), 2) << "items 1 and 3; item 2 went with its failed write";
}

}  // namespace
}  // namespace parley
