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

  // One atomic upsert, committed (synchronous=FULL) before the value is returned, so an id is
  // never handed out twice, even across a crash.
  Result<int64_t> next(const ConversationKey& key) override;

 private:
  Database& db_;
};

}  // namespace parley::sqlite
