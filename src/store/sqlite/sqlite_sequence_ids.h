#pragma once
// SequenceIds persisted in SQLite (the embedded default), in the database that holds the messages
// that carry them, so ids and messages survive restarts together.
//
// A conversation's last id is the larger of its highest stored message id (one seek in the
// message_conversation_sequence index) and its row in the `sequence_id` table (kMessageSchema),
// which records ids handed out before their message is stored. numberAndStoreAsync, the path of
// every message, reads both and writes only the message: keeping a counter row up to date cost
// every message one more random page in the WAL (+15-25% closed-loop rate without it).
#include "cluster/sequence_ids.h"
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
  // The conversation's last id, as the running write sees it.
  Result<int64_t> lastInWrite(const ConversationKey& key);

  Database& db_;
  SqliteMessageRepository& messages_;
};

}  // namespace parley::sqlite
