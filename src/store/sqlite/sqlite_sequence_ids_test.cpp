// SQLite-specific sequence id guarantees; the portable ones are in the message contract suite
// (store/message_repository_contract_test.h).
#include "store/sqlite/sqlite_sequence_ids.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

const sqlite::Migration kMigrations[] = {
    {1, "the message tables", sqlite::kMessageSchemaLatest},
};

int64_t storedValue(sqlite::Database& db, const ConversationKey& key) {
  auto lock = db.lock();
  auto stmt = db.prepare("SELECT value FROM sequence_id WHERE is_group = ?1 AND a = ?2 AND b = ?3");
  EXPECT_TRUE(stmt.ok());
  stmt->bind(1, int64_t{key.is_group}).bind(2, key.a).bind(3, key.b);
  auto row = stmt->step();
  EXPECT_TRUE(row.ok());
  return row.ok() && row.value() ? stmt->columnInt64(0) : 0;
}

// next() returns once the counter's upsert ran, before its batch commits; what must hold is that
// the counter is committed no later than a durable write queued after it (the message that
// carries the id), so no stored message's id can be handed out again after a crash.
TEST(SqliteSequenceIdsTest, EachIdIsCommittedNoLaterThanTheNextDurableWrite) {
  testing::TempDir dir;
  const std::string path = dir.file("seq.db");
  sqlite::Database db(path);
  db.migrate(kMigrations);
  sqlite::ReaderPool readers(db);
  sqlite::SqliteMessageRepository messages(db, readers);
  sqlite::SqliteSequenceIds ids(db, messages);
  const ConversationKey key = ConversationKey::privateOf(5, 3);
  ASSERT_EQ(ids.next(key).value(), 1);
  ASSERT_EQ(ids.next(key).value(), 2);
  ASSERT_TRUE(db.writeDurably([] { return VoidResult{}; }).ok());

  sqlite::Database observer(path);
  EXPECT_EQ(storedValue(observer, key), 2);
}

TEST(SqliteSequenceIdsTest, FailureIsAStatusNotAnException) {
  testing::TempDir dir;
  sqlite::Database db(dir.file("seq.db"));
  // No migration: the table is missing, as when the database is broken underneath.
  sqlite::ReaderPool readers(db);
  sqlite::SqliteMessageRepository messages(db, readers);
  sqlite::SqliteSequenceIds ids(db, messages);
  auto next = ids.next(ConversationKey::groupOf(1));
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code, StatusCode::kServerInternalError);
}

}  // namespace
}  // namespace parley
