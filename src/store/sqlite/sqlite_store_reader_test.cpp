// SqliteStore's read connections: reads go around the writer, so they neither wait for a batch
// being committed nor see what it has not committed yet, and around each other.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "store/sqlite/sqlite_message_repository.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/eventually.h"
#include "testing/sqlite_store_test_env.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

VoidResult insertMessage(sqlite::Database& db, int64_t id) {
  auto stmt = db.prepare(
      "INSERT INTO message (id, is_group_message, is_system_message, sender_id, target_id, "
      "delivery_date, text, records, sequence_id) VALUES (?1, 0, 0, 1, 2, ?1, 'hello', '[]', 0)");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  return stmt->run();
}

// Runs read on a thread of its own while hold, on another, keeps a connection busy: hold calls
// its argument once it holds the connection, and that call returns when the read has finished (or
// was given up on). held: hold got that far; read_finished_meanwhile: the read did not wait for
// the connection. Bounded: should the read wait after all, the connection is released and the
// test fails instead of hanging.
struct ReadWhileHeld {
  bool held = false;
  bool read_finished_meanwhile = false;
};
ReadWhileHeld readWhileHeld(const std::function<void(const std::function<void()>&)>& hold,
                            const std::function<void()>& read) {
  std::atomic<bool> held{false};
  std::atomic<bool> may_release{false};
  std::atomic<bool> read_done{false};
  std::thread holder([&] {
    hold([&] {
      held = true;
      while (!may_release) std::this_thread::yield();
    });
  });
  ReadWhileHeld result;
  result.held = testing::eventually([&] { return held.load(); });
  std::thread reader([&] {
    read();
    read_done = true;
  });
  result.read_finished_meanwhile =
      result.held && testing::eventually([&] { return read_done.load(); });
  may_release = true;
  holder.join();
  reader.join();
  return result;
}

TEST(SqliteStoreReaderTest, AReadIsNotBlockedByAWriteBatchBeingCommitted) {
  testing::SqliteSchemaTestEnv env(sqlite::kMessageSchemaLatest);
  std::unique_ptr<testing::SqliteSchemaStore> store = env.openSchemaStore();
  sqlite::Database& db = store->db();
  ASSERT_TRUE(db.writeDurably([&] { return insertMessage(db, 1); }).ok());

  std::optional<bool> committed_found;
  std::optional<bool> uncommitted_found;
  const ReadWhileHeld outcome = readWhileHeld(
      [&](const std::function<void()>& hold_until_read) {
        // A batch that has written message 2 and is held open before its COMMIT, with the
        // writer's lock held, as during a commit's fsync.
        EXPECT_TRUE(db.writeDurably([&] {
                        VoidResult inserted = insertMessage(db, 2);
                        hold_until_read();
                        return inserted;
                      }).ok());
      },
      [&] {
        auto committed = store->messages().findById(1);
        if (committed.ok()) committed_found = committed.value().has_value();
        auto uncommitted = store->messages().findById(2);
        if (uncommitted.ok()) uncommitted_found = uncommitted.value().has_value();
      });

  ASSERT_TRUE(outcome.held);
  EXPECT_TRUE(outcome.read_finished_meanwhile) << "the reads waited for the write batch";
  EXPECT_EQ(committed_found, std::optional<bool>(true));
  EXPECT_EQ(uncommitted_found, std::optional<bool>(false)) << "a read sees only committed data";
  auto after_commit = store->messages().findById(2);
  ASSERT_TRUE(after_commit.ok());
  EXPECT_TRUE(after_commit.value().has_value()) << "committed now, so the reader sees it";
}

TEST(SqliteStoreReaderTest, TheReaderConnectionCannotWrite) {
  testing::SqliteSchemaTestEnv env(sqlite::kMessageSchemaLatest);
  std::unique_ptr<testing::SqliteSchemaStore> store = env.openSchemaStore();
  for (size_t i = 0; i < store->readers().size(); ++i) {
    auto reader = store->readers().acquire();
    EXPECT_FALSE(insertMessage(*reader, 1).ok());
  }
}

// A long read in progress (a history query) must not hold up the others: a read takes another
// connection.
TEST(SqliteStoreReaderTest, AReadIsNotBlockedByAnotherReadInProgress) {
  testing::SqliteSchemaTestEnv env(sqlite::kMessageSchemaLatest);
  std::unique_ptr<testing::SqliteSchemaStore> store = env.openSchemaStore();
  sqlite::Database& db = store->db();
  ASSERT_TRUE(db.writeDurably([&] { return insertMessage(db, 1); }).ok());
  ASSERT_GE(store->readers().size(), 2u);

  std::optional<bool> found;
  const ReadWhileHeld outcome = readWhileHeld(
      [&](const std::function<void()>& hold_until_read) {
        auto reader = store->readers().acquire();
        hold_until_read();
      },
      [&] {
        auto message = store->messages().findById(1);
        if (message.ok()) found = message.value().has_value();
      });

  ASSERT_TRUE(outcome.held);
  EXPECT_TRUE(outcome.read_finished_meanwhile) << "the read waited for another read";
  EXPECT_EQ(found, std::optional<bool>(true));
  EXPECT_EQ(store->readers().waits(), 0u);
  EXPECT_GE(store->readers().reads(), 2u);
}

// Only a read that finds every connection busy waits, and /metrics counts it.
TEST(SqliteStoreReaderTest, AReadWaitsOnlyWhenEveryConnectionIsBusyAndIsCounted) {
  testing::TempDir dir("readers");
  sqlite::Database db(dir.file("one.db"));
  sqlite::ReaderPool readers(db);
  std::optional<sqlite::ReaderPool::Lease> held(readers.acquire());
  std::atomic<bool> read_done{false};
  std::thread reader([&] {
    auto lease = readers.acquire();
    read_done = true;
  });
  EXPECT_TRUE(testing::eventually([&] { return readers.waits() == 1; }))
      << "the second read should be waiting for the only connection";
  EXPECT_FALSE(read_done.load());
  held.reset();
  reader.join();
  EXPECT_TRUE(read_done.load());
  EXPECT_EQ(readers.reads(), 2u);
}

}  // namespace
}  // namespace parley
