#include "store/sqlite/sqlite_friend_request_repository.h"

#include "store/sqlite/sqlite_relationship_repository.h"
#include "store/sqlite/sqlite_request_search.h"
#include "store/sqlite/sqlite_user_version.h"

#include <string>
#include <vector>

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT and INSERT below (readRequest depends on it).
#define PARLEY_FRIEND_REQUEST_COLUMNS \
  "id, requester_id, recipient_id, content, status, reason, creation_date, response_date"

constexpr std::string_view kInsert = "INSERT INTO friend_request (" PARLEY_FRIEND_REQUEST_COLUMNS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kFindById =
    "SELECT " PARLEY_FRIEND_REQUEST_COLUMNS " FROM friend_request WHERE id = ?1";
constexpr std::string_view kFindBetween =
    "SELECT " PARLEY_FRIEND_REQUEST_COLUMNS
    " FROM friend_request WHERE requester_id = ?1 AND recipient_id = ?2 "
    "ORDER BY creation_date, id";
constexpr std::string_view kFindByRequester =
    "SELECT " PARLEY_FRIEND_REQUEST_COLUMNS
    " FROM friend_request WHERE requester_id = ?1 ORDER BY creation_date DESC, id DESC";
constexpr std::string_view kFindByRecipient =
    "SELECT " PARLEY_FRIEND_REQUEST_COLUMNS
    " FROM friend_request WHERE recipient_id = ?1 ORDER BY creation_date DESC, id DESC";
constexpr std::string_view kReplace =
    "UPDATE friend_request SET requester_id = ?2, recipient_id = ?3, content = ?4, status = ?5, "
    "reason = ?6, creation_date = ?7, response_date = ?8 WHERE id = ?1";
constexpr std::string_view kRemove =
    "DELETE FROM friend_request WHERE id = ?1 RETURNING requester_id, recipient_id";

const RequestSearchSql<FriendRequestSearch, 2>& searchSql() {
  static const RequestSearchSql<FriendRequestSearch, 2> sql(
      "friend_request", PARLEY_FRIEND_REQUEST_COLUMNS,
      {{{"requester_id", &FriendRequestSearch::requester_ids},
        {"recipient_id", &FriendRequestSearch::recipient_ids}}});
  return sql;
}
#undef PARLEY_FRIEND_REQUEST_COLUMNS

// Status 0 is PENDING; ?5 = 0 means requests never expire. RETURNING names the two users whose
// versions move.
constexpr std::string_view kReplyIfPending =
    "UPDATE friend_request SET status = ?2, reason = coalesce(?3, reason), response_date = ?4 "
    "WHERE id = ?1 AND status = 0 AND creation_date >= ?5 "
    "RETURNING requester_id, recipient_id";
constexpr std::string_view kRemoveCreatedBefore =
    "DELETE FROM friend_request WHERE creation_date < ?1";

FriendRequestRecord readRequest(const Statement& stmt) {
  FriendRequestRecord request;
  request.id = stmt.columnInt64(0);
  request.requester_id = stmt.columnInt64(1);
  request.recipient_id = stmt.columnInt64(2);
  request.content = stmt.columnText(3);
  request.status = static_cast<RequestStatus>(stmt.columnInt64(4));
  if (!stmt.columnIsNull(5)) request.reason = stmt.columnText(5);
  request.creation_date = stmt.columnInt64(6);
  if (!stmt.columnIsNull(7)) request.response_date = stmt.columnInt64(7);
  return request;
}

Result<std::vector<FriendRequestRecord>> readRequests(Statement& stmt) {
  std::vector<FriendRequestRecord> requests;
  while (true) {
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return requests;
    requests.push_back(readRequest(stmt));
  }
}

void bindRequest(Statement& stmt, const FriendRequestRecord& request) {
  stmt.bind(1, request.id)
      .bind(2, request.requester_id)
      .bind(3, request.recipient_id)
      .bind(4, request.content)
      .bind(5, int64_t{static_cast<int32_t>(request.status)})
      .bind(6, request.reason)
      .bind(7, request.creation_date)
      .bind(8, request.response_date);
}

}  // namespace

VoidResult SqliteFriendRequestRepository::insert(const FriendRequestRecord& request,
                                                 int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db_.prepare(kInsert);
  if (!stmt.ok()) return stmt.status();
  bindRequest(*stmt, request);
  if (const VoidResult done = stmt->run(); !done.ok()) return done;
  if (const VoidResult bumped =
          bumpVersionsLocked(request.requester_id, request.recipient_id, now_millis);
      !bumped.ok()) {
    return bumped;
  }
  return transaction->commit();
}

Result<std::optional<FriendRequestRecord>> SqliteFriendRequestRepository::findById(int64_t id) {
  auto found = findMany(kFindById, id, std::nullopt);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<FriendRequestRecord>();
  return std::optional<FriendRequestRecord>(std::move(found->front()));
}

Result<std::vector<FriendRequestRecord>> SqliteFriendRequestRepository::findBetween(
    int64_t requester_id, int64_t recipient_id) {
  return findMany(kFindBetween, requester_id, recipient_id);
}

Result<std::vector<FriendRequestRecord>> SqliteFriendRequestRepository::findByRequester(
    int64_t requester_id) {
  return findMany(kFindByRequester, requester_id, std::nullopt);
}

Result<std::vector<FriendRequestRecord>> SqliteFriendRequestRepository::findByRecipient(
    int64_t recipient_id) {
  return findMany(kFindByRecipient, recipient_id, std::nullopt);
}

Result<bool> SqliteFriendRequestRepository::replyIfPending(const FriendRequestReply& reply) {
  // An ACCEPTED request without the friendship would be a half-done accept.
  if (reply.status == RequestStatus::kAccepted || reply.status == RequestStatus::kPending) {
    return error(StatusCode::kIllegalArgument, "replyIfPending: use acceptIfPending to accept");
  }
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t requester_id = 0;
  int64_t recipient_id = 0;
  Result<bool> replied = replyLocked(reply, &requester_id, &recipient_id);
  if (!replied.ok() || !replied.value()) return replied;
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> SqliteFriendRequestRepository::acceptIfPending(const FriendRequestReply& reply) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  FriendRequestReply accept = reply;
  accept.status = RequestStatus::kAccepted;
  int64_t requester_id = 0;
  int64_t recipient_id = 0;
  Result<bool> accepted = replyLocked(accept, &requester_id, &recipient_id);
  if (!accepted.ok() || !accepted.value()) return accepted;
  for (const auto& [owner, related] :
       {std::pair{requester_id, recipient_id}, std::pair{recipient_id, requester_id}}) {
    // A failure here returns before the commit: the transaction's destructor rolls the status
    // change back with it.
    if (const VoidResult done =
            SqliteRelationshipRepository::befriendLocked(db_, owner, related, reply.now_millis);
        !done.ok()) {
      return done.status();
    }
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> SqliteFriendRequestRepository::replyLocked(const FriendRequestReply& reply,
                                                        int64_t* requester_id,
                                                        int64_t* recipient_id) {
  Result<Statement> stmt = db_.prepare(kReplyIfPending);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, reply.request_id)
      .bind(2, int64_t{static_cast<int32_t>(reply.status)})
      .bind(3, reply.reason)
      .bind(4, reply.now_millis)
      .bind(5, reply.expired_before);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return false;
  *requester_id = stmt->columnInt64(0);
  *recipient_id = stmt->columnInt64(1);
  // RETURNING rows are produced as the statement runs; finishing it completes the update.
  if (const Result<bool> done = stmt->step(); !done.ok()) return done.status();
  if (const VoidResult bumped = bumpVersionsLocked(*requester_id, *recipient_id, reply.now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  return true;
}

VoidResult SqliteFriendRequestRepository::bumpVersionsLocked(int64_t requester_id,
                                                             int64_t recipient_id,
                                                             int64_t now_millis) {
  if (const VoidResult sent = moveUserVersionForwardLocked(
          db_, requester_id, UserVersionColumn::kSentFriendRequests, now_millis);
      !sent.ok()) {
    return sent;
  }
  return moveUserVersionForwardLocked(db_, recipient_id, UserVersionColumn::kReceivedFriendRequests,
                                      now_millis);
}

Result<std::vector<FriendRequestRecord>> SqliteFriendRequestRepository::search(
    const FriendRequestSearch& search, int64_t skip, int64_t limit) {
  return searchSql().search(readers_, search, skip, limit, readRequest);
}

Result<int64_t> SqliteFriendRequestRepository::count(const FriendRequestSearch& search) {
  return searchSql().count(readers_, search);
}

Result<bool> SqliteFriendRequestRepository::replace(const FriendRequestRecord& request,
                                                    int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> find = db_.prepare(kFindById);
  if (!find.ok()) return find.status();
  find->bind(1, request.id);
  const Result<bool> found = find->step();
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  const FriendRequestRecord before = readRequest(*find);
  Result<Statement> stmt = db_.prepare(kReplace);
  if (!stmt.ok()) return stmt.status();
  bindRequest(*stmt, request);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  if (const VoidResult bumped =
          bumpVersionsLocked(before.requester_id, before.recipient_id, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  if (before.requester_id != request.requester_id || before.recipient_id != request.recipient_id) {
    if (const VoidResult bumped =
            bumpVersionsLocked(request.requester_id, request.recipient_id, now_millis);
        !bumped.ok()) {
      return bumped.status();
    }
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> SqliteFriendRequestRepository::remove(int64_t id, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db_.prepare(kRemove);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return false;
  const int64_t requester_id = stmt->columnInt64(0);
  const int64_t recipient_id = stmt->columnInt64(1);
  // RETURNING rows are produced as the statement runs; finishing it completes the delete.
  if (const Result<bool> done = stmt->step(); !done.ok()) return done.status();
  if (const VoidResult bumped = bumpVersionsLocked(requester_id, recipient_id, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<int64_t> SqliteFriendRequestRepository::removeCreatedBefore(int64_t created_before) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kRemoveCreatedBefore);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, created_before);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db_.changes();
}

Result<std::optional<int64_t>> SqliteFriendRequestRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(readers_, user_id, UserVersionColumn::kSentFriendRequests);
}

Result<std::optional<int64_t>> SqliteFriendRequestRepository::findReceivedVersion(int64_t user_id) {
  return findUserVersion(readers_, user_id, UserVersionColumn::kReceivedFriendRequests);
}

Result<std::vector<FriendRequestRecord>> SqliteFriendRequestRepository::findMany(
    std::string_view sql, int64_t first, std::optional<int64_t> second) {
  return readWith(readers_, sql, [&](Statement& stmt) {
    stmt.bind(1, first);
    if (second) stmt.bind(2, *second);
    return readRequests(stmt);
  });
}

}  // namespace parley::sqlite
