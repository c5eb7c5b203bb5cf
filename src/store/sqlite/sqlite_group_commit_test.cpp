// Database::writeDurably: many writers, one transaction per batch, each writer told its own
// outcome only once its batch is committed.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
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

// A write released before its commit (a sequence counter) whose batch then fails to commit: every
// later write is refused, so nothing derived from the lost write can become durable.
TEST(SqliteGroupCommitTest, AFailedCommitAfterAnEarlyReleaseRefusesLaterWrites) {
  testing::TempDir dir;
  sqlite::Database db(dir.file("gc.db"));
  constexpr sqlite::Migration kDeferred[] = {
      {1, "a deferred foreign key, which is checked only at COMMIT",
       "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
       "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) "
       "DEFERRABLE INITIALLY DEFERRED)"},
  };
  db.migrate(kDeferred);
  auto run = [&](std::string_view sql) -> VoidResult {
    auto stmt = db.prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->run();
  };
  std::atomic<bool> first_may_finish{false};
  std::atomic<bool> first_running{false};
  // The first batch is held open until the next one has formed behind it: a harmless durable
  // write first (it will lead), then the early write that breaks the commit.
  std::thread holder([&] {
    EXPECT_TRUE(db.writeDurably([&] {
                    first_running = true;
                    while (!first_may_finish) std::this_thread::yield();
                    return run("INSERT INTO parent (id) VALUES (1)");
                  }).ok());
  });
  while (!first_running) std::this_thread::yield();
  VoidResult leader_result;
  std::thread leader([&] {
    leader_result = db.writeDurably([&] { return run("INSERT INTO parent (id) VALUES (2)"); });
  });
  while (db.queuedWriters() != 1) std::this_thread::yield();
  VoidResult early_result;
  std::thread early([&] {
    early_result = db.writeBeforeCommit(
        [&] { return run("INSERT INTO child (id, parent_id) VALUES (1, 99)"); });
  });
  while (db.queuedWriters() != 2) std::this_thread::yield();
  first_may_finish = true;
  holder.join();
  leader.join();
  early.join();
  EXPECT_TRUE(early_result.ok()) << "released once executed, before the commit failed";
  EXPECT_FALSE(leader_result.ok()) << "the commit of its batch failed";
  auto later = db.writeDurably([&] { return run("INSERT INTO parent (id) VALUES (3)"); });
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code, StatusCode::kServerUnavailable);
}

}  // namespace
}  // namespace parley
