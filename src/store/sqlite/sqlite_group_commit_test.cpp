// Database::writeDurably: many writers, one transaction per batch, each writer told its own
// outcome only once its batch is committed.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
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
  // What /metrics shows: every write counted once, in at most as many commits, none failed.
  const StoreMetrics figures = db.writerMetrics();
  EXPECT_EQ(figures.writes, uint64_t{kThreads * kPerThread});
  EXPECT_GE(figures.commits, 1u);
  EXPECT_LE(figures.commits, figures.writes);
  EXPECT_EQ(figures.failed_commits, 0u);
  EXPECT_EQ(figures.queued_writes, 0);

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

// The writing connection of a migrated database, and a read connection beside it that sees only
// what is committed.
class SqliteWriterTest : public ::testing::Test {
 protected:
  SqliteWriterTest() { db.migrate(kMigrations); }

  testing::TempDir dir;
  const std::string path = dir.file("gc.db");
  sqlite::Database db{path};
  sqlite::Database observer{path, sqlite::Database::Access::kRead};
};

// writeAsync: the caller does not wait; done runs once the write is committed, so a second
// connection already sees it from inside done.
TEST_F(SqliteWriterTest, AnAsynchronousWriteReportsOnceItIsCommitted) {
  std::promise<std::pair<bool, int64_t>> reported;
  db.writeAsync([&] { return insertItem(db, 7); },
                [&](VoidResult written) {
                  reported.set_value({written.ok(), countItems(observer)});
                });
  const auto [ok, seen] = reported.get_future().get();
  EXPECT_TRUE(ok);
  EXPECT_EQ(seen, 1) << "committed before done ran";
}

// done may queue another write (it must not wait for one): that write commits too, and
// waitForQueuedWrites covers it. A failed write reports its error.
TEST_F(SqliteWriterTest, AWriteQueuedFromACallbackCommitsAndIsWaitedFor) {
  std::atomic<bool> second_ok{false};
  db.writeAsync([&] { return insertItem(db, 1); },
                [&](VoidResult first) {
                  EXPECT_TRUE(first.ok());
                  db.writeAsync([&] { return insertItem(db, 2); },
                                [&](VoidResult second) { second_ok = second.ok(); });
                });
  db.waitForQueuedWrites();
  EXPECT_TRUE(second_ok.load());
  EXPECT_EQ(countItems(observer), 2);

  std::promise<StatusCode> duplicate;
  db.writeAsync([&] { return insertItem(db, 1); },
                [&](VoidResult written) { duplicate.set_value(written.status().code); });
  EXPECT_EQ(duplicate.get_future().get(), StatusCode::kRecordContainsDuplicateKey);
}

// Undo::kNothingToUndo: a write of one statement needs no savepoint; when its statement fails,
// SQLite backs it out alone and the batch's other writes commit.
TEST_F(SqliteWriterTest, AWriteWithNothingToUndoFailsAloneWithoutASavepoint) {
  ASSERT_TRUE(db.writeDurably([&] { return insertItem(db, 1); }).ok());
  std::vector<std::promise<VoidResult>> results(3);
  // Queued together, so they share a batch once the writer is free.
  const std::vector<int64_t> ids{2, 1, 3};
  for (size_t i = 0; i < ids.size(); ++i) {
    db.writeAsync([&, id = ids[i]] { return insertItem(db, id); },
                  [&results, i](VoidResult written) { results[i].set_value(written); },
                  sqlite::Database::Undo::kNothingToUndo);
  }
  EXPECT_TRUE(results[0].get_future().get().ok());
  EXPECT_EQ(results[1].get_future().get().status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_TRUE(results[2].get_future().get().ok());
  EXPECT_EQ(countItems(observer), 3) << "items 1, 2 and 3";
}

// Only the writing connection has a writer thread; a write handed to a read connection is refused
// at once rather than waiting for ever.
TEST_F(SqliteWriterTest, AReadConnectionRefusesWritesAtOnce) {
  const VoidResult refused = observer.writeDurably([&] { return insertItem(observer, 1); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code, StatusCode::kServerUnavailable);
  std::optional<StatusCode> async_refused;
  observer.writeAsync([&] { return insertItem(observer, 2); },
                      [&](VoidResult written) { async_refused = written.status().code; });
  EXPECT_EQ(async_refused, StatusCode::kServerUnavailable);
  EXPECT_EQ(countItems(db), 0);
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
  // A durable write that holds its batch open until the early write has queued behind it; the
  // early write then joins that batch (writes queued while a batch runs join it), whose commit
  // the early write breaks.
  std::atomic<bool> durable_running{false};
  VoidResult durable_result;
  std::thread durable([&] {
    durable_result = db.writeDurably([&] {
      durable_running = true;
      while (db.queuedWriters() != 1) std::this_thread::yield();
      return run("INSERT INTO parent (id) VALUES (2)");
    });
  });
  while (!durable_running) std::this_thread::yield();
  const VoidResult early_result =
      db.writeBeforeCommit([&] { return run("INSERT INTO child (id, parent_id) VALUES (1, 99)"); });
  durable.join();
  EXPECT_TRUE(early_result.ok()) << "released once executed, before the commit failed";
  EXPECT_FALSE(durable_result.ok()) << "the commit of its batch failed";
  EXPECT_EQ(db.writerMetrics().failed_commits, 1u);
  auto later = db.writeDurably([&] { return run("INSERT INTO parent (id) VALUES (3)"); });
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code, StatusCode::kServerUnavailable);
  // An asynchronous write is refused alike, at once.
  std::optional<StatusCode> refused;
  db.writeAsync([&] { return run("INSERT INTO parent (id) VALUES (4)"); },
                [&](VoidResult written) { refused = written.status().code; });
  EXPECT_EQ(refused, StatusCode::kServerUnavailable);
}

// The commit hooks (ConversationCounters' sweep): before_commit runs once per batch after its
// writes, inside its transaction; its failure undoes only itself; after_commit hears both.
TEST(SqliteGroupCommitTest, CommitHooksRunOncePerBatchAndAFailingOneUndoesOnlyItself) {
  testing::TempDir dir;
  sqlite::Database db(dir.file("gc.db"));
  db.migrate(kMigrations);
  bool fail_hook = false;
  int64_t hook_id = 1000;
  std::vector<std::pair<bool, bool>> outcomes;
  db.setCommitHooks(
      [&]() -> VoidResult {
        // Sees the batch's writes: it runs inside the same transaction, after them.
        const VoidResult inserted = insertItem(db, ++hook_id);
        if (!inserted.ok()) return inserted;
        return fail_hook ? VoidResult(error(StatusCode::kServerInternalError, "hook")) : inserted;
      },
      [&](bool committed, bool hook_kept) { outcomes.emplace_back(committed, hook_kept); });
  ASSERT_TRUE(db.writeDurably([&] { return insertItem(db, 1); }).ok());
  EXPECT_EQ(countItems(db), 2) << "the write and the hook's row";
  fail_hook = true;
  ASSERT_TRUE(db.writeDurably([&] { return insertItem(db, 2); }).ok())
      << "a failing hook does not fail the batch's writes";
  EXPECT_EQ(countItems(db), 3) << "the hook's own row is undone";
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0], std::make_pair(true, true));
  EXPECT_EQ(outcomes[1], std::make_pair(true, false));
  db.setCommitHooks({}, {});
  ASSERT_TRUE(db.writeDurably([&] { return insertItem(db, 3); }).ok());
  EXPECT_EQ(outcomes.size(), 2u) << "removed hooks are not called";
}

}  // namespace
}  // namespace parley
