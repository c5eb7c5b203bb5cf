#pragma once
// SequenceIds persisted in SQLite (the embedded default), in the `sequence_id` table created by
// kMessageSchema (sqlite_message_repository.h). Counters live in the same database as the
// messages that carry them, so they survive restarts together.
#include "cluster/sequence_ids.h"
#include "store/sqlite/sqlite_database.h"

namespace parley::sqlite {

class SqliteSequenceIds final : public SequenceIds {
 public:
  // db must outlive this object.
  explicit SqliteSequenceIds(Database& db) : db_(db) {}

  // One atomic upsert in the writer's group commit. The value is returned once the upsert ran,
  // before its commit: the id reaches clients only with its message, which commits in the same
  // or a later batch (Database::writeBeforeCommit), so a crash can never hand out an id that a
  // stored message has.
  Result<int64_t> next(const ConversationKey& key) override;
  // The same upsert; done runs on the writer thread right after it, so a message inserted from
  // done joins the counter's transaction.
  void nextAsync(const ConversationKey& key, std::function<void(Result<int64_t>)> done) override;

 private:
  Database& db_;
};

}  // namespace parley::sqlite
