#include "store/sqlite/sqlite_database.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <stdexcept>

#include "core/thread_name.h"
#include "store/sqlite/sqlite_wal_write_buffer.h"

namespace parley::sqlite {
namespace {

// Lock waits only happen when another process opened the same file (e.g. the sqlite3 shell
// during an investigation); a request should rather fail than hang longer than this.
constexpr int kBusyTimeoutMillis = 5000;

// cache_size (KiB when negative) on the writer: SQLite's default of 2 MiB holds a fraction
// of the index pages that messages touch, and every miss is a pread (measured: a tenth of the
// writer's system calls under load). Memory is taken only as pages are used.
// synchronous=FULL: in WAL mode NORMAL skips the fsync at commit, so a power loss can drop the
// last transactions that were already acknowledged to clients. FULL fsyncs the WAL on every
// commit; the writer thread group-commits, which is what makes FULL affordable. The writer's WAL
// write buffer (sqlite_wal_write_buffer.h) relies on that sync to put each commit on disk.
// wal_autocheckpoint 3,000 pages (SQLite's default is 1,000), run by the writer after a commit: a
// page written again before the checkpoint is copied once. With messages numbered without an
// index (ConversationCounters) the closed-loop rate gained 12% (two alternating pairs), the p99
// at 14,000 messages/s went from ~9 to ~11 ms. Earlier, with more random pages per message,
// 3,000-4,000 gave no gain and 10,000 pushed that p99 to ~20 ms: each checkpoint stalls the
// batches behind it. Checkpoints on a connection of their own did not help: under steady writes
// they never copy the last frames, so the WAL never starts over (it grew past 200 MB in ten
// seconds). All measured with bench/run.sh private.
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
    "PRAGMA wal_autocheckpoint=3000;";
// Read connections get their share of one cache budget from ReaderPool.
constexpr const char* kReaderPragmas = "PRAGMA query_only=ON;";

// Duplicate keys are an expected outcome the caller turns into a client status; every other
// failure is logged here, once, with the statement that hit it.
Status toStatus(sqlite3* db, int rc, std::string_view sql) {
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    return error(StatusCode::kRecordContainsDuplicateKey);
  }
  const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  spdlog::error("sqlite error {} ({}) in \"{}\"", rc, message, sql);
  const int primary = rc & 0xFF;
  const StatusCode code = primary == SQLITE_BUSY || primary == SQLITE_LOCKED
                              ? StatusCode::kServerUnavailable
                              : StatusCode::kServerInternalError;
  return error(code, message);
}

std::string_view sqlOf(sqlite3_stmt* stmt) {
  const char* sql = sqlite3_sql(stmt);
  return sql != nullptr ? sql : "";
}

// A bound on one transaction: under a steady stream of writes the batch would otherwise never
// close, and its writers would wait for a commit that never comes.
constexpr size_t kMaxWritesPerCommit = 4096;

Status noWriterStatus() {
  return error(StatusCode::kServerUnavailable,
               "the SQLite store is closed, or this connection is read-only");
}

Status poisonedStatus() {
  return error(StatusCode::kServerUnavailable,
               "the SQLite store failed to commit and refuses writes until restarted");
}

}  // namespace

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(other.bind_error_) {}

Statement& Statement::bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so callers may bind temporaries.
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) return toStatus(db_, bind_error_, sqlOf(stmt_));
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return toStatus(db_, rc, sqlOf(stmt_));
}

VoidResult Statement::run() {
  while (true) {
    const Result<bool> row = step();
    if (!row.ok()) return row.status();
    if (!row.value()) return {};
  }
}

int64_t Statement::columnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::columnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::columnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Database::Database(const std::string& path, Access access) : path_(path) {
  const bool writer = access == Access::kWrite;
  // NOMUTEX: SQLite's own per-call locking is redundant under mutex_. A reader still opens
  // read-write: in WAL mode every connection writes the shared-memory index, and query_only below
  // is what keeps it from changing the database.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
  // The writer gathers each commit's WAL frames into a few large writes
  // (sqlite_wal_write_buffer.h).
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, writer ? walWriteBufferVfs() : nullptr);
  const auto fail = [&](std::string_view what) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(fmt::format("SQLite database {}: {}: {}", path, what, message));
  };
  if (rc != SQLITE_OK) fail("cannot open");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMillis);

  // journal_mode answers with the mode it ended up in, and this first read is also where a file
  // that is not a database is detected. WAL is a property of the file: the writer sets it, a
  // reader only checks it, since without WAL a reader would block the writer's commits.
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, writer ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    fail("cannot read");
  }
  std::string mode;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (mode != "wal") {
    fail(fmt::format("{} WAL mode (got \"{}\")", writer ? "cannot switch to" : "not in", mode));
  }

  if (!writer) {
    if (sqlite3_exec(db_, kReaderPragmas, nullptr, nullptr, nullptr) != SQLITE_OK) {
      fail("cannot set pragmas");
    }
    return;
  }
  if (sqlite3_exec(db_, kWriterPragmas, nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail("cannot set pragmas");
  }
  writer_running_ = true;
  writer_ = std::thread([this] {
    nameThisThread("sqlite-writer");
    runWriter();
  });
}

Database::~Database() {
  if (writer_.joinable()) {
    {
      std::lock_guard queue_lock(queue_mutex_);
      stopping_ = true;
    }
    writer_wake_.notify_one();
    writer_.join();
  }
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  if (const int rc = sqlite3_close(db_); rc != SQLITE_OK) {
    spdlog::error("closing SQLite database {} failed: {}", path_, sqlite3_errstr(rc));
  }
}

VoidResult Database::exec(std::string_view sql) {
  const std::string terminated(sql);
  const int rc = sqlite3_exec(db_, terminated.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return toStatus(db_, rc, sql);
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (const auto it = statements_.find(sql); it != statements_.end()) {
    return Statement(db_, it->second);
  }
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return error(StatusCode::kServerInternalError, "statement too long");
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return toStatus(db_, rc, sql);
  if (stmt == nullptr ||
      std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    // Only reachable through a programming error: the cache holds exactly one statement per text.
    sqlite3_finalize(stmt);
    spdlog::error("sqlite: prepare() needs exactly one statement: \"{}\"", sql);
    return error(StatusCode::kServerInternalError, "not exactly one statement");
  }
  statements_.emplace(std::string(sql), stmt);
  return Statement(db_, stmt);
}

VoidResult Database::writeDurably(const std::function<VoidResult()>& write_fn) {
  return write(write_fn, false);
}

VoidResult Database::writeBeforeCommit(const std::function<VoidResult()>& write_fn) {
  return write(write_fn, true);
}

VoidResult Database::write(const std::function<VoidResult()>& write_fn, bool before_commit) {
  if (poisoned_.load()) return poisonedStatus();
  QueuedWrite mine(&write_fn);
  mine.before_commit = before_commit;
  if (!enqueue(&mine)) return noWriterStatus();
  std::unique_lock queue_lock(queue_mutex_);
  mine.wake.wait(queue_lock, [&] { return mine.done; });
  return mine.result;
}

void Database::writeAsync(std::function<VoidResult()> write_fn,
                          std::function<void(VoidResult)> done, Undo undo) {
  if (poisoned_.load()) {
    done(poisonedStatus());
    return;
  }
  auto* write = new QueuedWrite(nullptr);
  write->owned_fn = std::move(write_fn);
  write->fn = &write->owned_fn;
  write->done_fn = std::move(done);
  write->undo = undo;
  if (!enqueue(write)) {
    const std::unique_ptr<QueuedWrite> refused(write);
    refused->done_fn(noWriterStatus());
  }
}

bool Database::enqueue(QueuedWrite* write) {
  bool wake = false;
  {
    std::lock_guard queue_lock(queue_mutex_);
    if (!writer_running_) return false;
    queue_.push_back(write);
    wake = writer_idle_;
  }
  // A busy writer looks at the queue again before it sleeps: no wake-up (a syscall) needed.
  if (wake) writer_wake_.notify_one();
  return true;
}

void Database::waitForQueuedWrites() {
  // The writer finishes writes in queue order. A first empty write follows everything queued
  // now; a write queued by the callback of one of those may still sit behind it, and a second
  // empty write, queued after the first returned, follows that one too.
  for (int round = 0; round < 2; ++round) (void)writeDurably([] { return VoidResult{}; });
}

void Database::setCommitHooks(std::function<VoidResult()> before_commit,
                              std::function<void(bool committed, bool hook_kept)> after_commit) {
  std::lock_guard guard(mutex_);
  before_commit_ = std::move(before_commit);
  after_commit_ = std::move(after_commit);
}

StoreMetrics Database::writerMetrics() {
  StoreMetrics metrics;
  metrics.commits = commits_.load(std::memory_order_relaxed);
  metrics.writes = writes_.load(std::memory_order_relaxed);
  metrics.failed_commits = failed_commits_.load(std::memory_order_relaxed);
  metrics.commit_micros = commit_micros_.load(std::memory_order_relaxed);
  metrics.queued_writes = static_cast<int64_t>(queuedWriters());
  return metrics;
}

size_t Database::queuedWriters() {
  std::lock_guard queue_lock(queue_mutex_);
  return queue_.size();
}

void Database::runWriter() {
  std::vector<QueuedWrite*> batch;
  while (true) {
    {
      std::unique_lock queue_lock(queue_mutex_);
      writer_idle_ = true;
      writer_wake_.wait(queue_lock, [&] { return !queue_.empty() || stopping_; });
      writer_idle_ = false;
      // Stopping: whatever was queued before is still committed; later writes are refused.
      if (queue_.empty()) {
        writer_running_ = false;
        return;
      }
      batch.swap(queue_);
    }
    commitBatch(batch);
    for (QueuedWrite* write : batch) {
      if (write != nullptr) finish(write);
    }
    batch.clear();
  }
}

void Database::takeQueued(std::vector<QueuedWrite*>& batch) {
  std::lock_guard queue_lock(queue_mutex_);
  const size_t room = kMaxWritesPerCommit > batch.size() ? kMaxWritesPerCommit - batch.size() : 0;
  const size_t taken = std::min(room, queue_.size());
  batch.insert(batch.end(), queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(taken));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(taken));
}

void Database::finish(QueuedWrite* write) {
  if (write->done_fn) {
    const std::unique_ptr<QueuedWrite> owned(write);
    write->done_fn(std::move(write->result));
    return;
  }
  // Notified under the lock: a woken writer returns and destroys its QueuedWrite, which must not
  // happen while it is being notified.
  std::lock_guard queue_lock(queue_mutex_);
  write->done = true;
  write->wake.notify_one();
}

void Database::commitBatch(std::vector<QueuedWrite*>& batch) {
  std::lock_guard lock(mutex_);
  // Cached statements: sqlite3_exec would compile these anew for every write of every batch.
  const auto run = [this](std::string_view sql) -> VoidResult {
    Result<Statement> stmt = prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->run();
  };
  // Runs fn in a savepoint, so that its failure undoes only its own statements. false when the
  // savepoint could not be opened: fn did not run, and result says why.
  const auto in_savepoint = [&run](const std::function<VoidResult()>& fn, VoidResult& result) {
    if (VoidResult saved = run("SAVEPOINT parley_write"); !saved.ok()) {
      result = saved;
      return false;
    }
    result = fn();
    if (!result.ok()) (void)run("ROLLBACK TO parley_write");
    (void)run("RELEASE parley_write");
    return true;
  };
  if (const VoidResult begun = run("BEGIN IMMEDIATE"); !begun.ok()) {
    for (QueuedWrite* write : batch) write->result = begun.status();
    return;
  }
  bool finished_early = false;
  // By index: the batch grows while it runs.
  for (size_t i = 0; i < batch.size(); ++i) {
    QueuedWrite*& write = batch[i];
    if (write->undo == Undo::kNothingToUndo) {
      write->result = (*write->fn)();
    } else if (in_savepoint(*write->fn, write->result) && write->before_commit) {
      finish(write);
      write = nullptr;
      finished_early = true;
    }
    if (i + 1 == batch.size()) takeQueued(batch);
  }
  bool hook_ran = true;
  if (before_commit_) {
    VoidResult hooked;
    hook_ran = in_savepoint(before_commit_, hooked) && hooked.ok();
  }
  writes_.fetch_add(batch.size(), std::memory_order_relaxed);
  const auto commit_started = std::chrono::steady_clock::now();
  const VoidResult committed = run("COMMIT");
  commit_micros_.fetch_add(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - commit_started)
                                .count()),
      std::memory_order_relaxed);
  commits_.fetch_add(1, std::memory_order_relaxed);
  if (!committed.ok() && inTransaction()) (void)exec("ROLLBACK");
  if (after_commit_) after_commit_(committed.ok(), hook_ran && committed.ok());
  if (!committed.ok()) {
    failed_commits_.fetch_add(1, std::memory_order_relaxed);
    // Nothing of the batch is durable: every writer in it hears so, none is acknowledged.
    for (QueuedWrite* write : batch) {
      if (write != nullptr && write->result.ok()) write->result = committed.status();
    }
    if (finished_early && !poisoned_.exchange(true)) {
      spdlog::critical(
          "SQLite database {}: a commit failed ({}) after sequence ids had been handed out; "
          "refusing all writes until Parley is restarted, so that no id is handed out twice",
          path_, committed.status().reason);
    }
  }
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }

bool Database::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Result<int> Database::schemaVersion() {
  Result<Statement> stmt = prepare("PRAGMA user_version");
  if (!stmt.ok()) return stmt.status();
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() ? static_cast<int>(stmt->columnInt64(0)) : 0;
}

void Database::migrate(std::span<const Migration> migrations) {
  auto guard = lock();
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw std::logic_error(
          fmt::format("schema migration #{} has version {}; versions must be "
                      "1, 2, 3, ... in order",
                      i + 1, migrations[i].version));
    }
  }
  const Result<int> current = schemaVersion();
  if (!current.ok()) {
    throw std::runtime_error(fmt::format("SQLite database {}: cannot read the schema version: {}",
                                         path_, current.status().reason));
  }
  const int latest = static_cast<int>(migrations.size());
  if (current.value() > latest) {
    throw std::runtime_error(fmt::format(
        "SQLite database {} has schema version {}, but this Parley only knows up to {}: it was "
        "written by a newer Parley",
        path_, current.value(), latest));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= current.value()) continue;
    const auto failed = [&](const Status& status) {
      return std::runtime_error(
          fmt::format("SQLite database {}: schema migration {} ({}) failed: {}", path_,
                      migration.version, migration.description, status.reason));
    };
    // user_version lives in the database header, which is part of the transaction: the schema
    // change and its version number commit (or roll back) together.
    Result<Transaction> transaction = Transaction::begin(*this);
    if (!transaction.ok()) throw failed(transaction.status());
    if (const VoidResult done = exec(migration.sql); !done.ok()) throw failed(done.status());
    if (const VoidResult done = exec(fmt::format("PRAGMA user_version = {}", migration.version));
        !done.ok()) {
      throw failed(done.status());
    }
    if (const VoidResult done = transaction->commit(); !done.ok()) throw failed(done.status());
    spdlog::info("SQLite database {}: applied schema migration {} ({})", path_, migration.version,
                 migration.description);
  }
}

Result<Transaction> Transaction::begin(Database& db) {
  if (const VoidResult begun = db.exec("BEGIN IMMEDIATE"); !begun.ok()) return begun.status();
  return Transaction(db);
}

Transaction::~Transaction() {
  // A failed COMMIT may already have rolled back by itself (e.g. on SQLITE_FULL).
  if (db_ != nullptr && db_->inTransaction()) (void)db_->exec("ROLLBACK");
}

VoidResult Transaction::commit() {
  VoidResult committed = db_->exec("COMMIT");
  if (committed.ok()) db_ = nullptr;
  return committed;
}

std::string jsonStringArray(std::span<const std::string> values) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string json = "[";
  for (const std::string& value : values) {
    if (json.size() > 1) json += ',';
    json += '"';
    for (const char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        json += '\\';
        json += c;
      } else if (byte < 0x20) {
        json += "\\u00";
        json += kHex[byte >> 4];
        json += kHex[byte & 0xF];
      } else {
        json += c;
      }
    }
    json += '"';
  }
  json += ']';
  return json;
}

}  // namespace parley::sqlite
