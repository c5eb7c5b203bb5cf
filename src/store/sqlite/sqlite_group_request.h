#pragma once
// The writes that group invitations and group join requests share on SQLite: each kind's
// repository names its statements and versions in a GroupRequestTable, and these run them, each
// change with its versions in one transaction.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "store/group_request_answer.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_group_version.h"
#include "store/sqlite/sqlite_reader_pool.h"
#include "store/sqlite/sqlite_user_version.h"

namespace parley::sqlite {

struct GroupRequestTable {
  // Answers one request that is PENDING and not expired: ?1 id, ?2 status, ?3 reason (NULL keeps
  // it), ?4 response date, ?5 expired_before (0 = never), ?6 responder when records_responder.
  // Deletes one request by id (?1). Selects the parties of one request by id (?1). Deletes every
  // request created before ?1. The single-row statements end with RETURNING (or select) group_id
  // and then the users of user_versions, in order.
  std::string_view answer_sql;
  std::string_view remove_sql;
  std::string_view find_parties_sql;
  std::string_view remove_created_before_sql;
  bool records_responder = false;
  GroupVersionColumn group_version;
  // The version each returned user's list of these requests has (at most
  // GroupRequestParties::kMaxUsers).
  std::span<const UserVersionColumn> user_versions;
  // Which of the returned users becomes a member when a request is accepted.
  size_t joiner = 0;
};

// Inserts one request with insert_sql after bind(statement), and moves its parties' versions.
// An existing id fails with kRecordContainsDuplicateKey.
template <typename Bind>
VoidResult insertGroupRequest(Database& db, const GroupRequestTable& table,
                              std::string_view insert_sql, Bind&& bind,
                              const GroupRequestParties& parties, int64_t now_millis);

// Rewrites the request `id` with replace_sql after bind(statement) and moves the versions of its
// parties before and, when they differ, after (`parties`). False when there is no such request.
template <typename Bind>
Result<bool> replaceGroupRequest(Database& db, const GroupRequestTable& table,
                                 std::string_view replace_sql, Bind&& bind, int64_t id,
                                 const GroupRequestParties& parties, int64_t now_millis);

// replyIfPending: refuses ACCEPTED and PENDING; false when the request is not pending.
Result<bool> answerGroupRequest(Database& db, const GroupRequestTable& table,
                                const GroupRequestAnswer& answer);
// acceptIfPending in one transaction: the answer and the joiner's membership (inserted as
// GroupMemberRepository::insertMany does) commit together or not at all.
Result<bool> acceptGroupRequest(Database& db, const GroupRequestTable& table,
                                const GroupRequestAnswer& answer);
Result<bool> removeGroupRequest(Database& db, const GroupRequestTable& table, int64_t id,
                                int64_t now_millis);
Result<int64_t> removeGroupRequestsCreatedBefore(Database& db, const GroupRequestTable& table,
                                                 int64_t created_before);

// The rows sql yields for one id (?1), each as read makes it.
template <typename Record>
Result<std::vector<Record>> findGroupRequests(ReaderPool& readers, std::string_view sql, int64_t id,
                                              Record (*read)(const Statement&)) {
  return readWith(readers, sql, [&](Statement& stmt) {
    stmt.bind(1, id);
    return readAllRows<Record>(stmt, read);
  });
}
// The first of them (sql selects by primary key).
template <typename Record>
Result<std::optional<Record>> findGroupRequest(ReaderPool& readers, std::string_view sql,
                                               int64_t id, Record (*read)(const Statement&)) {
  Result<std::vector<Record>> found = findGroupRequests(readers, sql, id, read);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Record>();
  return std::optional<Record>(std::move(found->front()));
}

// Inside the caller's lock and transaction.
Result<std::optional<GroupRequestParties>> findGroupRequestPartiesLocked(
    Database& db, const GroupRequestTable& table, int64_t id);
// Moves the versions of parties' group and users, but those `moved` (the parties before an edit)
// had in the same place, whose versions moved already.
VoidResult moveGroupRequestVersionsLocked(Database& db, const GroupRequestTable& table,
                                          const GroupRequestParties& parties, int64_t now_millis,
                                          const GroupRequestParties* moved = nullptr);

template <typename Bind>
VoidResult insertGroupRequest(Database& db, const GroupRequestTable& table,
                              std::string_view insert_sql, Bind&& bind,
                              const GroupRequestParties& parties, int64_t now_millis) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<int64_t> inserted = writeRows(db, insert_sql, bind);
  if (!inserted.ok()) return inserted.status();
  if (const VoidResult moved = moveGroupRequestVersionsLocked(db, table, parties, now_millis);
      !moved.ok()) {
    return moved;
  }
  return transaction->commit();
}

template <typename Bind>
Result<bool> replaceGroupRequest(Database& db, const GroupRequestTable& table,
                                 std::string_view replace_sql, Bind&& bind, int64_t id,
                                 const GroupRequestParties& parties, int64_t now_millis) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<std::optional<GroupRequestParties>> before =
      findGroupRequestPartiesLocked(db, table, id);
  if (!before.ok()) return before.status();
  if (!before.value()) return false;
  const Result<int64_t> replaced = writeRows(db, replace_sql, bind);
  if (!replaced.ok()) return replaced.status();
  if (const VoidResult moved = moveGroupRequestVersionsLocked(db, table, **before, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult moved =
          moveGroupRequestVersionsLocked(db, table, parties, now_millis, &**before);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

}  // namespace parley::sqlite
