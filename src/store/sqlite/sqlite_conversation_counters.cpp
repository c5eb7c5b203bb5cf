#include "store/sqlite/sqlite_conversation_counters.h"

#include <spdlog/spdlog.h>

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace parley::sqlite {
namespace {

constexpr std::string_view kReadRow =
    "SELECT value FROM sequence_id WHERE is_group = ?1 AND a = ?2 AND b = ?3";
constexpr std::string_view kWriteRow =
    "INSERT INTO sequence_id (is_group, a, b, value) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET value = max(value, excluded.value)";
constexpr std::string_view kHasRecoveryTable =
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sequence_id_recovery'";
constexpr std::string_view kReadScanFrom = "SELECT scan_from FROM sequence_id_recovery";
constexpr std::string_view kWriteScanFrom = "UPDATE sequence_id_recovery SET scan_from = ?1";
// A range of the message table's rowid, grouped: the messages of the last pass or two before
// a crash.
constexpr std::string_view kFold =
    "INSERT INTO sequence_id (is_group, a, b, value) "
    "SELECT is_group_message, conversation_a, conversation_b, max(sequence_id) FROM message "
    "WHERE id >= ?1 AND sequence_id > 0 "
    "GROUP BY is_group_message, conversation_a, conversation_b "
    "ON CONFLICT (is_group, a, b) DO UPDATE SET value = max(value, excluded.value)";

Result<int64_t> readRow(Database& db, bool is_group, int64_t a, int64_t b) {
  Result<Statement> stmt = db.prepare(kReadRow);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{is_group}).bind(2, a).bind(3, b);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() ? stmt->columnInt64(0) : int64_t{0};
}

}  // namespace

struct ConversationCounters::Entries : boost::unordered_flat_map<Key, Entry, KeyHash> {};

ConversationCounters::ConversationCounters(Database& db, ReaderPool& readers,
                                           std::chrono::nanoseconds pass_duration)
    : db_(db),
      readers_(readers),
      entries_(std::make_unique<Entries>()),
      pass_duration_(pass_duration),
      last_slice_(std::chrono::steady_clock::now()) {
  db_.setCommitHooks([this] { return sweepSlice(); },
                     [this](bool committed, bool kept) { afterCommit(committed, kept); });
}

ConversationCounters::~ConversationCounters() { db_.setCommitHooks({}, {}); }

void ConversationCounters::recover() {
  auto lock = db_.lock();
  const auto failed = [this](const Status& status) {
    return std::runtime_error("SQLite database " + db_.path() +
                              ": cannot restore the conversations' sequence ids: " + status.reason);
  };
  {
    // A store opened over another domain's tables alone (tests) has no counters to restore.
    Result<Statement> stmt = db_.prepare(kHasRecoveryTable);
    if (!stmt.ok()) throw failed(stmt.status());
    const Result<bool> row = stmt->step();
    if (!row.ok()) throw failed(row.status());
    if (!row.value()) return;
  }
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) throw failed(transaction.status());
  std::optional<int64_t> scan_from;
  {
    Result<Statement> stmt = db_.prepare(kReadScanFrom);
    if (!stmt.ok()) throw failed(stmt.status());
    const Result<bool> row = stmt->step();
    if (!row.ok()) throw failed(row.status());
    if (row.value() && !stmt->columnIsNull(0)) scan_from = stmt->columnInt64(0);
  }
  if (!scan_from) return;  // stopped cleanly: every row is up to date
  {
    Result<Statement> stmt = db_.prepare(kFold);
    if (!stmt.ok()) throw failed(stmt.status());
    stmt->bind(1, *scan_from);
    if (const VoidResult done = stmt->run(); !done.ok()) throw failed(done.status());
  }
  const int64_t folded = db_.changes();
  if (const VoidResult done = writeScanFrom(kNoScan); !done.ok()) throw failed(done.status());
  if (const VoidResult done = transaction->commit(); !done.ok()) throw failed(done.status());
  spdlog::info("SQLite database {}: restored the sequence ids of {} conversations from messages",
               db_.path(), folded);
}

Result<ConversationCounters::Entry*> ConversationCounters::entryInWrite(const Key& key) {
  if (const auto it = entries_->find(key); it != entries_->end()) return &it->second;
  // Not in memory: no message of it was stored since its row was last written and committed.
  Result<int64_t> row = readRow(db_, key.is_group, key.a, key.b);
  if (!row.ok()) return row.status();
  return &entries_->emplace(key, Entry{row.value(), false}).first->second;
}

ConversationCounters::Key ConversationCounters::keyOf(const ConversationKey& key) {
  if (key.is_group) return {true, key.a, 0};
  return {false, std::min(key.a, key.b), std::max(key.a, key.b)};
}

Result<int64_t> ConversationCounters::lastInWrite(const ConversationKey& key) {
  std::lock_guard guard(mutex_);
  Result<Entry*> entry = entryInWrite(keyOf(key));
  if (!entry.ok()) return entry.status();
  return entry.value()->last;
}

Result<int64_t> ConversationCounters::prepareToStoreInWrite(const ConversationKey& key,
                                                            int64_t message_id) {
  std::lock_guard guard(mutex_);
  Result<Entry*> entry = entryInWrite(keyOf(key));
  if (!entry.ok()) return entry.status();
  if (message_id < scan_from_pending_) {
    // Harmless should the message not be stored after all: a lower scan_from only means a
    // longer scan at start-up.
    if (const VoidResult done = writeScanFrom(message_id); !done.ok()) return done.status();
    scan_from_pending_ = message_id;
  }
  return entry.value()->last;
}

void ConversationCounters::storedInWrite(const ConversationKey& key, int64_t sequence_id,
                                         int64_t message_id) {
  std::lock_guard guard(mutex_);
  lowest_noted_in_pass_ = std::min(lowest_noted_in_pass_, message_id);
  // Present: prepareToStoreInWrite loaded it, and only the sweep, which runs between writes,
  // lets conversations go.
  Entry& counter = (*entries_)[keyOf(key)];
  if (sequence_id > counter.last) counter.last = sequence_id;
  counter.dirty = true;
}

VoidResult ConversationCounters::recordInWrite(const ConversationKey& key, int64_t sequence_id) {
  std::lock_guard guard(mutex_);
  const Key conversation = keyOf(key);
  if (const VoidResult done = writeRow(conversation, sequence_id); !done.ok()) return done;
  if (const auto it = entries_->find(conversation); it != entries_->end()) {
    it->second.last = std::max(it->second.last, sequence_id);
  }
  return {};
}

VoidResult ConversationCounters::writeRow(const Key& key, int64_t value) {
  Result<Statement> stmt = db_.prepare(kWriteRow);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{key.is_group}).bind(2, key.a).bind(3, key.b).bind(4, value);
  return stmt->run();
}

VoidResult ConversationCounters::writeScanFrom(int64_t scan_from) {
  Result<Statement> stmt = db_.prepare(kWriteScanFrom);
  if (!stmt.ok()) return stmt.status();
  if (scan_from == kNoScan) {
    stmt->bindNull(1);
  } else {
    stmt->bind(1, scan_from);
  }
  return stmt->run();
}

std::vector<ConversationCounters::Key> ConversationCounters::sortedKeys() const {
  std::vector<Key> keys;
  keys.reserve(entries_->size());
  for (const auto& [key, entry] : *entries_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

VoidResult ConversationCounters::visit(const Key& key) {
  const auto it = entries_->find(key);
  if (it == entries_->end()) return {};
  if (!it->second.dirty) {
    // Clean for a whole pass: its row is committed, memory goes to conversations in use.
    entries_->erase(it);
    return {};
  }
  if (const VoidResult done = writeRow(key, it->second.last); !done.ok()) return done;
  it->second.dirty = false;
  rows_written_in_batch_.push_back(key);
  return {};
}

VoidResult ConversationCounters::sweepSlice() {
  std::lock_guard guard(mutex_);
  swept_in_batch_ = true;
  lowest_noted_before_sweep_ = lowest_noted_in_pass_;
  scan_from_before_sweep_ = scan_from_pending_;
  const auto now = std::chrono::steady_clock::now();
  const double share = std::chrono::duration<double>(now - last_slice_) /
                       std::chrono::duration<double>(pass_duration_);
  last_slice_ = now;
  const auto size = static_cast<double>(entries_->size());
  visit_credit_ = std::min(visit_credit_ + share * size, size);
  if (full_sweep_requested_) {
    // Everything noted so far gets its row in this batch: nothing is left for start-up to fold.
    for (const Key& key : sortedKeys()) {
      if (const VoidResult done = visit(key); !done.ok()) return done;
    }
    pass_.clear();
    pass_next_ = 0;
    lowest_noted_in_pass_ = kNoScan;
    if (scan_from_pending_ != kNoScan) {
      if (const VoidResult done = writeScanFrom(kNoScan); !done.ok()) return done;
      scan_from_pending_ = kNoScan;
    }
    return {};
  }
  for (; visit_credit_ >= 1 && pass_next_ < pass_.size(); visit_credit_ -= 1) {
    if (const VoidResult done = visit(pass_[pass_next_++]); !done.ok()) return done;
  }
  if (pass_next_ < pass_.size()) return {};
  // The pass is complete: every conversation noted before it began has its row written (in this
  // batch at the latest), so scan_from may rise to the lowest message noted during it.
  const int64_t scan_from = lowest_noted_in_pass_;
  if (scan_from != scan_from_pending_) {
    if (const VoidResult done = writeScanFrom(scan_from); !done.ok()) return done;
    scan_from_pending_ = scan_from;
  }
  // The next pass begins now, and visits nothing in this batch: a row written by this batch must
  // not have its conversation let go before the row is committed.
  lowest_noted_in_pass_ = kNoScan;
  pass_ = sortedKeys();
  pass_next_ = 0;
  return {};
}

void ConversationCounters::requestFullSweep() {
  std::lock_guard guard(mutex_);
  full_sweep_requested_ = true;
}

void ConversationCounters::afterCommit(bool committed, bool sweep_kept) {
  std::lock_guard guard(mutex_);
  // False when the batch's savepoint for the sweep could not even be opened.
  const bool swept = std::exchange(swept_in_batch_, false);
  if (swept && sweep_kept) {
    full_sweep_requested_ = false;
  } else if (swept || !committed) {
    // The sweep's rows and scan_from are not in the database: the rows are pending again, and
    // the next pass must not raise scan_from past a message noted before this sweep.
    for (const Key& key : rows_written_in_batch_) {
      if (const auto it = entries_->find(key); it != entries_->end()) it->second.dirty = true;
    }
    // Committed without the sweep: the writes' own changes to scan_from are in. Not committed:
    // nothing of the batch is.
    scan_from_pending_ = committed ? scan_from_before_sweep_ : scan_from_committed_;
    lowest_noted_in_pass_ = std::min(lowest_noted_in_pass_, scan_from_pending_);
    if (swept) lowest_noted_in_pass_ = std::min(lowest_noted_in_pass_, lowest_noted_before_sweep_);
  }
  scan_from_committed_ = scan_from_pending_;
  rows_written_in_batch_.clear();
}

Result<int64_t> ConversationCounters::last(const ConversationKey& key) {
  const Key conversation = keyOf(key);
  {
    std::lock_guard guard(mutex_);
    if (const auto it = entries_->find(conversation); it != entries_->end()) {
      return it->second.last;
    }
  }
  ReaderPool::Lease reader = readers_.acquire();
  return readRow(*reader, conversation.is_group, conversation.a, conversation.b);
}

size_t ConversationCounters::cachedConversations() {
  std::lock_guard guard(mutex_);
  return entries_->size();
}

}  // namespace parley::sqlite
