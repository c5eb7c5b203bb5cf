#pragma once
// A small RAII layer over one SQLite connection: prepared-statement cache, transactions and the
// schema migration runner. sqlite3.h stays in the .cpp (STYLE.md rule 8).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::sqlite {

// A cached prepared statement, borrowed from its Database while the caller holds the lock.
// Destruction resets it and clears its bindings, so it ends any read it had open and is ready
// for the next user.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL's ?1, ?2, ...
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bindNull(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  // true when a row is available, false when the statement is done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  VoidResult run();

  // Columns are 0-based.
  int64_t columnInt64(int column) const;
  std::string columnText(int column) const;
  bool columnIsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  // Binding errors are reported by the next step(), so call sites can chain binds.
  int bind_error_ = 0;
};

struct Migration {
  int version;  // 1, 2, 3, ... in order, never reused
  std::string_view description;
  std::string_view sql;  // may hold several statements
};

class Database {
 public:
  enum class Access {
    // Opens or creates the file, switches it to WAL mode and sets Parley's pragmas: the one
    // connection that writes.
    kWrite,
    // A connection for reads beside the writer (query_only). WAL lets it read the last committed
    // state while the writer runs and commits a batch, so reads never wait for an fsync. The file
    // must exist and already be in WAL mode: open the writer first.
    kRead,
  };

  // Throws std::runtime_error (this only runs at start-up).
  explicit Database(const std::string& path, Access access = Access::kWrite);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // One connection serves every io thread, so every use (including the Statements it hands out)
  // must hold this lock. Each connection has its own lock and statement cache.
  [[nodiscard]] std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  // The lock if it is free now; an unlocked unique_lock otherwise (ReaderPool).
  [[nodiscard]] std::unique_lock<std::mutex> tryLock() {
    return std::unique_lock(mutex_, std::try_to_lock);
  }

  // Group commit: one writer thread runs write_fn inside one transaction together with the
  // writes queued meanwhile, and this returns once that transaction is committed (durable under
  // synchronous=FULL). One fsync then serves many writers, which is what makes FULL affordable
  // for messages. write_fn runs on the writer thread with the lock held: it must use
  // prepare()/exec() directly, never lock(), and never BEGIN/COMMIT itself. Its failure undoes
  // only its own statements (a savepoint); a failed COMMIT fails the whole batch.
  VoidResult writeDurably(const std::function<VoidResult()>& write_fn);
  // Like writeDurably, but returns as soon as write_fn has run, before its batch is committed.
  // Only for a write that matters together with a later durable write on this database (a
  // sequence counter, then the message that carries the id): batches commit in order, so the
  // later write's commit covers both, and a message costs one fsync instead of two. Should a batch
  // holding such a write fail to commit, the database refuses every later write until restart: a
  // later commit must never make durable what was derived from a write that was lost.
  VoidResult writeBeforeCommit(const std::function<VoidResult()>& write_fn);

  // How writeAsync undoes a write that fails. kSavepoint: its statements run in a savepoint,
  // rolled back on failure. kNothingToUndo: the write makes sure that its failure leaves nothing
  // that must be undone (one INSERT, which SQLite backs out by itself when it fails, after
  // changes that are harmless alone), and saves the savepoint's two statements per write (+3% to
  // +15% closed-loop message rate, measured twice).
  enum class Undo { kSavepoint, kNothingToUndo };
  // writeDurably without a waiting thread: queues write_fn and returns at once; done gets the
  // result on the writer thread once the write is committed. A request then holds no thread while
  // its batch commits. done must be quick: it delays the next batch; and it must never wait for
  // this database (writeDurably from done would wait for the writer thread that runs it: a
  // deadlock), though it may queue further writes with writeAsync. A refused write (poisoned or
  // closed database, read connection) calls done on the caller's thread before returning.
  void writeAsync(std::function<VoidResult()> write_fn, std::function<void(VoidResult)> done,
                  Undo undo = Undo::kSavepoint);
  // Returns once every write queued before the call, and every write their callbacks queued, has
  // committed and its callback has run.
  void waitForQueuedWrites();
  // Work that belongs to every group commit: before_commit runs on the writer thread after the
  // batch's writes, inside its transaction (in a savepoint of its own: its failure undoes only
  // itself), and after_commit hears whether the batch committed and whether before_commit's work
  // is part of it (it failed, or the batch did not commit: it is not). Both run with the lock
  // held. Empty functions remove the hooks; a commit under way finishes first. Transactions run
  // outside the writer (Transaction) do not call them.
  void setCommitHooks(std::function<VoidResult()> before_commit,
                      std::function<void(bool committed, bool hook_kept)> after_commit);
  // The writer thread's counters so far (all zero on a read connection).
  StoreMetrics writerMetrics();
  // Writers waiting for the batch after the one being committed (tests, metrics).
  size_t queuedWriters();

  // Runs SQL that returns no rows (may hold several statements).
  VoidResult exec(std::string_view sql);
  // The cached statement for sql (exactly one statement), prepared on first use. There is one
  // per SQL text, so a caller must not hold two Statements for the same text at once.
  Result<Statement> prepare(std::string_view sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;
  bool inTransaction() const;

  // The schema version (PRAGMA user_version): the last migration applied.
  Result<int> schemaVersion();
  // Applies, each in its own transaction, the migrations newer than the schema version. Throws
  // std::runtime_error when one fails (it is rolled back) or when the database was written by a
  // newer Parley. Start-up only; takes the lock itself.
  void migrate(std::span<const Migration> migrations);

  const std::string& path() const { return path_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  struct QueuedWrite {
    explicit QueuedWrite(const std::function<VoidResult()>* f) : fn(f) {}
    const std::function<VoidResult()>* fn;
    VoidResult result;
    bool before_commit = false;  // finished once executed (writeBeforeCommit)
    Undo undo = Undo::kSavepoint;
    // Asynchronous writes: owned by the queue, then the batch, and deleted once done has run.
    std::function<VoidResult()> owned_fn;
    std::function<void(VoidResult)> done_fn;
    // Synchronous writes: the caller waits on its own condition variable, so a commit wakes
    // exactly its writers rather than every waiting thread. A condition variable, not a
    // semaphore: libstdc++'s semaphores spin with sched_yield, which hundreds of waiting writers
    // turn into most of the CPU.
    bool done = false;  // guarded by queue_mutex_
    std::condition_variable wake;
  };
  VoidResult write(const std::function<VoidResult()>& write_fn, bool before_commit);
  // false when no writer thread takes it (a read-only connection, or one being closed).
  bool enqueue(QueuedWrite* write);
  void runWriter();
  // Runs and commits the batch; writes queued while it runs join it (up to a bound), so a steady
  // stream of writes fills the batch rather than waiting for the next one. Writes finished before
  // the commit are set to nullptr in batch.
  void commitBatch(std::vector<QueuedWrite*>& batch);
  void takeQueued(std::vector<QueuedWrite*>& batch);
  // Hands a write its result: wakes a synchronous writer, runs (and deletes) an asynchronous one.
  void finish(QueuedWrite* write);

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  // Group commit queue, emptied batch by batch by the writer thread.
  std::mutex queue_mutex_;
  std::condition_variable writer_wake_;
  std::vector<QueuedWrite*> queue_;  // guarded by queue_mutex_
  bool writer_idle_ = false;         // guarded by queue_mutex_: waiting for writes
  bool stopping_ = false;            // guarded by queue_mutex_
  bool writer_running_ = false;      // guarded by queue_mutex_
  std::thread writer_;               // kWrite connections only
  // Written by the writer thread, read by scrapes.
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> failed_commits_{0};
  std::atomic<uint64_t> commit_micros_{0};
  // A batch with writes released before their commit failed to commit (see writeBeforeCommit).
  std::atomic<bool> poisoned_{false};
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
  // Guarded by mutex_ (setCommitHooks).
  std::function<VoidResult()> before_commit_;
  std::function<void(bool, bool)> after_commit_;
};

// Integers as a JSON array ("[1,2,3]"): bound to one parameter and read with json_each(), it
// gives an IN list of any length to one cached statement.
template <typename Integers>
std::string jsonArray(const Integers& values) {
  std::string json = "[";
  for (const auto value : values) {
    if (json.size() > 1) json += ',';
    json += std::to_string(value);
  }
  json += ']';
  return json;
}

// NULL (no filter) for an empty list, else jsonArray(values).
template <typename Integers>
std::optional<std::string> jsonArrayOrNull(const Integers& values) {
  if (values.empty()) return std::nullopt;
  return jsonArray(values);
}

// Strings as a JSON array, the same way (escaped as JSON requires, so any text is safe).
std::string jsonStringArray(std::span<const std::string> values);

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless committed. Immediate, because the
// connection writes anyway and taking the write lock up front avoids a deferred transaction
// failing with SQLITE_BUSY halfway through.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  VoidResult commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

// Every row the bound statement yields, each as read(statement) makes it.
template <typename T, typename Read>
Result<std::vector<T>> readAllRows(Statement& stmt, Read&& read) {
  std::vector<T> rows;
  while (true) {
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return rows;
    rows.push_back(read(stmt));
  }
}

// The first column of every row, as ids.
inline Result<std::vector<int64_t>> readIds(Statement& stmt) {
  return readAllRows<int64_t>(stmt, [](const Statement& s) { return s.columnInt64(0); });
}

// Runs a statement that returns no rows, after bind(statement), and reports how many rows it
// changed. Inside the caller's lock (and usually its transaction).
template <typename Bind>
Result<int64_t> writeRows(Database& db, std::string_view sql, Bind&& bind) {
  Result<Statement> stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bind(*stmt);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db.changes();
}

}  // namespace parley::sqlite
