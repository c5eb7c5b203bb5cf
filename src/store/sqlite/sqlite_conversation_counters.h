#pragma once
// The last sequence id of every conversation on SQLite: held in memory for the conversations in
// use, and written back to the `sequence_id` table by a sweep that does a slice of the work at
// every group commit.
//
// Why not read it from the messages: an index over (conversation, sequence id) put every message
// into a second random index page, and every such page costs the writer a 4 KiB WAL frame, a
// checkpoint copy and its share of the fsync. Without it the closed-loop private rate rose from
// about 24,000 to 33,000 messages/s. The sweep visits the conversations in key order every few
// seconds, so one page of `sequence_id` carries the rows of many conversations.
//
// Nothing is lost with the memory: each message carries its id, and a row may lag behind the
// messages only for messages whose id is at least the `scan_from` of `sequence_id_recovery`.
// Start-up (recover()) folds those messages into the rows. scan_from is lowered, in the write
// itself, by a message stored with a smaller id, and raised when the sweep completes a pass, to
// the lowest message id noted during that pass: every message noted before the pass began has its
// row by then. A batch that fails to commit gives back what its sweep wrote (afterCommit).
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "online/sequence_ids.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Schema migration 7: the rows start out with every stored message's id, and the index the
// counters replace goes.
inline constexpr std::string_view kConversationCountersSchema = R"sql(
INSERT INTO sequence_id (is_group, a, b, value)
  SELECT is_group_message, conversation_a, conversation_b, max(sequence_id) FROM message
  WHERE sequence_id > 0 GROUP BY is_group_message, conversation_a, conversation_b
  ON CONFLICT (is_group, a, b) DO UPDATE SET value = max(value, excluded.value);
DROP INDEX IF EXISTS message_conversation_sequence;
-- One row: messages with an id of at least scan_from may be newer than their sequence_id row
-- (NULL: none is).
CREATE TABLE sequence_id_recovery (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  scan_from INTEGER
) STRICT;
INSERT INTO sequence_id_recovery (only_row, scan_from) VALUES (1, NULL);
)sql";

class ConversationCounters {
 public:
  // How long a pass of the sweep takes: longer keeps a conversation in memory longer (no row to
  // read for its next message) and lets one row carry more of its messages, but leaves more
  // messages for start-up to fold after a crash (up to two passes' worth) and more conversations
  // in memory (about 80 bytes each, for those with a message in the last one or two passes).
  // 5 s against 1 s: +5% closed-loop private rate over five alternating pairs (the benchmark's
  // random pairs of 1,000 users rarely meet twice within a second); 20 s gained nothing more.
  // The price in latency: a pass begins by sorting the keys it will visit, inside one commit,
  // about 60 ns per conversation (24 ms for 300,000, what the writer's top rate fills in two
  // passes), so one batch in five seconds waits that much longer. A radix sort, or a sorted
  // container kept beside the hash table, would spread it.
  static constexpr std::chrono::milliseconds kPassDuration{5000};

  // Installs the sweep as db's commit hooks; db and readers must outlive this object.
  ConversationCounters(Database& db, ReaderPool& readers,
                       std::chrono::nanoseconds pass_duration = kPassDuration);
  ~ConversationCounters();
  ConversationCounters(const ConversationCounters&) = delete;
  ConversationCounters& operator=(const ConversationCounters&) = delete;

  // Start-up, after the migrations: folds the messages past scan_from into their rows. Throws
  // std::runtime_error when it cannot.
  void recover();

  // The calls below run inside a write on db with its lock held (the writer thread's group
  // commit, or a Transaction of the caller's).
  //
  // The conversation's last id.
  Result<int64_t> lastInWrite(const ConversationKey& key);
  // A message the running group-commit write stores: prepareToStoreInWrite before the message's
  // statement (it loads the conversation, returning its last id, which numbers the message, and
  // may lower scan_from, which needs no undoing should the message not be stored), storedInWrite
  // once it is stored (memory only: it cannot fail, so a write needs no savepoint to undo it).
  Result<int64_t> prepareToStoreInWrite(const ConversationKey& key, int64_t message_id);
  void storedInWrite(const ConversationKey& key, int64_t sequence_id, int64_t message_id);
  // Writes the row now, in the running write (ids handed out ahead of their message; messages
  // stored outside the group commit). The row never goes down.
  VoidResult recordInWrite(const ConversationKey& key, int64_t sequence_id);
  // The next commit's sweep writes every pending row and clears scan_from (shutdown, so that
  // start-up has nothing to fold).
  void requestFullSweep();

  // Any thread: the conversation's last id, uncommitted ones of the running batch included.
  Result<int64_t> last(const ConversationKey& key);
  // Conversations held in memory (tests, metrics).
  size_t cachedConversations();

 private:
  struct Key {
    bool is_group = false;
    int64_t a = 0;
    int64_t b = 0;
    auto operator<=>(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      // Splitmix-style mixing: user ids are dense, and a plain XOR of them collides.
      uint64_t h = static_cast<uint64_t>(key.a) * 0x9E3779B97F4A7C15ULL;
      h ^= static_cast<uint64_t>(key.b) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
      h ^= key.is_group ? 0xD6E8FEB86659FD93ULL : 0;
      return static_cast<size_t>(h ^ (h >> 31));
    }
  };
  struct Entry {
    int64_t last = 0;
    bool dirty = false;  // newer than its row
  };
  static constexpr int64_t kNoScan = INT64_MAX;

  // A hand-built key may have its users in either order; one conversation must be one sequence.
  static Key keyOf(const ConversationKey& key);

  // Caller holds mutex_.
  Result<Entry*> entryInWrite(const Key& key);
  VoidResult writeRow(const Key& key, int64_t value);
  VoidResult writeScanFrom(int64_t scan_from);
  // One slice of the sweep (the before-commit hook): visits a share of the conversations
  // proportional to the time since the last slice, so a pass takes about pass_duration_.
  VoidResult sweepSlice();
  VoidResult visit(const Key& key);
  // The keys of every conversation held, sorted: rows written in key order share pages.
  std::vector<Key> sortedKeys() const;
  void afterCommit(bool committed, bool sweep_kept);

  Database& db_;
  ReaderPool& readers_;
  std::mutex mutex_;  // guards everything below
  // Open addressing (boost::unordered_flat_map, kept out of this header): a lookup is about one
  // cache miss; std::unordered_map's chains of separately allocated nodes cost the writer 6%.
  struct Entries;
  std::unique_ptr<Entries> entries_;
  // The pass under way: the conversations held when it began, and the next one to visit.
  std::vector<Key> pass_;
  size_t pass_next_ = 0;
  const std::chrono::nanoseconds pass_duration_;
  std::chrono::steady_clock::time_point last_slice_;
  // Visits earned by the time passed and not made yet (fractions carry over to the next slice).
  double visit_credit_ = 0;
  // scan_from as committed, and as the running batch leaves it.
  int64_t scan_from_committed_ = kNoScan;
  int64_t scan_from_pending_ = kNoScan;
  // The lowest message id noted since the current pass began.
  int64_t lowest_noted_in_pass_ = kNoScan;
  bool full_sweep_requested_ = false;
  // Before the running batch's sweep, to undo it should it not commit.
  bool swept_in_batch_ = false;
  int64_t lowest_noted_before_sweep_ = kNoScan;
  int64_t scan_from_before_sweep_ = kNoScan;
  std::vector<Key> rows_written_in_batch_;
};

}  // namespace parley::sqlite
