// The writer's WAL frames wait in memory until SQLite syncs the WAL (sqlite_wal_write_buffer.h):
// what a commit acknowledged must be on disk and visible to readers all the same.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite/sqlite_database.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

constexpr sqlite::Migration kMigrations[] = {
    {1, "items with a payload", "CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"},
};

// About a page per item, so that commits write many WAL frames.
std::string bodyOf(int64_t id) { return std::string(3000, static_cast<char>('a' + id % 26)); }

VoidResult insertItem(sqlite::Database& db, int64_t id) {
  auto stmt = db.prepare("INSERT INTO item (id, body) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id).bind(2, bodyOf(id));
  return stmt->run();
}

VoidResult insertItems(sqlite::Database& db, int64_t first, int64_t count) {
  return db.writeDurably([&]() -> VoidResult {
    for (int64_t id = first; id < first + count; ++id) {
      if (VoidResult inserted = insertItem(db, id); !inserted.ok()) return inserted;
    }
    return {};
  });
}

// How many items hold exactly the body they were written with.
int64_t intactItems(sqlite::Database& db) {
  auto lock = db.lock();
  auto stmt = db.prepare("SELECT id, body FROM item");
  EXPECT_TRUE(stmt.ok());
  int64_t intact = 0;
  while (true) {
    auto row = stmt->step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !row.value()) break;
    if (stmt->columnText(1) == bodyOf(stmt->columnInt64(0))) ++intact;
  }
  return intact;
}

std::string integrity(sqlite::Database& db) {
  auto lock = db.lock();
  auto stmt = db.prepare("PRAGMA integrity_check");
  EXPECT_TRUE(stmt.ok());
  auto row = stmt->step();
  EXPECT_TRUE(row.ok() && row.value());
  return std::string(stmt->columnText(0));
}

// A process that dies right after its last commit returned (no close, no checkpoint) leaves
// every committed item in the files: nothing acknowledged waited in memory.
TEST(SqliteWalWriteBufferTest, EveryCommitSurvivesTheWriterDyingRightAfterIt) {
  testing::TempDir dir;
  const std::string path = dir.file("wal.db");
  constexpr int64_t kCommits = 40;
  constexpr int64_t kPerCommit = 25;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int status = 0;
    {
      auto* db = new sqlite::Database(path);  // never destroyed: the process just ends
      db->migrate(kMigrations);
      for (int64_t i = 0; i < kCommits && status == 0; ++i) {
        if (!insertItems(*db, i * kPerCommit + 1, kPerCommit).ok()) status = 1;
      }
    }
    _exit(status);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the writer could not commit";
  sqlite::Database reopened(path);
  EXPECT_EQ(integrity(reopened), "ok");
  EXPECT_EQ(intactItems(reopened), kCommits * kPerCommit);
}

// A reader finds each commit's frames through the WAL index as soon as the commit returns; they
// must be in the file by then.
TEST(SqliteWalWriteBufferTest, AReaderSeesEachCommitAsSoonAsItReturns) {
  testing::TempDir dir;
  const std::string path = dir.file("wal.db");
  sqlite::Database db(path);
  db.migrate(kMigrations);
  sqlite::Database reader(path, sqlite::Database::Access::kRead);
  for (int64_t i = 0; i < 30; ++i) {
    ASSERT_TRUE(insertItems(db, i * 10 + 1, 10).ok());
    ASSERT_EQ(intactItems(reader), (i + 1) * 10) << "after commit " << i;
  }
}

// A transaction of tens of megabytes (an import) passes the memory bound and the default VFS's
// largest single write many times over, and the WAL starts over after checkpoints: every item
// still reads back intact, through the writer, after a reopen.
TEST(SqliteWalWriteBufferTest, LargeTransactionsAndWalRestartsKeepEveryByte) {
  testing::TempDir dir;
  const std::string path = dir.file("wal.db");
  constexpr int64_t kLarge = 8000;  // ~24 MB of pages in one commit
  {
    sqlite::Database db(path);
    db.migrate(kMigrations);
    ASSERT_TRUE(insertItems(db, 1, kLarge).ok());
    // Many small commits after it: checkpoints, and the WAL written again from its start.
    for (int64_t i = 0; i < 200; ++i) ASSERT_TRUE(insertItems(db, kLarge + 1 + i * 20, 20).ok());
    EXPECT_EQ(intactItems(db), kLarge + 200 * 20);
  }
  sqlite::Database reopened(path);
  EXPECT_EQ(integrity(reopened), "ok");
  EXPECT_EQ(intactItems(reopened), kLarge + 200 * 20);
}

}  // namespace
}  // namespace parley
