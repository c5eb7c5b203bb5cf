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
#define PARLEY_BLOCKED_COLUMNS "group_id, user_id, block_date, requester_id"
constexpr std::string_view kFindBlocked = "SELECT " PARLEY_BLOCKED_COLUMNS
                                          " FROM group_blocked_user WHERE group_id = ?1 "
                                          "ORDER BY user_id";
// The admin search: every filter optional, lists as JSON arrays (?1 groups, ?2 users,
// ?3 requesters), ?4 and ?5 the block date range.
#define PARLEY_BLOCKED_SEARCH                                                                    \
  " FROM group_blocked_user WHERE (?1 IS NULL OR group_id IN (SELECT value FROM json_each(?1)))" \
  " AND (?2 IS NULL OR user_id IN (SELECT value FROM json_each(?2)))"                            \
  " AND (?3 IS NULL OR requester_id IN (SELECT value FROM json_each(?3)))"                       \
  " AND (?4 IS NULL OR block_date >= ?4) AND (?5 IS NULL OR block_date < ?5)"
constexpr std::string_view kSearchBlocked = "SELECT " PARLEY_BLOCKED_COLUMNS PARLEY_BLOCKED_SEARCH
                                            " ORDER BY group_id, user_id LIMIT ?6 OFFSET ?7";
constexpr std::string_view kCountBlocked = "SELECT count(*)" PARLEY_BLOCKED_SEARCH;
#undef PARLEY_BLOCKED_SEARCH
#undef PARLEY_BLOCKED_COLUMNS
constexpr std::string_view kUpdateBlocked =
    "UPDATE group_blocked_user SET block_date = coalesce(?3, block_date), "
    "requester_id = coalesce(?4, requester_id) WHERE group_id = ?1 AND user_id = ?2";

GroupBlockedUserRecord readBlocked(const Statement& row) {
  return GroupBlockedUserRecord{row.columnInt64(0), row.columnInt64(1), row.columnInt64(2),
                                row.columnInt64(3)};
}

// One transaction: write() changes rows of the group's blocklist and, when it changed any, the
// group's blocklist version moves with them. False (nothing committed) when it changed none.
template <typename Write>
Result<bool> changeBlocklist(Database& db, int64_t group_id, int64_t now_millis, Write&& write) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<int64_t> changed = write();
  if (!changed.ok()) return changed.status();
  if (changed.value() == 0) return false;
  if (const VoidResult bumped =
          moveGroupVersionForwardLocked(db, group_id, GroupVersionColumn::kBlocklist, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

void bindSearch(Statement& stmt, const GroupBlockedUserSearch& search) {
  stmt.bind(1, jsonArrayOrNull(search.group_ids))
      .bind(2, jsonArrayOrNull(search.user_ids))
      .bind(3, jsonArrayOrNull(search.requester_ids))
      .bind(4, search.block_date.start)
      .bind(5, search.block_date.end);
}
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
  return changeBlocklist(db_, group_id, now_millis, [&] {
    return writeRows(db_, kDeleteBlocked,
                     [&](Statement& stmt) { stmt.bind(1, group_id).bind(2, user_id); });
  });
}

Result<std::vector<GroupBlockedUserRecord>> SqliteGroupBlocklistRepository::findBlocked(
    int64_t group_id) {
  return readWith(readers_, kFindBlocked, [&](Statement& stmt) {
    stmt.bind(1, group_id);
    return readAllRows<GroupBlockedUserRecord>(stmt, readBlocked);
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

Result<std::vector<GroupBlockedUserRecord>> SqliteGroupBlocklistRepository::search(
    const GroupBlockedUserSearch& search, int64_t skip, int64_t limit) {
  return readWith(readers_, kSearchBlocked, [&](Statement& stmt) {
    bindSearch(stmt, search);
    stmt.bind(6, limit).bind(7, skip);
    return readAllRows<GroupBlockedUserRecord>(stmt, readBlocked);
  });
}

Result<int64_t> SqliteGroupBlocklistRepository::count(const GroupBlockedUserSearch& search) {
  return readInt64(readers_, kCountBlocked, [&](Statement& stmt) { bindSearch(stmt, search); });
}

Result<bool> SqliteGroupBlocklistRepository::update(int64_t group_id, int64_t user_id,
                                                    const GroupBlockedUserUpdate& update,
                                                    int64_t now_millis) {
  return changeBlocklist(db_, group_id, now_millis, [&] {
    return writeRows(db_, kUpdateBlocked, [&](Statement& stmt) {
      stmt.bind(1, group_id)
          .bind(2, user_id)
          .bind(3, update.block_date)
          .bind(4, update.requester_id);
    });
  });
}

}  // namespace parley::sqlite
