#include "store/sqlite/sqlite_relationship_group_repository.h"

#include <set>

#include "store/sqlite/sqlite_user_version.h"

namespace parley::sqlite {
namespace {

constexpr std::string_view kInsertIfAbsent =
    "INSERT INTO user_relationship_group (owner_id, group_index, name, creation_date) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
constexpr std::string_view kRename =
    "UPDATE user_relationship_group SET name = ?3 "
    "WHERE owner_id = ?1 AND group_index = ?2 AND name != ?3";
constexpr std::string_view kMemberIds =
    "SELECT related_user_id FROM user_relationship_group_member "
    "WHERE owner_id = ?1 AND group_index = ?2 ORDER BY related_user_id";
constexpr std::string_view kCopyMembers =
    "INSERT INTO user_relationship_group_member (owner_id, related_user_id, group_index, "
    "join_date) SELECT owner_id, related_user_id, ?3, ?4 FROM user_relationship_group_member "
    "WHERE owner_id = ?1 AND group_index = ?2 ON CONFLICT DO NOTHING";
constexpr std::string_view kDeleteMembers =
    "DELETE FROM user_relationship_group_member WHERE owner_id = ?1 AND group_index = ?2";
constexpr std::string_view kDeleteGroup =
    "DELETE FROM user_relationship_group WHERE owner_id = ?1 AND group_index = ?2";
constexpr std::string_view kFindAll =
    "SELECT group_index, name, creation_date FROM user_relationship_group "
    "WHERE owner_id = ?1 ORDER BY group_index";

// The admin search: every filter optional, lists as JSON arrays (?1 owners, ?2 indexes, ?3
// names), ?4 and ?5 the creation date range.
#define PARLEY_RELATIONSHIP_GROUP_SEARCH                                  \
  " FROM user_relationship_group"                                         \
  " WHERE (?1 IS NULL OR owner_id IN (SELECT value FROM json_each(?1)))"  \
  " AND (?2 IS NULL OR group_index IN (SELECT value FROM json_each(?2)))" \
  " AND (?3 IS NULL OR name IN (SELECT value FROM json_each(?3)))"        \
  " AND (?4 IS NULL OR creation_date >= ?4) AND (?5 IS NULL OR creation_date < ?5)"
constexpr std::string_view kSearch =
    "SELECT owner_id, group_index, name, creation_date" PARLEY_RELATIONSHIP_GROUP_SEARCH
    " ORDER BY owner_id, group_index LIMIT ?6 OFFSET ?7";
constexpr std::string_view kCount = "SELECT count(*)" PARLEY_RELATIONSHIP_GROUP_SEARCH;
#undef PARLEY_RELATIONSHIP_GROUP_SEARCH

// Attempts at a free random index before giving up: with 2^31 indexes, a collision is already
// unlikely for a user with thousands of groups, eight in a row is not a real outcome.
constexpr int kIndexAttempts = 8;

Result<bool> runChanging(Database& db, std::string_view sql, int64_t owner_id, int32_t index) {
  Result<Statement> stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, int64_t{index});
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db.changes() > 0;
}

void bindSearch(Statement& stmt, const RelationshipGroupSearch& search) {
  std::optional<std::string> names;
  if (!search.names.empty()) names = jsonStringArray(search.names);
  stmt.bind(1, jsonArrayOrNull(search.owner_ids))
      .bind(2, jsonArrayOrNull(search.indexes))
      .bind(3, names)
      .bind(4, search.creation_date.start)
      .bind(5, search.creation_date.end);
}

}  // namespace

Result<RelationshipGroupRecord> SqliteRelationshipGroupRepository::create(int64_t owner_id,
                                                                          const std::string& name,
                                                                          int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  for (int attempt = 0; attempt < kIndexAttempts; ++attempt) {
    const RelationshipGroupRecord group{owner_id, randomRelationshipGroupIndex(), name, now_millis};
    Result<Statement> stmt = db_.prepare(kInsertIfAbsent);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, owner_id).bind(2, int64_t{group.index}).bind(3, name).bind(4, now_millis);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    if (db_.changes() == 0) continue;
    if (const VoidResult moved =
            moveRelationshipVersionsLocked(db_, owner_id, {.groups = true}, now_millis);
        !moved.ok()) {
      return moved.status();
    }
    if (const VoidResult committed = transaction->commit(); !committed.ok()) {
      return committed.status();
    }
    return group;
  }
  return error(StatusCode::kServerInternalError,
               "no free relationship group index found for user " + std::to_string(owner_id));
}

Result<bool> SqliteRelationshipGroupRepository::rename(int64_t owner_id, int32_t index,
                                                       const std::string& name,
                                                       int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db_.prepare(kRename);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, int64_t{index}).bind(3, name);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  bool renamed = db_.changes() > 0;
  if (!renamed && index == kDefaultRelationshipGroupIndex && !name.empty()) {
    // The default group, never stored yet, is named "": store it under its new name.
    Result<Statement> insert = db_.prepare(kInsertIfAbsent);
    if (!insert.ok()) return insert.status();
    insert->bind(1, owner_id).bind(2, int64_t{index}).bind(3, name).bind(4, now_millis);
    if (const VoidResult done = insert->run(); !done.ok()) return done.status();
    renamed = db_.changes() > 0;
  }
  if (!renamed) return false;
  if (const VoidResult moved =
          moveRelationshipVersionsLocked(db_, owner_id, {.groups = true}, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<std::vector<int64_t>> SqliteRelationshipGroupRepository::remove(int64_t owner_id,
                                                                       int32_t index,
                                                                       int32_t target_index,
                                                                       int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  std::vector<int64_t> members;
  {
    Result<Statement> stmt = db_.prepare(kMemberIds);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, owner_id).bind(2, int64_t{index});
    while (true) {
      const Result<bool> row = stmt->step();
      if (!row.ok()) return row.status();
      if (!row.value()) break;
      members.push_back(stmt->columnInt64(0));
    }
  }
  if (!members.empty()) {
    Result<Statement> copy = db_.prepare(kCopyMembers);
    if (!copy.ok()) return copy.status();
    copy->bind(1, owner_id)
        .bind(2, int64_t{index})
        .bind(3, int64_t{target_index})
        .bind(4, now_millis);
    if (const VoidResult done = copy->run(); !done.ok()) return done.status();
    if (Result<bool> deleted = runChanging(db_, kDeleteMembers, owner_id, index); !deleted.ok()) {
      return deleted.status();
    }
  }
  Result<bool> deleted = runChanging(db_, kDeleteGroup, owner_id, index);
  if (!deleted.ok()) return deleted.status();
  if (!*deleted && members.empty()) return members;
  if (const VoidResult moved = moveRelationshipVersionsLocked(
          db_, owner_id, {.groups = true, .memberships = !members.empty()}, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return members;
}

Result<std::vector<RelationshipGroupRecord>> SqliteRelationshipGroupRepository::findAll(
    int64_t owner_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindAll);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id);
  std::vector<RelationshipGroupRecord> groups;
  while (true) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    groups.push_back({owner_id, static_cast<int32_t>(stmt->columnInt64(0)), stmt->columnText(1),
                      stmt->columnInt64(2)});
  }
  return withDefaultGroup(owner_id, std::move(groups));
}

Result<std::vector<RelationshipGroupRecord>> SqliteRelationshipGroupRepository::search(
    const RelationshipGroupSearch& search, int64_t skip, int64_t limit) {
  return readWith(
      readers_, kSearch, [&](Statement& stmt) -> Result<std::vector<RelationshipGroupRecord>> {
        bindSearch(stmt, search);
        stmt.bind(6, limit).bind(7, skip);
        std::vector<RelationshipGroupRecord> groups;
        while (true) {
          const Result<bool> row = stmt.step();
          if (!row.ok()) return row.status();
          if (!row.value()) return groups;
          groups.push_back({stmt.columnInt64(0), static_cast<int32_t>(stmt.columnInt64(1)),
                            stmt.columnText(2), stmt.columnInt64(3)});
        }
      });
}

Result<int64_t> SqliteRelationshipGroupRepository::count(const RelationshipGroupSearch& search) {
  return readInt64(readers_, kCount, [&](Statement& stmt) { bindSearch(stmt, search); });
}

Result<int64_t> SqliteRelationshipGroupRepository::insertMany(
    std::span<const RelationshipGroupRecord> groups, int64_t now_millis) {
  if (groups.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t inserted = 0;
  std::set<int64_t> owners;
  for (const RelationshipGroupRecord& group : groups) {
    Result<Statement> stmt = db_.prepare(kInsertIfAbsent);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, group.owner_id)
        .bind(2, int64_t{group.index})
        .bind(3, group.name)
        .bind(4, group.creation_date);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    if (db_.changes() == 0) continue;
    ++inserted;
    owners.insert(group.owner_id);
  }
  for (const int64_t owner_id : owners) {
    if (const VoidResult moved =
            moveRelationshipVersionsLocked(db_, owner_id, {.groups = true}, now_millis);
        !moved.ok()) {
      return moved.status();
    }
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return inserted;
}

Result<std::optional<int64_t>> SqliteRelationshipGroupRepository::findVersion(int64_t owner_id) {
  return findUserVersion(readers_, owner_id, UserVersionColumn::kRelationshipGroups);
}

}  // namespace parley::sqlite
