#include "store/sqlite/sqlite_message_repository.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <string>

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT and INSERT below (readMessage/bindMessage depend on it).
#define PARLEY_MESSAGE_COLUMNS                                                                \
  "id, is_group_message, is_system_message, sender_id, target_id, delivery_date, "            \
  "modification_date, recall_date, text, records, burn_after, pre_message_id, reference_id, " \
  "sequence_id"

constexpr std::string_view kInsertIfAbsent =
    "INSERT INTO message (" PARLEY_MESSAGE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
    "ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kFindById =
    "SELECT " PARLEY_MESSAGE_COLUMNS " FROM message WHERE id = ?1";
// Unset fields are bound as NULL and keep their value: text and records are NOT NULL, and a
// recall is never undone, so NULL never means "set to NULL".
constexpr std::string_view kUpdate =
    "UPDATE message SET text = coalesce(?2, text), records = coalesce(?3, records), "
    "recall_date = coalesce(?4, recall_date), modification_date = ?5 WHERE id = ?1";
// The shapes of query()/countByConversation(). Each combination is its own SQL text (and so its
// own cached statement) because a filter written as "?n IS NULL OR column = ?n" cannot use an
// index; the set is small and fixed (see statementsForPlanCheck).
struct QueryShape {
  bool group = false;
  bool peers = false;  // private only: sender_id IN (...)
  bool ids = false;
  bool descending = false;
  bool count = false;
};

// Parameters: ?1 recipient id (private) or JSON array of group ids, ?2 JSON peer ids, ?3 JSON
// message ids, ?4/?5 delivery date range [start, end), ?6/?7 allowed is_system_message values,
// ?8 include recalled, ?9 limit.
std::string buildQuerySql(const QueryShape& shape) {
  std::string sql = "SELECT ";
  if (shape.count) {
    sql += shape.group ? "target_id, count(*)" : "sender_id, count(*)";
  } else {
    sql += PARLEY_MESSAGE_COLUMNS;
  }
  sql += " FROM message WHERE ";
  sql += shape.group ? "target_id IN (SELECT value FROM json_each(?1)) AND is_group_message = 1"
                     : "target_id = ?1 AND is_group_message = 0";
  if (!shape.group && shape.peers) sql += " AND sender_id IN (SELECT value FROM json_each(?2))";
  if (shape.ids) sql += " AND id IN (SELECT value FROM json_each(?3))";
  sql +=
      " AND delivery_date >= ?4 AND delivery_date < ?5 AND is_system_message IN (?6, ?7) AND "
      "(?8 OR recall_date IS NULL)";
  if (shape.count) {
    sql += shape.group ? " GROUP BY target_id ORDER BY target_id"
                       : " GROUP BY sender_id ORDER BY sender_id";
  } else {
    sql += shape.descending ? " ORDER BY delivery_date DESC, id DESC LIMIT ?9"
                            : " ORDER BY delivery_date, id LIMIT ?9";
  }
  return sql;
}

#undef PARLEY_MESSAGE_COLUMNS

constexpr char kHexDigits[] = "0123456789abcdef";

std::string encodeRecords(const std::vector<std::string>& records) {
  std::string json = "[";
  for (const std::string& record : records) {
    if (json.size() > 1) json += ',';
    json += '"';
    for (const char c : record) {
      const auto byte = static_cast<unsigned char>(c);
      json += kHexDigits[byte >> 4];
      json += kHexDigits[byte & 0x0F];
    }
    json += '"';
  }
  json += ']';
  return json;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The inverse of encodeRecords; false when the column holds anything else (a corrupted row).
bool decodeRecords(std::string_view json, std::vector<std::string>& records) {
  records.clear();
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') return false;
  size_t pos = 1;
  const size_t end = json.size() - 1;
  while (pos < end) {
    if (!records.empty()) {
      if (json[pos] != ',') return false;
      ++pos;
    }
    if (pos >= end || json[pos] != '"') return false;
    const size_t close = json.find('"', pos + 1);
    if (close == std::string_view::npos || close >= end) return false;
    const std::string_view hex = json.substr(pos + 1, close - pos - 1);
    if (hex.size() % 2 != 0) return false;
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
      const int high = hexValue(hex[i]);
      const int low = hexValue(hex[i + 1]);
      if (high < 0 || low < 0) return false;
      bytes += static_cast<char>((high << 4) | low);
    }
    records.push_back(std::move(bytes));
    pos = close + 1;
  }
  return true;
}

void bindMessage(Statement& stmt, const MessageRecord& message) {
  std::optional<int64_t> burn_after;
  if (message.burn_after) burn_after = *message.burn_after;
  stmt.bind(1, message.id)
      .bind(2, int64_t{message.is_group_message})
      .bind(3, int64_t{message.is_system_message})
      .bind(4, message.sender_id)
      .bind(5, message.target_id)
      .bind(6, message.delivery_date)
      .bind(7, message.modification_date)
      .bind(8, message.recall_date)
      .bind(9, message.text)
      .bind(10, encodeRecords(message.records))
      .bind(11, burn_after)
      .bind(12, message.pre_message_id)
      .bind(13, message.reference_id)
      .bind(14, message.sequence_id);
}

std::optional<int64_t> optionalInt64(const Statement& stmt, int column) {
  if (stmt.columnIsNull(column)) return std::nullopt;
  return stmt.columnInt64(column);
}

Result<MessageRecord> readMessage(const Statement& stmt) {
  MessageRecord message;
  message.id = stmt.columnInt64(0);
  message.is_group_message = stmt.columnInt64(1) != 0;
  message.is_system_message = stmt.columnInt64(2) != 0;
  message.sender_id = stmt.columnInt64(3);
  message.target_id = stmt.columnInt64(4);
  message.delivery_date = stmt.columnInt64(5);
  message.modification_date = optionalInt64(stmt, 6);
  message.recall_date = optionalInt64(stmt, 7);
  message.text = stmt.columnText(8);
  if (!decodeRecords(stmt.columnText(9), message.records)) {
    spdlog::error("sqlite: message {} has malformed records", message.id);
    return error(StatusCode::kServerInternalError, "malformed message records");
  }
  if (!stmt.columnIsNull(10)) message.burn_after = static_cast<int32_t>(stmt.columnInt64(10));
  message.pre_message_id = optionalInt64(stmt, 11);
  message.reference_id = optionalInt64(stmt, 12);
  message.sequence_id = stmt.columnInt64(13);
  return message;
}

Result<std::optional<MessageRecord>> findByIdLocked(Database& db, int64_t id) {
  Result<Statement> stmt = db.prepare(kFindById);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<MessageRecord>();
  Result<MessageRecord> message = readMessage(*stmt);
  if (!message.ok()) return message.status();
  return std::optional<MessageRecord>(std::move(message).value());
}

// Binds every parameter of buildQuerySql; the caller adds ?9 (limit) for row queries.
void bindQuery(Statement& stmt, const MessageQuery& query) {
  if (query.are_group_messages) {
    stmt.bind(1, jsonArray(query.group_ids));
  } else {
    stmt.bind(1, query.recipient_id);
    if (!query.peer_ids.empty()) stmt.bind(2, jsonArray(query.peer_ids));
  }
  if (!query.ids.empty()) stmt.bind(3, jsonArray(query.ids));
  stmt.bind(4, query.delivery_date_start.value_or(std::numeric_limits<int64_t>::min()))
      .bind(5, query.delivery_date_end.value_or(std::numeric_limits<int64_t>::max()));
  const int64_t system_a = query.are_system_messages ? int64_t{*query.are_system_messages} : 0;
  const int64_t system_b = query.are_system_messages ? int64_t{*query.are_system_messages} : 1;
  stmt.bind(6, system_a).bind(7, system_b).bind(8, int64_t{query.include_recalled});
}

QueryShape shapeOf(const MessageQuery& query, bool count) {
  return QueryShape{query.are_group_messages, !query.are_group_messages && !query.peer_ids.empty(),
                    !query.ids.empty(), query.descending, count};
}

// True when the query cannot match anything, so no statement needs to run.
bool matchesNothing(const MessageQuery& query) {
  return query.are_group_messages && query.group_ids.empty();
}

}  // namespace

VoidResult SqliteMessageRepository::insertLocked(const MessageRecord& message, Counter counter,
                                                 bool& inserted) {
  inserted = false;
  const bool numbered = message.sequence_id > 0;
  const ConversationKey key = ConversationKey::of(message);
  if (numbered && counter == Counter::kNoteInBatch) {
    if (const Result<int64_t> prepared = counters_.prepareToStoreInWrite(key, message.id);
        !prepared.ok()) {
      return prepared.status();
    }
  }
  {
    Result<Statement> stmt = db_.prepare(kInsertIfAbsent);
    if (!stmt.ok()) return stmt.status();
    bindMessage(*stmt, message);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  }
  if (db_.changes() > 0) {
    inserted = true;
  } else {
    // The id exists: a retried write of the same message is fine, anything else is a conflict.
    Result<std::optional<MessageRecord>> existing = findByIdLocked(db_, message.id);
    if (!existing.ok()) return existing.status();
    if (!existing.value() || !(**existing == message)) {
      return error(StatusCode::kRecordContainsDuplicateKey);
    }
  }
  if (!numbered) return {};
  if (counter == Counter::kWriteRow) return counters_.recordInWrite(key, message.sequence_id);
  counters_.storedInWrite(key, message.sequence_id, message.id);
  return {};
}

VoidResult SqliteMessageRepository::insert(const MessageRecord& message) {
  // The hot write of a chat server: group-committed with the other messages of the moment.
  return db_.writeDurably([&]() -> VoidResult {
    bool inserted = false;
    return insertLocked(message, Counter::kNoteInBatch, inserted);
  });
}

void SqliteMessageRepository::insertAsync(const MessageRecord& message,
                                          std::function<void(VoidResult)> done) {
  db_.writeAsync(
      [this, message]() -> VoidResult {
        bool inserted = false;
        return insertLocked(message, Counter::kNoteInBatch, inserted);
      },
      std::move(done), Database::Undo::kNothingToUndo);
}

Result<int64_t> SqliteMessageRepository::insertMany(std::span<const MessageRecord> messages) {
  if (messages.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t count = 0;
  for (const MessageRecord& message : messages) {
    bool inserted = false;
    if (const VoidResult done = insertLocked(message, Counter::kWriteRow, inserted); !done.ok()) {
      return done.status();
    }
    if (inserted) ++count;
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return count;
}

Result<std::optional<MessageRecord>> SqliteMessageRepository::findById(int64_t id) {
  ReaderPool::Lease reader = readers_.acquire();
  return findByIdLocked(*reader, id);
}

Result<std::vector<MessageRecord>> SqliteMessageRepository::query(const MessageQuery& query) {
  if (query.max_count <= 0 || matchesNothing(query)) return std::vector<MessageRecord>();
  const std::string sql = buildQuerySql(shapeOf(query, false));
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bindQuery(*stmt, query);
  stmt->bind(9, int64_t{query.max_count});
  std::vector<MessageRecord> messages;
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) return messages;
    Result<MessageRecord> message = readMessage(*stmt);
    if (!message.ok()) return message.status();
    messages.push_back(std::move(message).value());
  }
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteMessageRepository::countByConversation(
    const MessageQuery& query) {
  using Counts = std::vector<std::pair<int64_t, int64_t>>;
  if (matchesNothing(query)) return Counts();
  const std::string sql = buildQuerySql(shapeOf(query, true));
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bindQuery(*stmt, query);
  Counts counts;
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) return counts;
    counts.emplace_back(stmt->columnInt64(0), stmt->columnInt64(1));
  }
}

Result<bool> SqliteMessageRepository::update(int64_t id, const MessageUpdate& update) {
  std::optional<std::string> records;
  if (update.records) records = encodeRecords(*update.records);
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kUpdate);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id)
      .bind(2, update.text)
      .bind(3, records)
      .bind(4, update.recall_date)
      .bind(5, update.modification_date);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db_.changes() > 0;
}

Result<int64_t> SqliteMessageRepository::maxSequenceId(bool is_group, int64_t a, int64_t b) {
  return counters_.last(ConversationKey{is_group, a, b});
}

VoidResult SqliteMessageRepository::insertInWrite(const MessageRecord& message) {
  bool inserted = false;
  return insertLocked(message, Counter::kPrepared, inserted);
}

std::vector<std::string> SqliteMessageRepository::statementsForPlanCheck() {
  std::vector<std::string> statements{std::string(kFindById), std::string(kUpdate)};
  for (const bool group : {false, true}) {
    for (const bool peers : {false, true}) {
      if (group && peers) continue;
      for (const bool ids : {false, true}) {
        for (const bool descending : {false, true}) {
          statements.push_back(buildQuerySql({group, peers, ids, descending, false}));
        }
        statements.push_back(buildQuerySql({group, peers, ids, false, true}));
      }
    }
  }
  return statements;
}

}  // namespace parley::sqlite
