// ConversationCounters: conversations' last sequence ids in memory, their rows written behind by
// the sweep, and nothing lost when the process dies before the sweep wrote a row.
#include "store/sqlite/sqlite_conversation_counters.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "store/sqlite/sqlite_sequence_ids.h"
#include "testing/sqlite_store_test_env.h"
#include "testing/temp_dir.h"

namespace parley {
namespace {

using namespace std::chrono_literals;

const sqlite::Migration kMigrations[] = {
    {1, "the message tables", sqlite::kMessageSchemaLatest},
    {2, "a deferred foreign key, checked only at COMMIT: a way to make a batch fail to commit",
     "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
     "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) "
     "DEFERRABLE INITIALLY DEFERRED)"},
};

// A pass so long that the sweep writes no row during a test: every row lags behind its messages.
constexpr auto kNeverSweeps = std::chrono::hours(1);
// A pass so short that every commit completes one.
constexpr auto kEveryCommitSweeps = std::chrono::nanoseconds(1);

MessageRecord messageOf(int64_t id, int64_t sender, int64_t recipient) {
  MessageRecord message;
  message.id = id;
  message.sender_id = sender;
  message.target_id = recipient;
  message.delivery_date = 1'700'000'000'000 + id;
  message.text = "hi";
  return message;
}

// What one process holds of the database; destroying it without flush is that process dying after
// its last commit.
struct OpenDatabase {
  OpenDatabase(const std::string& path, std::chrono::nanoseconds pass)
      : db(path), readers(db), messages(db, readers, pass), ids(db, messages) {
    db.migrate(kMigrations);
    messages.counters().recover();
  }

  // Numbers and stores messages concurrently (they share batches); returns their ids.
  std::vector<int64_t> numberAndStore(const std::vector<MessageRecord>& records) {
    std::vector<std::promise<Result<int64_t>>> answers(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      ids.numberAndStoreAsync(records[i], messages,
                              [&answers, i](Result<int64_t> id) { answers[i].set_value(id); });
    }
    std::vector<int64_t> numbered;
    for (auto& answer : answers) {
      Result<int64_t> id = answer.get_future().get();
      EXPECT_TRUE(id.ok()) << id.status().reason;
      numbered.push_back(id.ok() ? id.value() : -1);
    }
    return numbered;
  }
  int64_t numberAndStore(int64_t id, int64_t sender, int64_t recipient) {
    return numberAndStore({messageOf(id, sender, recipient)}).front();
  }

  int64_t queryInt(const std::string& sql, int64_t if_null = 0) {
    auto lock = db.lock();
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt.ok());
    if (!stmt.ok()) return -1;
    auto row = stmt->step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !row.value() || stmt->columnIsNull(0)) return if_null;
    return stmt->columnInt64(0);
  }
  int64_t row(int64_t user1, int64_t user2) {
    const ConversationKey key = ConversationKey::privateOf(user1, user2);
    return queryInt("SELECT value FROM sequence_id WHERE is_group = 0 AND a = " +
                    std::to_string(key.a) + " AND b = " + std::to_string(key.b));
  }
  std::optional<int64_t> scanFrom() {
    const int64_t value = queryInt("SELECT scan_from FROM sequence_id_recovery", -1);
    return value == -1 ? std::nullopt : std::optional<int64_t>(value);
  }
  // What start-up relies on: every stored message is in its row, or at or past scan_from.
  int64_t messagesNeitherInTheirRowNorPastScanFrom() {
    return queryInt(
        "SELECT count(*) FROM message m WHERE m.sequence_id > coalesce((SELECT value FROM "
        "sequence_id s WHERE s.is_group = m.is_group_message AND s.a = m.conversation_a AND s.b = "
        "m.conversation_b), 0) AND m.id < coalesce((SELECT scan_from FROM sequence_id_recovery), "
        "9223372036854775807)");
  }

  sqlite::Database db;
  sqlite::ReaderPool readers;
  sqlite::SqliteMessageRepository messages;
  sqlite::SqliteSequenceIds ids;
};

class ConversationCountersTest : public ::testing::Test {
 protected:
  std::unique_ptr<OpenDatabase> open(std::chrono::nanoseconds pass) {
    return std::make_unique<OpenDatabase>(path_, pass);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.file("counters.db");
};

// The process dies with rows behind their messages: start-up folds the messages past scan_from
// into the rows, and every conversation goes on from its last stored id.
TEST_F(ConversationCountersTest, IdsGoOnAfterACrashFromMessagesNewerThanTheirRows) {
  constexpr int kConversations = 50;
  std::vector<MessageRecord> records;
  for (int round = 0; round < 3; ++round) {
    for (int user = 1; user <= kConversations; ++user) {
      records.push_back(messageOf(1000 + static_cast<int64_t>(records.size()), user, 1000 + user));
    }
  }
  {
    auto node = open(kNeverSweeps);
    for (size_t from = 0; from < records.size(); from += kConversations) {
      const std::vector<MessageRecord> round(
          records.begin() + static_cast<ptrdiff_t>(from),
          records.begin() + static_cast<ptrdiff_t>(from + kConversations));
      for (const int64_t id : node->numberAndStore(round)) EXPECT_EQ(id, from / kConversations + 1);
    }
    EXPECT_EQ(node->row(1, 1001), 0) << "no row written yet: the test covers the lagging rows";
    EXPECT_EQ(node->scanFrom(), 1000);
    EXPECT_EQ(node->messagesNeitherInTheirRowNorPastScanFrom(), 0);
    EXPECT_EQ(node->messages.maxSequenceId(false, 1001, 1).value(), 3) << "the re-seed floor";
  }
  auto node = open(kNeverSweeps);
  EXPECT_EQ(node->row(1, 1001), 3) << "folded at start-up";
  EXPECT_EQ(node->scanFrom(), std::nullopt);
  EXPECT_EQ(node->messages.maxSequenceId(false, 1, 1001).value(), 3);
  for (int user = 1; user <= kConversations; ++user) {
    EXPECT_EQ(node->numberAndStore(5000 + user, 1000 + user, user), 4) << "user " << user;
  }
}

// Message ids need not grow (an import, a clock set back): a message whose id is below scan_from
// lowers it in its own write, or start-up would not look at it.
TEST_F(ConversationCountersTest, AMessageWithASmallerIdLowersScanFrom) {
  {
    auto node = open(kNeverSweeps);
    EXPECT_EQ(node->numberAndStore(1000, 1, 2), 1);
    EXPECT_EQ(node->numberAndStore(2000, 3, 4), 1);
    EXPECT_EQ(node->scanFrom(), 1000);
    EXPECT_EQ(node->numberAndStore(500, 5, 6), 1);
    EXPECT_EQ(node->scanFrom(), 500);
    EXPECT_EQ(node->messagesNeitherInTheirRowNorPastScanFrom(), 0);
  }
  auto node = open(kNeverSweeps);
  EXPECT_EQ(node->numberAndStore(3000, 6, 5), 2);
  EXPECT_EQ(node->numberAndStore(3001, 2, 1), 2);
}

// The sweep writes the rows of the conversations noted, raises scan_from once a pass has covered
// everything noted, and lets go of conversations idle for a pass, which then go on from their
// rows.
TEST_F(ConversationCountersTest, TheSweepWritesRowsAndForgetsIdleConversations) {
  auto node = open(kEveryCommitSweeps);
  EXPECT_EQ(node->numberAndStore(1, 1, 2), 1);
  EXPECT_EQ(node->numberAndStore(2, 2, 1), 2);
  const auto commit = [&] { ASSERT_TRUE(node->db.writeDurably([] { return VoidResult{}; }).ok()); };
  commit();
  EXPECT_EQ(node->row(1, 2), 2);
  commit();
  commit();
  EXPECT_EQ(node->scanFrom(), std::nullopt) << "every message is in its row";
  EXPECT_EQ(node->messages.counters().cachedConversations(), 0u);
  EXPECT_EQ(node->messages.maxSequenceId(false, 2, 1).value(), 2) << "from the row";
  EXPECT_EQ(node->numberAndStore(3, 1, 2), 3);
  EXPECT_EQ(node->messagesNeitherInTheirRowNorPastScanFrom(), 0);
}

// Messages stored with their ids by other paths (an import, in a transaction of its own) and rows
// written by other means (an earlier version, an id handed out ahead) both bound the next id.
TEST_F(ConversationCountersTest, ImportedMessagesAndExistingRowsBoundTheNextId) {
  auto node = open(kNeverSweeps);
  MessageRecord imported = messageOf(1, 5, 3);
  imported.sequence_id = 10;
  ASSERT_TRUE(node->messages.insertMany(std::span<const MessageRecord>(&imported, 1)).ok());
  EXPECT_EQ(node->row(3, 5), 10) << "written with the import";
  EXPECT_EQ(node->numberAndStore(2, 3, 5), 11);
  {
    auto lock = node->db.lock();
    ASSERT_TRUE(
        node->db.exec("INSERT INTO sequence_id (is_group, a, b, value) VALUES (0, 7, 8, 40)").ok());
  }
  EXPECT_EQ(node->numberAndStore(3, 8, 7), 41);
}

// A batch that fails to commit takes its messages and the sweep's rows with it: the rows are
// written again by a later batch, and ids go on from what was committed, across a crash too.
TEST_F(ConversationCountersTest, ABatchThatFailsToCommitLosesNoRowAndReusesNoId) {
  {
    auto node = open(kEveryCommitSweeps);
    EXPECT_EQ(node->numberAndStore(10, 1, 2), 1);
    EXPECT_EQ(node->numberAndStore(11, 3, 4), 1);
    // A write that holds its batch open until the message has queued behind it, then breaks
    // the batch's commit.
    std::atomic<bool> breaker_running{false};
    std::thread breaker([&] {
      const VoidResult broken = node->db.writeDurably([&] {
        breaker_running = true;
        while (node->db.queuedWriters() != 1) std::this_thread::yield();
        return node->db.exec("INSERT INTO child (id, parent_id) VALUES (1, 99)");
      });
      EXPECT_FALSE(broken.ok());
    });
    while (!breaker_running) std::this_thread::yield();
    std::promise<Result<int64_t>> lost;
    node->ids.numberAndStoreAsync(messageOf(20, 2, 1), node->messages,
                                  [&lost](Result<int64_t> id) { lost.set_value(id); });
    breaker.join();
    EXPECT_FALSE(lost.get_future().get().ok()) << "its batch did not commit";
    EXPECT_EQ(node->db.writerMetrics().failed_commits, 1u);
    // The failed batch had written the rows of both conversations. A pass writes them again,
    // the next lets the conversations go, and a message then starts from its row.
    for (int pass = 0; pass < 3; ++pass) {
      ASSERT_TRUE(node->db.writeDurably([] { return VoidResult{}; }).ok());
    }
    EXPECT_EQ(node->messages.counters().cachedConversations(), 0u);
    EXPECT_EQ(node->numberAndStore(30, 3, 4), 2);
    EXPECT_EQ(node->numberAndStore(31, 1, 2), 3) << "an id may be skipped, never reused";
    EXPECT_EQ(node->messagesNeitherInTheirRowNorPastScanFrom(), 0);
  }
  auto node = open(kEveryCommitSweeps);
  EXPECT_EQ(node->numberAndStore(40, 2, 1), 4);
  EXPECT_EQ(node->numberAndStore(41, 4, 3), 3);
}

// A clean stop (Store::flush) writes every row, so start-up has nothing to fold.
TEST(ConversationCountersStoreTest, FlushWritesEveryRowAndClearsScanFrom) {
  testing::SqliteStoreTestEnv env;
  std::unique_ptr<Store> opened = env.open();
  auto* store = dynamic_cast<sqlite::SqliteStore*>(opened.get());
  ASSERT_NE(store, nullptr);
  for (int64_t id = 1; id <= 3; ++id) {
    std::promise<Result<int64_t>> answer;
    store->sequenceIds().numberAndStoreAsync(
        messageOf(id, 7, 8), store->messages(),
        [&answer](Result<int64_t> numbered) { answer.set_value(numbered); });
    ASSERT_EQ(answer.get_future().get().value(), id);
  }
  EXPECT_EQ(store->metrics()->conversations_in_memory, 1) << "the operator's gauge";
  store->flush();
  auto lock = store->db().lock();
  auto row = store->db().prepare(
      "SELECT (SELECT value FROM sequence_id WHERE is_group = 0 AND a = 7 AND b = 8), "
      "(SELECT scan_from FROM sequence_id_recovery)");
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->step().value());
  EXPECT_EQ(row->columnInt64(0), 3);
  EXPECT_TRUE(row->columnIsNull(1));
}

// Databases of earlier versions had the ids only in their messages: migration 7 writes the rows.
TEST(ConversationCountersMigrationTest, TheMigrationWritesEveryConversationsRow) {
  testing::TempDir dir;
  sqlite::Database db(dir.file("old.db"));
  constexpr sqlite::Migration kBefore[] = {
      {1, "messages", sqlite::kMessageSchema},
      {2, "drop index", sqlite::kMessageDropSenderIndex},
  };
  db.migrate(kBefore);
  {
    auto lock = db.lock();
    ASSERT_TRUE(db.exec("INSERT INTO message (id, is_group_message, is_system_message, sender_id, "
                        "target_id, delivery_date, text, records, sequence_id) VALUES "
                        "(1, 0, 0, 5, 3, 1, 'a', '[]', 1), (2, 0, 0, 3, 5, 2, 'b', '[]', 2), "
                        "(3, 1, 0, 5, 9, 3, 'c', '[]', 7), (4, 0, 0, 4, 6, 4, 'd', '[]', 0)")
                    .ok());
  }
  constexpr sqlite::Migration kAfter[] = {
      {1, "messages", sqlite::kMessageSchema},
      {2, "drop index", sqlite::kMessageDropSenderIndex},
      {3, "counters", sqlite::kConversationCountersSchema},
  };
  db.migrate(kAfter);
  auto lock = db.lock();
  auto rows = db.prepare("SELECT is_group, a, b, value FROM sequence_id ORDER BY is_group, a, b");
  ASSERT_TRUE(rows.ok());
  std::vector<std::vector<int64_t>> found;
  while (rows->step().value()) {
    found.push_back(
        {rows->columnInt64(0), rows->columnInt64(1), rows->columnInt64(2), rows->columnInt64(3)});
  }
  EXPECT_EQ(found, (std::vector<std::vector<int64_t>>{{0, 3, 5, 2}, {1, 9, 0, 7}}));
}

}  // namespace
}  // namespace parley
