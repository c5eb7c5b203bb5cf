#pragma once
// SequenceLeaseRepository in the embedded store, for a node that keeps its sequence counters in
// Redis and its business data in SQLite (one node per SQLite store, so this process is the only
// one handing out ids under these bounds).
//
// extend() does not wait for a commit. The new bound is kept in memory and written behind (the
// writer's next batch); the entry leaves memory once that batch has committed, when the row
// covers it. While the process lives, memory or the row covers every id it handed out; after a
// crash, the ids it handed out are either in stored messages (which bound the next lease: the
// bound is never below the highest stored sequence id) or were never stored nor acknowledged, so
// handing them out again repeats nothing a client saw. This saves a commit wait per new
// conversation (the Redis-backed private benchmark, where nearly every message opens a
// conversation, ran at a quarter of its rate when extend() waited).
#include <array>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "store/message_repository.h"
#include "store/sequence_lease_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

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
  // All must outlive the repository; messages gives the highest stored sequence id.
  SqliteSequenceLeaseRepository(Database& db, ReaderPool& readers, MessageRepository& messages)
      : db_(db), readers_(readers), messages_(messages) {}

  Result<SequenceLease> extend(const ConversationKey& key, int64_t count) override;
  Result<int64_t> bound(const ConversationKey& key) override;

  // Bounds raised but not yet committed (tests, and the memory it costs: a few per conversation
  // being leased at this moment).
  size_t pendingBounds();

 private:
  // The bound as the row has it (0 without a row).
  Result<int64_t> storedBound(const ConversationKey& key);
  // The bound raised but not committed yet, if any (key normalized).
  std::optional<int64_t> pendingBound(const ConversationKey& key);

  Database& db_;
  ReaderPool& readers_;
  MessageRepository& messages_;
  // One extension of a conversation at a time (Redis lets one caller lease; this is the rest).
  std::array<std::mutex, 64> stripes_;
  std::mutex pending_mutex_;
  std::unordered_map<ConversationKey, int64_t, ConversationKeyHash> pending_;  // not yet committed
};

}  // namespace parley::sqlite
