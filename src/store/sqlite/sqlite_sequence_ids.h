#pragma once
// SequenceIds persisted in SQLite (the embedded default), in the database that holds the messages
// that carry them, so ids and messages survive restarts together.
//
// A conversation's last id is kept by ConversationCounters (sqlite_conversation_counters.h):
// numberAndStoreAsync, the path of every message, numbers and stores the message in one write
// that touches no page but the message's own.
#include "online/sequence_ids.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_message_repository.h"

namespace parley::sqlite {

class SqliteSequenceIds final : public SequenceIds {
 public:
  // db and messages (a repository on db) must outlive this object.
  SqliteSequenceIds(Database& db, SqliteMessageRepository& messages)
      : db_(db), messages_(messages) {}

  // For an id whose message is stored later (a recall notice): the id is recorded in the
  // sequence_id table by a write in the group commit, and returned once that write ran, before
  // its commit. The id reaches clients only with its message, which commits in the same or a
  // later batch (Database::writeBeforeCommit), so a crash can never hand out an id that a stored
  // message has.
  Result<int64_t> next(const ConversationKey& key) override;
  // One write on the writer thread: the conversation's last id, plus one, stored with the
  // message; done runs once it is committed. Through another repository than this store's, the
  // default (next, then insert).
  void numberAndStoreAsync(MessageRecord message, MessageRepository& messages,
                           std::function<void(Result<int64_t>)> done) override;

 private:
  Database& db_;
  SqliteMessageRepository& messages_;
};

}  // namespace parley::sqlite
