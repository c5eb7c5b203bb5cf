#pragma once
// SequenceLeaseRepository in the embedded store: one row per conversation, raised by the writer
// thread (group commit, durable when extend() returns). Used when a node keeps its sequence
// counters in Redis but its business data in SQLite.
#include <string_view>

#include "store/message_repository.h"
#include "store/sequence_lease_repository.h"
#include "store/sqlite/sqlite_database.h"

namespace parley::sqlite {

// Schema migration 8.
inline constexpr std::string_view kSequenceLeaseSchema = R"sql(
CREATE TABLE sequence_lease (
  is_group INTEGER NOT NULL CHECK (is_group IN (0, 1)),
  a INTEGER NOT NULL,
  b INTEGER NOT NULL,
  bound INTEGER NOT NULL,
  PRIMARY KEY (is_group, a, b)
) STRICT, WITHOUT ROWID;
)sql";

class SqliteSequenceLeaseRepository final : public SequenceLeaseRepository {
 public:
  // Both must outlive the repository; messages gives the first bound of a conversation that
  // has stored messages but no row yet.
  SqliteSequenceLeaseRepository(Database& db, MessageRepository& messages)
      : db_(db), messages_(messages) {}

  Result<SequenceLease> extend(const ConversationKey& key, int64_t count) override;
  Result<int64_t> bound(const ConversationKey& key) override;

 private:
  Database& db_;
  MessageRepository& messages_;
};

}  // namespace parley::sqlite
