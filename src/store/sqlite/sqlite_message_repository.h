#pragma once
// MessageRepository on SQLite, over the `message` table; the `sequence_id` table of the same
// migration is kept by its ConversationCounters (sqlite_conversation_counters.h).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "store/message_repository.h"
#include "store/sqlite/sqlite_conversation_counters.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Schema migration 2 (see sqlite_store.cpp). Append-only once released.
//
// `records` holds the opaque binary attachments as a JSON array of lowercase hex strings: the
// Statement layer binds text only, and hex keeps arbitrary bytes (NULs, invalid UTF-8) out of a
// TEXT column while staying readable in the sqlite3 shell.
//
// conversation_a/b are the ConversationKey of the row (group id and 0, or the smaller and larger
// user id), computed by SQLite so that a conversation's highest sequence id is one index seek.
inline constexpr std::string_view kMessageSchema = R"sql(
CREATE TABLE message (
  id INTEGER PRIMARY KEY,
  is_group_message INTEGER NOT NULL CHECK (is_group_message IN (0, 1)),
  is_system_message INTEGER NOT NULL CHECK (is_system_message IN (0, 1)),
  sender_id INTEGER NOT NULL,
  target_id INTEGER NOT NULL,
  delivery_date INTEGER NOT NULL,
  modification_date INTEGER,
  recall_date INTEGER,
  text TEXT NOT NULL,
  records TEXT NOT NULL,
  burn_after INTEGER,
  pre_message_id INTEGER,
  reference_id INTEGER,
  sequence_id INTEGER NOT NULL,
  conversation_a INTEGER NOT NULL GENERATED ALWAYS AS
    (CASE WHEN is_group_message THEN target_id ELSE min(sender_id, target_id) END) VIRTUAL,
  conversation_b INTEGER NOT NULL GENERATED ALWAYS AS
    (CASE WHEN is_group_message THEN 0 ELSE max(sender_id, target_id) END) VIRTUAL
) STRICT;
-- Messages addressed to a user (private history, offline pull) or to a group, by date. The rowid
-- (the message id) ends every index entry, so "ORDER BY delivery_date, id" needs no sort.
CREATE INDEX message_target_date ON message (target_id, is_group_message, delivery_date);
-- Private messages from given senders to a user, and the per-sender totals of with_total.
CREATE INDEX message_sender_target_date
  ON message (sender_id, target_id, is_group_message, delivery_date);
-- maxSequenceId(): the durable floor a lost sequence counter is re-seeded from (dropped by
-- migration 7: ConversationCounters keeps the floors).
CREATE INDEX message_conversation_sequence
  ON message (is_group_message, conversation_a, conversation_b, sequence_id)
  WHERE sequence_id > 0;

-- Per-conversation sequence counters (SqliteSequenceIds): the last id handed out.
CREATE TABLE sequence_id (
  is_group INTEGER NOT NULL CHECK (is_group IN (0, 1)),
  a INTEGER NOT NULL,
  b INTEGER NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (is_group, a, b)
) STRICT, WITHOUT ROWID;
)sql";

// Schema migration 6. Every index a message lands in at a random position costs the writer a
// page in the WAL at nearly every commit; the queries with a sender filter are answered as well
// through message_target_date (the recipient's messages in the date range, filtered by sender),
// which is the index the planner already chose for their rows. Dropping this one raised the
// closed-loop private rate from about 16,600 to 20,100 messages/s in alternating runs.
inline constexpr std::string_view kMessageDropSenderIndex =
    "DROP INDEX IF EXISTS message_sender_target_date;";

// The message tables as the migrations above leave them, for tests that open them alone.
inline const std::string kMessageSchemaLatest = std::string(kMessageSchema) +
                                                std::string(kMessageDropSenderIndex) +
                                                std::string(kConversationCountersSchema);

class SqliteMessageRepository final : public MessageRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to reader (see
  // SqliteStore); both must outlive the repository. counters_pass: ConversationCounters.
  SqliteMessageRepository(
      Database& db, ReaderPool& readers,
      std::chrono::nanoseconds counters_pass = ConversationCounters::kPassDuration)
      : db_(db), readers_(readers), counters_(db, readers, counters_pass) {}

  VoidResult insert(const MessageRecord& message) override;
  // Queued to the writer's group commit; done runs on the writer thread once it is committed.
  void insertAsync(const MessageRecord& message, std::function<void(VoidResult)> done) override;
  Result<int64_t> insertMany(std::span<const MessageRecord> messages) override;
  Result<std::optional<MessageRecord>> findById(int64_t id) override;
  Result<std::vector<MessageRecord>> query(const MessageQuery& query) override;
  Result<std::vector<std::pair<int64_t, int64_t>>> countByConversation(
      const MessageQuery& query) override;
  Result<bool> update(int64_t id, const MessageUpdate& update) override;
  Result<int64_t> maxSequenceId(bool is_group, int64_t a, int64_t b) override;

  // For a write running on db's writer (SqliteSequenceIds numbers and stores a message in one
  // write), once counters().prepareToStoreInWrite gave the conversation's last id.
  VoidResult insertInWrite(const MessageRecord& message);
  // Every conversation's last sequence id, which every insert here keeps up to date.
  ConversationCounters& counters() { return counters_; }

  // Every SQL text this repository can run, so a test can check each query plan for full scans.
  static std::vector<std::string> statementsForPlanCheck();

 private:
  // How an insert brings its conversation's counter up to date.
  enum class Counter {
    kNoteInBatch,  // on the writer thread, in the group commit: the sweep writes the row
    kPrepared,     // the same, with prepareToStoreInWrite already called (insertInWrite)
    kWriteRow,     // in a transaction of the caller's: the row now
  };
  // Inserts, or accepts an identical existing row (a retried write). Caller holds the lock. A
  // failure leaves nothing to undo (Database::Undo::kNothingToUndo): the only statements that
  // change anything are the INSERT, which SQLite backs out by itself when it fails, and, before
  // it, a lower scan_from (ConversationCounters), harmless alone.
  VoidResult insertLocked(const MessageRecord& message, Counter counter, bool& inserted);

  Database& db_;
  ReaderPool& readers_;
  ConversationCounters counters_;
};

}  // namespace parley::sqlite
