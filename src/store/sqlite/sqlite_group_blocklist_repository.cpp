#include "store/sqlite/sqlite_group_blocklist_repository.h"

#include "store/sqlite/sqlite_group_repository.h"
#include "store/sqlite/sqlite_group_version.h"

namespace parley::sqlite {
namespace {

constexpr std::string_view kInsertBlocked =
    "INSERT INTO group_blocked_user (group_id, user_id, block_date, requester_id) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (group_id, user_id) DO NOTHING";
constexpr std::string_view kDeleteBlocked =
    "DELETE FROM group_blocked_user WHERE group_id = ?1 AND user_id = ?2";
constexpr std::string_view kFindBlocked =
    "SELECT group_id, user_id, block_date, requester_id FROM group_blocked_user "
    "WHERE group_id = ?1 ORDER BY user_id";
constexpr std::string_view kFindBlockedAmong =
    "SELECT user_id FROM group_blocked_user WHERE group_id = ?1 AND user_id IN "
    "(SELECT value FROM json_each(?2)) ORDER BY user_id";

}  // namespace

Result<GroupBlockOutcome> SqliteGroupBlocklistRepository::block(
    const GroupBlockedUserRecord& blocked, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  GroupBlockOutcome outcome;
  const Result<int64_t> inserted = writeRows(db_, kInsertBlocked, [&](Statement& stmt) {
    stmt.bind(1, blocked.group_id)
        .bind(2, blocked.user_id)
        .bind(3, blocked.block_date)
        .bind(4, blocked.requester_id);
  });
  if (!inserted.ok()) return inserted.status();
  outcome.newly_blocked = inserted.value() > 0;
  const Result<bool> removed =
      removeMemberLocked(db_, blocked.group_id, blocked.user_id, now_millis);
  if (!removed.ok()) return removed.status();
  outcome.was_member = removed.value();
  if (!outcome.newly_blocked && !outcome.was_member) return outcome;  // nothing to commit
  if (const VoidResult bumped = moveGroupVersionForwardLocked(
          db_, blocked.group_id, GroupVersionColumn::kBlocklist, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return outcome;
}

Result<bool> SqliteGroupBlocklistRepository::unblock(int64_t group_id, int64_t user_id,
                                                     int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  const Result<int64_t> deleted = writeRows(
      db_, kDeleteBlocked, [&](Statement& stmt) { stmt.bind(1, group_id).bind(2, user_id); });
  if (!deleted.ok()) return deleted.status();
  if (deleted.value() == 0) return false;
  if (const VoidResult bumped =
          moveGroupVersionForwardLocked(db_, group_id, GroupVersionColumn::kBlocklist, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<std::vector<GroupBlockedUserRecord>> SqliteGroupBlocklistRepository::findBlocked(
    int64_t group_id) {
  return readWith(readers_, kFindBlocked, [&](Statement& stmt) {
    stmt.bind(1, group_id);
    return readAllRows<GroupBlockedUserRecord>(stmt, [](const Statement& row) {
      return GroupBlockedUserRecord{row.columnInt64(0), row.columnInt64(1), row.columnInt64(2),
                                    row.columnInt64(3)};
    });
  });
}

Result<std::vector<int64_t>> SqliteGroupBlocklistRepository::findBlockedAmong(
    int64_t group_id, std::span<const int64_t> user_ids) {
  if (user_ids.empty()) return std::vector<int64_t>();
  const std::string ids = jsonArray(user_ids);
  return readWith(readers_, kFindBlockedAmong, [&](Statement& stmt) {
    stmt.bind(1, group_id).bind(2, ids);
    return readIds(stmt);
  });
}

Result<std::optional<int64_t>> SqliteGroupBlocklistRepository::findVersion(int64_t group_id) {
  return findGroupVersion(readers_, group_id, GroupVersionColumn::kBlocklist);
}

}  // namespace parley::sqlite
