#include "store/sqlite/sqlite_group_repository.h"

#include <algorithm>
#include <map>
#include <string>

namespace parley::sqlite {
namespace {

// Column orders shared by every SELECT and INSERT below (the read/bind helpers depend on them).
#define PARLEY_GROUP_COLUMNS                                                      \
  "id, type_id, creator_id, owner_id, name, intro, announcement, minimum_score, " \
  "mute_end_date, creation_date, deletion_date, last_updated_date, "              \
  "members_last_updated_date, is_active"
#define PARLEY_MEMBER_COLUMNS "group_id, user_id, name, role, join_date, mute_end_date"

constexpr std::string_view kInsertGroup =
    "INSERT INTO group_info (" PARLEY_GROUP_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr std::string_view kFindGroupById =
    "SELECT " PARLEY_GROUP_COLUMNS " FROM group_info WHERE id = ?1";
// One cached statement for any number of ids: they are passed as a JSON array.
constexpr std::string_view kFindGroupsByIds =
    "SELECT " PARLEY_GROUP_COLUMNS
    " FROM group_info WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";
// Unset fields are bound as NULL and keep their value. mute_end_date is the one nullable column:
// GroupUpdate can set it but not clear it (a client unmutes with a past date, as upstream).
constexpr std::string_view kUpdateGroup =
    "UPDATE group_info SET name = coalesce(?2, name), intro = coalesce(?3, intro), "
    "announcement = coalesce(?4, announcement), minimum_score = coalesce(?5, minimum_score), "
    "type_id = coalesce(?6, type_id), mute_end_date = coalesce(?7, mute_end_date), "
    "owner_id = coalesce(?8, owner_id), last_updated_date = ?9, "
    "creator_id = coalesce(?10, creator_id), creation_date = coalesce(?11, creation_date), "
    "is_active = coalesce(?12, is_active) WHERE id = ?1 AND deletion_date IS NULL";
// The admin search: every filter optional, lists as JSON arrays (?1 ids, ?2 types, ?3 creators,
// ?4 owners, ?5 members), ?6 is_active, ?7..?14 the creation, deletion, last-updated and mute-end
// date ranges.
#define PARLEY_GROUP_SEARCH                                                                     \
  " FROM group_info WHERE (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))"              \
  " AND (?2 IS NULL OR type_id IN (SELECT value FROM json_each(?2)))"                           \
  " AND (?3 IS NULL OR creator_id IN (SELECT value FROM json_each(?3)))"                        \
  " AND (?4 IS NULL OR owner_id IN (SELECT value FROM json_each(?4)))"                          \
  " AND (?5 IS NULL OR id IN (SELECT group_id FROM group_member"                                \
  " WHERE user_id IN (SELECT value FROM json_each(?5))))"                                       \
  " AND (?6 IS NULL OR is_active = ?6)"                                                         \
  " AND (?7 IS NULL OR creation_date >= ?7) AND (?8 IS NULL OR creation_date < ?8)"             \
  " AND (?9 IS NULL OR deletion_date >= ?9) AND (?10 IS NULL OR deletion_date < ?10)"           \
  " AND (?11 IS NULL OR last_updated_date >= ?11) AND (?12 IS NULL OR last_updated_date < ?12)" \
  " AND (?13 IS NULL OR mute_end_date >= ?13) AND (?14 IS NULL OR mute_end_date < ?14)"
constexpr std::string_view kSearchGroups =
    "SELECT " PARLEY_GROUP_COLUMNS PARLEY_GROUP_SEARCH " ORDER BY id LIMIT ?15 OFFSET ?16";
constexpr std::string_view kCountGroups = "SELECT count(*)" PARLEY_GROUP_SEARCH;
#undef PARLEY_GROUP_SEARCH
constexpr std::string_view kSoftDeleteGroup =
    "UPDATE group_info SET deletion_date = ?2, last_updated_date = ?2 "
    "WHERE id = ?1 AND deletion_date IS NULL";

// Versions only move forward, by at least 1 ms, so that two changes within one millisecond (or a
// clock that stepped back) still give a client holding the older version fresh data.
constexpr std::string_view kBumpMembersVersion =
    "UPDATE group_info SET members_last_updated_date = "
    "max(members_last_updated_date + 1, ?2) WHERE id = ?1";
constexpr std::string_view kBumpJoinedGroupsVersion =
    "INSERT INTO group_member_user_version (user_id, joined_groups_last_updated_date) "
    "VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET joined_groups_last_updated_date = "
    "max(joined_groups_last_updated_date + 1, excluded.joined_groups_last_updated_date)";
constexpr std::string_view kFindJoinedGroupsVersion =
    "SELECT joined_groups_last_updated_date FROM group_member_user_version WHERE user_id = ?1";

constexpr std::string_view kInsertMemberIfAbsent =
    "INSERT INTO group_member (" PARLEY_MEMBER_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (group_id, user_id) DO NOTHING";
constexpr std::string_view kDeleteMember =
    "DELETE FROM group_member WHERE group_id = ?1 AND user_id = ?2";
constexpr std::string_view kDeleteAllMembers = "DELETE FROM group_member WHERE group_id = ?1";
constexpr std::string_view kFindMember =
    "SELECT " PARLEY_MEMBER_COLUMNS " FROM group_member WHERE group_id = ?1 AND user_id = ?2";
constexpr std::string_view kFindAllMembers =
    "SELECT " PARLEY_MEMBER_COLUMNS " FROM group_member WHERE group_id = ?1 ORDER BY user_id";
constexpr std::string_view kFindMembersByIds =
    "SELECT " PARLEY_MEMBER_COLUMNS
    " FROM group_member WHERE group_id = ?1 AND user_id IN (SELECT value FROM json_each(?2)) "
    "ORDER BY user_id";
constexpr std::string_view kFindMemberIds =
    "SELECT user_id FROM group_member WHERE group_id = ?1 ORDER BY user_id";
constexpr std::string_view kFindJoinedGroupIds =
    "SELECT group_id FROM group_member WHERE user_id = ?1 ORDER BY group_id";
constexpr std::string_view kUpdateRole =
    "UPDATE group_member SET role = ?3 WHERE group_id = ?1 AND user_id = ?2";
// As kUpdateGroup: unset fields are bound as NULL and keep their value.
constexpr std::string_view kUpdateMember =
    "UPDATE group_member SET name = coalesce(?3, name), role = coalesce(?4, role), "
    "mute_end_date = coalesce(?5, mute_end_date), join_date = coalesce(?6, join_date) "
    "WHERE group_id = ?1 AND user_id = ?2";
// The admin search: every filter optional, lists as JSON arrays (?1 groups, ?2 users, ?3 roles),
// ?4..?7 the join and mute-end date ranges.
#define PARLEY_MEMBER_SEARCH                                                               \
  " FROM group_member WHERE (?1 IS NULL OR group_id IN (SELECT value FROM json_each(?1)))" \
  " AND (?2 IS NULL OR user_id IN (SELECT value FROM json_each(?2)))"                      \
  " AND (?3 IS NULL OR role IN (SELECT value FROM json_each(?3)))"                         \
  " AND (?4 IS NULL OR join_date >= ?4) AND (?5 IS NULL OR join_date < ?5)"                \
  " AND (?6 IS NULL OR mute_end_date >= ?6) AND (?7 IS NULL OR mute_end_date < ?7)"
constexpr std::string_view kSearchMembers = "SELECT " PARLEY_MEMBER_COLUMNS PARLEY_MEMBER_SEARCH
                                            " ORDER BY group_id, user_id LIMIT ?8 OFFSET ?9";
constexpr std::string_view kCountMembers = "SELECT count(*)" PARLEY_MEMBER_SEARCH;
#undef PARLEY_MEMBER_SEARCH

#undef PARLEY_GROUP_COLUMNS
#undef PARLEY_MEMBER_COLUMNS

void bindGroup(Statement& stmt, const GroupRecord& group) {
  stmt.bind(1, group.id)
      .bind(2, group.type_id)
      .bind(3, group.creator_id)
      .bind(4, group.owner_id)
      .bind(5, group.name)
      .bind(6, group.intro)
      .bind(7, group.announcement)
      .bind(8, int64_t{group.minimum_score})
      .bind(9, group.mute_end_date)
      .bind(10, group.creation_date)
      .bind(11, group.deletion_date)
      .bind(12, group.last_updated_date)
      .bind(13, group.members_last_updated_date)
      .bind(14, int64_t{group.is_active});
}

std::optional<int64_t> optionalInt64(const Statement& stmt, int column) {
  if (stmt.columnIsNull(column)) return std::nullopt;
  return stmt.columnInt64(column);
}

GroupRecord readGroup(const Statement& stmt) {
  GroupRecord group;
  group.id = stmt.columnInt64(0);
  group.type_id = stmt.columnInt64(1);
  group.creator_id = stmt.columnInt64(2);
  group.owner_id = stmt.columnInt64(3);
  group.name = stmt.columnText(4);
  group.intro = stmt.columnText(5);
  group.announcement = stmt.columnText(6);
  group.minimum_score = static_cast<int32_t>(stmt.columnInt64(7));
  group.mute_end_date = optionalInt64(stmt, 8);
  group.creation_date = stmt.columnInt64(9);
  group.deletion_date = optionalInt64(stmt, 10);
  group.last_updated_date = stmt.columnInt64(11);
  group.members_last_updated_date = stmt.columnInt64(12);
  group.is_active = stmt.columnInt64(13) != 0;
  return group;
}

GroupMemberRecord readMember(const Statement& stmt) {
  GroupMemberRecord member;
  member.group_id = stmt.columnInt64(0);
  member.user_id = stmt.columnInt64(1);
  member.name = stmt.columnText(2);
  member.role = static_cast<int32_t>(stmt.columnInt64(3));
  member.join_date = stmt.columnInt64(4);
  member.mute_end_date = optionalInt64(stmt, 5);
  return member;
}

std::optional<int64_t> optionalBool(const std::optional<bool>& value) {
  if (!value) return std::nullopt;
  return int64_t{*value};
}

void bindGroupSearch(Statement& stmt, const GroupSearch& search) {
  stmt.bind(1, jsonArrayOrNull(search.ids))
      .bind(2, jsonArrayOrNull(search.type_ids))
      .bind(3, jsonArrayOrNull(search.creator_ids))
      .bind(4, jsonArrayOrNull(search.owner_ids))
      .bind(5, jsonArrayOrNull(search.member_ids))
      .bind(6, optionalBool(search.is_active))
      .bind(7, search.creation_date.start)
      .bind(8, search.creation_date.end)
      .bind(9, search.deletion_date.start)
      .bind(10, search.deletion_date.end)
      .bind(11, search.last_updated_date.start)
      .bind(12, search.last_updated_date.end)
      .bind(13, search.mute_end_date.start)
      .bind(14, search.mute_end_date.end);
}

void bindMemberSearch(Statement& stmt, const GroupMemberSearch& search) {
  stmt.bind(1, jsonArrayOrNull(search.group_ids))
      .bind(2, jsonArrayOrNull(search.user_ids))
      .bind(3, jsonArrayOrNull(search.roles))
      .bind(4, search.join_date.start)
      .bind(5, search.join_date.end)
      .bind(6, search.mute_end_date.start)
      .bind(7, search.mute_end_date.end);
}

// The helpers below run inside the caller's lock (and usually its transaction).

VoidResult bumpMembersVersion(Database& db, int64_t group_id, int64_t now_millis) {
  const Result<int64_t> done = writeRows(db, kBumpMembersVersion, [&](Statement& stmt) {
    stmt.bind(1, group_id).bind(2, now_millis);
  });
  if (!done.ok()) return done.status();
  return {};
}

VoidResult bumpJoinedGroupsVersion(Database& db, int64_t user_id, int64_t now_millis) {
  const Result<int64_t> done = writeRows(db, kBumpJoinedGroupsVersion, [&](Statement& stmt) {
    stmt.bind(1, user_id).bind(2, now_millis);
  });
  if (!done.ok()) return done.status();
  return {};
}

// Runs one statement that changes one member's row and, if it changed, moves the group's members
// version, in one transaction. false when the member does not exist.
template <typename Bind>
Result<bool> updateMemberRow(Database& db, std::string_view sql, int64_t group_id,
                             int64_t now_millis, Bind bind) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<int64_t> changed = writeRows(db, sql, bind);
  if (!changed.ok()) return changed.status();
  if (changed.value() == 0) return false;
  if (const VoidResult bumped = bumpMembersVersion(db, group_id, now_millis); !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

}  // namespace

Result<bool> removeMemberLocked(Database& db, int64_t group_id, int64_t user_id,
                                int64_t now_millis) {
  const Result<int64_t> deleted = writeRows(
      db, kDeleteMember, [&](Statement& stmt) { stmt.bind(1, group_id).bind(2, user_id); });
  if (!deleted.ok()) return deleted.status();
  if (deleted.value() == 0) return false;
  if (const VoidResult bumped = bumpJoinedGroupsVersion(db, user_id, now_millis); !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult bumped = bumpMembersVersion(db, group_id, now_millis); !bumped.ok()) {
    return bumped.status();
  }
  return true;
}

Result<int64_t> insertMembersLocked(Database& db, std::span<const GroupMemberRecord> members) {
  int64_t inserted = 0;
  // The newest join date per group that gained a member: one version bump per group.
  std::map<int64_t, int64_t> changed_groups;
  for (const GroupMemberRecord& member : members) {
    const Result<int64_t> added = writeRows(db, kInsertMemberIfAbsent, [&](Statement& stmt) {
      stmt.bind(1, member.group_id)
          .bind(2, member.user_id)
          .bind(3, member.name)
          .bind(4, int64_t{member.role})
          .bind(5, member.join_date)
          .bind(6, member.mute_end_date);
    });
    if (!added.ok()) return added.status();
    if (added.value() == 0) continue;
    ++inserted;
    auto [it, is_new] = changed_groups.try_emplace(member.group_id, member.join_date);
    if (!is_new) it->second = std::max(it->second, member.join_date);
    if (const VoidResult bumped = bumpJoinedGroupsVersion(db, member.user_id, member.join_date);
        !bumped.ok()) {
      return bumped.status();
    }
  }
  for (const auto& [group_id, newest_join_date] : changed_groups) {
    if (const VoidResult bumped = bumpMembersVersion(db, group_id, newest_join_date);
        !bumped.ok()) {
      return bumped.status();
    }
  }
  return inserted;
}

VoidResult SqliteGroupRepository::insert(const GroupRecord& group) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kInsertGroup);
  if (!stmt.ok()) return stmt.status();
  bindGroup(*stmt, group);
  return stmt->run();
}

Result<std::optional<GroupRecord>> SqliteGroupRepository::findById(int64_t id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindGroupById);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<GroupRecord>();
  return std::optional<GroupRecord>(readGroup(*stmt));
}

Result<std::vector<GroupRecord>> SqliteGroupRepository::findByIds(std::span<const int64_t> ids) {
  if (ids.empty()) return std::vector<GroupRecord>();
  const std::string json = jsonArray(ids);
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindGroupsByIds);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, json);
  return readAllRows<GroupRecord>(*stmt, readGroup);
}

Result<bool> SqliteGroupRepository::update(int64_t id, const GroupUpdate& update) {
  std::optional<int64_t> minimum_score;
  if (update.minimum_score) minimum_score = *update.minimum_score;
  auto lock = db_.lock();
  const Result<int64_t> changed = writeRows(db_, kUpdateGroup, [&](Statement& stmt) {
    stmt.bind(1, id)
        .bind(2, update.name)
        .bind(3, update.intro)
        .bind(4, update.announcement)
        .bind(5, minimum_score)
        .bind(6, update.type_id)
        .bind(7, update.mute_end_date)
        .bind(8, update.owner_id)
        .bind(9, update.last_updated_date)
        .bind(10, update.creator_id)
        .bind(11, update.creation_date)
        .bind(12, optionalBool(update.is_active));
  });
  if (!changed.ok()) return changed.status();
  return changed.value() > 0;
}

Result<bool> SqliteGroupRepository::softDelete(int64_t id, int64_t now_millis) {
  auto lock = db_.lock();
  const Result<int64_t> changed = writeRows(
      db_, kSoftDeleteGroup, [&](Statement& stmt) { stmt.bind(1, id).bind(2, now_millis); });
  if (!changed.ok()) return changed.status();
  return changed.value() > 0;
}

Result<std::vector<GroupRecord>> SqliteGroupRepository::search(const GroupSearch& search,
                                                               int64_t skip, int64_t limit) {
  return readWith(readers_, kSearchGroups, [&](Statement& stmt) {
    bindGroupSearch(stmt, search);
    stmt.bind(15, limit).bind(16, skip);
    return readAllRows<GroupRecord>(stmt, readGroup);
  });
}

Result<int64_t> SqliteGroupRepository::count(const GroupSearch& search) {
  return readInt64(readers_, kCountGroups, [&](Statement& stmt) { bindGroupSearch(stmt, search); });
}

Result<int64_t> SqliteGroupMemberRepository::insertMany(
    std::span<const GroupMemberRecord> members) {
  if (members.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  const Result<int64_t> inserted = insertMembersLocked(db_, members);
  if (!inserted.ok()) return inserted;
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return inserted;
}

Result<int64_t> SqliteGroupMemberRepository::remove(int64_t group_id,
                                                    std::span<const int64_t> user_ids,
                                                    int64_t now_millis) {
  if (user_ids.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t removed = 0;
  for (const int64_t user_id : user_ids) {
    const Result<int64_t> deleted = writeRows(
        db_, kDeleteMember, [&](Statement& stmt) { stmt.bind(1, group_id).bind(2, user_id); });
    if (!deleted.ok()) return deleted.status();
    if (deleted.value() == 0) continue;
    ++removed;
    if (const VoidResult bumped = bumpJoinedGroupsVersion(db_, user_id, now_millis); !bumped.ok()) {
      return bumped.status();
    }
  }
  if (removed == 0) return removed;  // nothing changed: the transaction rolls back harmlessly
  if (const VoidResult bumped = bumpMembersVersion(db_, group_id, now_millis); !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return removed;
}

Result<int64_t> SqliteGroupMemberRepository::removeAll(int64_t group_id, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  std::vector<int64_t> user_ids;
  {
    Result<Statement> stmt = db_.prepare(kFindMemberIds);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, group_id);
    Result<std::vector<int64_t>> ids = readIds(*stmt);
    if (!ids.ok()) return ids.status();
    user_ids = std::move(ids.value());
  }
  if (user_ids.empty()) return int64_t{0};
  const Result<int64_t> deleted =
      writeRows(db_, kDeleteAllMembers, [&](Statement& stmt) { stmt.bind(1, group_id); });
  if (!deleted.ok()) return deleted.status();
  for (const int64_t user_id : user_ids) {
    if (const VoidResult bumped = bumpJoinedGroupsVersion(db_, user_id, now_millis); !bumped.ok()) {
      return bumped.status();
    }
  }
  if (const VoidResult bumped = bumpMembersVersion(db_, group_id, now_millis); !bumped.ok()) {
    return bumped.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return deleted.value();
}

Result<std::optional<GroupMemberRecord>> SqliteGroupMemberRepository::find(int64_t group_id,
                                                                           int64_t user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindMember);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, group_id).bind(2, user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<GroupMemberRecord>();
  return std::optional<GroupMemberRecord>(readMember(*stmt));
}

Result<std::vector<GroupMemberRecord>> SqliteGroupMemberRepository::findMembers(
    int64_t group_id, std::span<const int64_t> user_ids) {
  if (user_ids.empty()) {
    ReaderPool::Lease reader = readers_.acquire();
    Result<Statement> stmt = reader->prepare(kFindAllMembers);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, group_id);
    return readAllRows<GroupMemberRecord>(*stmt, readMember);
  }
  const std::string json = jsonArray(user_ids);
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindMembersByIds);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, group_id).bind(2, json);
  return readAllRows<GroupMemberRecord>(*stmt, readMember);
}

Result<std::vector<int64_t>> SqliteGroupMemberRepository::findMemberIds(int64_t group_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindMemberIds);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, group_id);
  return readIds(*stmt);
}

Result<std::vector<int64_t>> SqliteGroupMemberRepository::findJoinedGroupIds(int64_t user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindJoinedGroupIds);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, user_id);
  return readIds(*stmt);
}

Result<std::optional<int64_t>> SqliteGroupMemberRepository::findJoinedGroupsVersion(
    int64_t user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindJoinedGroupsVersion);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->columnInt64(0));
}

Result<bool> SqliteGroupMemberRepository::updateRole(int64_t group_id, int64_t user_id,
                                                     int32_t role, int64_t now_millis) {
  return updateMemberRow(db_, kUpdateRole, group_id, now_millis, [&](Statement& stmt) {
    stmt.bind(1, group_id).bind(2, user_id).bind(3, int64_t{role});
  });
}

Result<bool> SqliteGroupMemberRepository::update(int64_t group_id, int64_t user_id,
                                                 const GroupMemberUpdate& update,
                                                 int64_t now_millis) {
  std::optional<int64_t> role;
  if (update.role) role = *update.role;
  return updateMemberRow(db_, kUpdateMember, group_id, now_millis, [&](Statement& stmt) {
    stmt.bind(1, group_id)
        .bind(2, user_id)
        .bind(3, update.name)
        .bind(4, role)
        .bind(5, update.mute_end_date)
        .bind(6, update.join_date);
  });
}

Result<std::vector<GroupMemberRecord>> SqliteGroupMemberRepository::search(
    const GroupMemberSearch& search, int64_t skip, int64_t limit) {
  return readWith(readers_, kSearchMembers, [&](Statement& stmt) {
    bindMemberSearch(stmt, search);
    stmt.bind(8, limit).bind(9, skip);
    return readAllRows<GroupMemberRecord>(stmt, readMember);
  });
}

Result<int64_t> SqliteGroupMemberRepository::count(const GroupMemberSearch& search) {
  return readInt64(readers_, kCountMembers,
                   [&](Statement& stmt) { bindMemberSearch(stmt, search); });
}

}  // namespace parley::sqlite
