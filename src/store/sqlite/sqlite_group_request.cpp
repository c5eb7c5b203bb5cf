#include "store/sqlite/sqlite_group_request.h"

#include "store/group_repository.h"
#include "store/sqlite/sqlite_group_repository.h"

namespace parley::sqlite {
namespace {

// Steps a statement whose RETURNING clause (or selection) names the parties of the one row it
// changed or read (an id is one row at most). nullopt when there was none.
Result<std::optional<GroupRequestParties>> changedParties(Statement& stmt,
                                                          const GroupRequestTable& table) {
  const Result<bool> row = stmt.step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<GroupRequestParties>();
  GroupRequestParties parties;
  parties.group_id = stmt.columnInt64(0);
  for (size_t i = 0; i < table.user_versions.size(); ++i) {
    parties.user_ids[i] = stmt.columnInt64(static_cast<int>(i) + 1);
  }
  // RETURNING rows are produced as the statement runs; finishing it completes the change.
  if (const Result<bool> done = stmt.step(); !done.ok()) return done.status();
  return std::optional<GroupRequestParties>(parties);
}

// Inside the caller's lock and transaction: the conditional status change, then the versions.
// The request's parties when it changed, nullopt when it was not pending.
Result<std::optional<GroupRequestParties>> answerLocked(Database& db,
                                                        const GroupRequestTable& table,
                                                        const GroupRequestAnswer& answer,
                                                        RequestStatus status) {
  Result<Statement> stmt = db.prepare(table.answer_sql);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, answer.request_id)
      .bind(2, int64_t{static_cast<int32_t>(status)})
      .bind(3, answer.reason)
      .bind(4, answer.now_millis)
      .bind(5, answer.expired_before);
  if (table.records_responder) stmt->bind(6, answer.responder_id);
  Result<std::optional<GroupRequestParties>> parties = changedParties(*stmt, table);
  if (!parties.ok() || !parties.value()) return parties;
  if (const VoidResult moved =
          moveGroupRequestVersionsLocked(db, table, **parties, answer.now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return parties;
}

}  // namespace

Result<std::optional<GroupRequestParties>> findGroupRequestPartiesLocked(
    Database& db, const GroupRequestTable& table, int64_t id) {
  Result<Statement> stmt = db.prepare(table.find_parties_sql);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  return changedParties(*stmt, table);
}

VoidResult moveGroupRequestVersionsLocked(Database& db, const GroupRequestTable& table,
                                          const GroupRequestParties& parties, int64_t now_millis,
                                          const GroupRequestParties* moved) {
  if (!moved || moved->group_id != parties.group_id) {
    if (const VoidResult group =
            moveGroupVersionForwardLocked(db, parties.group_id, table.group_version, now_millis);
        !group.ok()) {
      return group;
    }
  }
  for (size_t i = 0; i < table.user_versions.size(); ++i) {
    if (moved && moved->user_ids[i] == parties.user_ids[i]) continue;
    if (const VoidResult user = moveUserVersionForwardLocked(db, parties.user_ids[i],
                                                             table.user_versions[i], now_millis);
        !user.ok()) {
      return user;
    }
  }
  return {};
}

Result<bool> answerGroupRequest(Database& db, const GroupRequestTable& table,
                                const GroupRequestAnswer& answer) {
  // An ACCEPTED request without the membership would be a half-done accept.
  if (isRefusedReply(answer.status)) {
    return error(StatusCode::kIllegalArgument, "replyIfPending: use acceptIfPending to accept");
  }
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<std::optional<GroupRequestParties>> answered =
      answerLocked(db, table, answer, answer.status);
  if (!answered.ok()) return answered.status();
  if (!answered.value()) return false;
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> acceptGroupRequest(Database& db, const GroupRequestTable& table,
                                const GroupRequestAnswer& answer) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<std::optional<GroupRequestParties>> accepted =
      answerLocked(db, table, answer, RequestStatus::kAccepted);
  if (!accepted.ok()) return accepted.status();
  if (!accepted.value()) return false;
  const GroupRequestParties& parties = **accepted;
  const GroupMemberRecord member =
      joiningMember(parties.group_id, parties.user_ids[table.joiner], answer.now_millis);
  // A member already stays as they are (the insert skips them). A failure returns before the
  // commit: the transaction's destructor rolls the status change back with it.
  if (const Result<int64_t> added = insertMembersLocked(db, std::span(&member, 1)); !added.ok()) {
    return added.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> removeGroupRequest(Database& db, const GroupRequestTable& table, int64_t id,
                                int64_t now_millis) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db.prepare(table.remove_sql);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  const Result<std::optional<GroupRequestParties>> removed = changedParties(*stmt, table);
  if (!removed.ok()) return removed.status();
  if (!removed.value()) return false;
  if (const VoidResult moved = moveGroupRequestVersionsLocked(db, table, **removed, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

// No version moves, as in upstream's cleanup (and friend requests'): what goes is long expired.
Result<int64_t> removeGroupRequestsCreatedBefore(Database& db, const GroupRequestTable& table,
                                                 int64_t created_before) {
  auto lock = db.lock();
  return writeRows(db, table.remove_created_before_sql,
                   [&](Statement& stmt) { stmt.bind(1, created_before); });
}

}  // namespace parley::sqlite
