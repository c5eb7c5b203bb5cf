#include "store/sqlite/sqlite_relationship_repository.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>

#include "store/sqlite/sqlite_user_version.h"

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT below (readRelationship depends on it): the record's
// columns, then its memberships' group indexes as a comma-separated list (one lookup in the
// membership table's primary key per row).
#define PARLEY_RELATIONSHIP_COLUMNS                                            \
  "owner_id, related_user_id, block_date, establishment_date, name, "          \
  "(SELECT group_concat(m.group_index) FROM user_relationship_group_member m " \
  "WHERE m.owner_id = user_relationship.owner_id AND m.related_user_id = "     \
  "user_relationship.related_user_id)"
#define PARLEY_RELATIONSHIP_INSERT                                                             \
  "INSERT INTO user_relationship (owner_id, related_user_id, block_date, establishment_date, " \
  "name) VALUES (?1, ?2, ?3, ?4, ?5)"

constexpr std::string_view kInsert = PARLEY_RELATIONSHIP_INSERT;
constexpr std::string_view kInsertIfAbsent =
    PARLEY_RELATIONSHIP_INSERT " ON CONFLICT (owner_id, related_user_id) DO NOTHING";
constexpr std::string_view kUpsert = PARLEY_RELATIONSHIP_INSERT
    " ON CONFLICT (owner_id, related_user_id) DO UPDATE SET "
    "block_date = excluded.block_date, establishment_date = excluded.establishment_date, "
    "name = excluded.name";
constexpr std::string_view kDelete =
    "DELETE FROM user_relationship WHERE owner_id = ?1 AND related_user_id = ?2";
constexpr std::string_view kFind = "SELECT " PARLEY_RELATIONSHIP_COLUMNS
                                   " FROM user_relationship "
                                   "WHERE owner_id = ?1 AND related_user_id = ?2";
constexpr std::string_view kBefriend =
    "INSERT INTO user_relationship (owner_id, related_user_id, block_date, establishment_date, "
    "name) VALUES (?1, ?2, NULL, ?3, '') "
    "ON CONFLICT (owner_id, related_user_id) DO UPDATE SET block_date = NULL";
constexpr std::string_view kFindBlocked =
    "SELECT block_date IS NOT NULL FROM user_relationship "
    "WHERE owner_id = ?1 AND related_user_id = ?2";
constexpr std::string_view kIsBlocked =
    "SELECT EXISTS (SELECT 1 FROM user_relationship "
    "WHERE owner_id = ?1 AND related_user_id = ?2 AND block_date IS NOT NULL)";

// Memberships: ?3 is a JSON array of group indexes.
constexpr std::string_view kDeleteMembershipsNotIn =
    "DELETE FROM user_relationship_group_member WHERE owner_id = ?1 AND related_user_id = ?2 "
    "AND group_index NOT IN (SELECT value FROM json_each(?3))";
constexpr std::string_view kAddMembership =
    "INSERT INTO user_relationship_group_member (owner_id, related_user_id, group_index, "
    "join_date) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
constexpr std::string_view kDeleteMemberships =
    "DELETE FROM user_relationship_group_member WHERE owner_id = ?1 AND related_user_id = ?2";

// Queries come in three shapes so that each is one cached statement the planner can serve from
// an index: named related users (a primary-key lookup per id), only blocks (the partial index;
// without statistics the planner would pick the equally keyed primary key and read every
// contact of the owner, so it is named) and everything of an owner (a primary-key range). Optional
// filters are bound as NULL when unset; id lists are passed as JSON arrays. kQueryAll leaves ?2
// unused so that it binds exactly like kQueryByIds.
#define PARLEY_RELATIONSHIP_IN_GROUPS(param)                            \
  " AND (" param                                                        \
  " IS NULL OR EXISTS (SELECT 1 FROM user_relationship_group_member m " \
  "WHERE m.owner_id = user_relationship.owner_id "                      \
  "AND m.related_user_id = user_relationship.related_user_id "          \
  "AND m.group_index IN (SELECT value FROM json_each(" param "))))"
#define PARLEY_RELATIONSHIP_OPTIONAL_FILTERS \
  " AND (?3 IS NULL OR (block_date IS NOT NULL) = ?3)" PARLEY_RELATIONSHIP_IN_GROUPS("?4")

constexpr std::string_view kQueryByIds =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS
    " FROM user_relationship WHERE owner_id = ?1 "
    "AND related_user_id IN (SELECT value FROM json_each(?2))" PARLEY_RELATIONSHIP_OPTIONAL_FILTERS
    " ORDER BY related_user_id";
constexpr std::string_view kQueryBlocked =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS
    " FROM user_relationship INDEXED BY user_relationship_blocked "
    "WHERE owner_id = ?1 AND block_date IS NOT NULL" PARLEY_RELATIONSHIP_IN_GROUPS(
        "?2") " ORDER BY related_user_id";
constexpr std::string_view kQueryAll =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS
    " FROM user_relationship WHERE owner_id = ?1" PARLEY_RELATIONSHIP_OPTIONAL_FILTERS
    " ORDER BY related_user_id";

// The admin search: every filter optional, id lists as JSON arrays (?1 owners, ?2 related users,
// ?4 groups), ?3 blocked, ?5 and ?6 the establishment date range.
#define PARLEY_RELATIONSHIP_SEARCH                                                              \
  " FROM user_relationship WHERE (?1 IS NULL OR owner_id IN (SELECT value FROM json_each(?1)))" \
  " AND (?2 IS NULL OR related_user_id IN (SELECT value FROM "                                  \
  "json_each(?2)))" PARLEY_RELATIONSHIP_OPTIONAL_FILTERS                                        \
  " AND (?5 IS NULL OR establishment_date >= ?5)"                                               \
  " AND (?6 IS NULL OR establishment_date < ?6)"
constexpr std::string_view kSearch =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS PARLEY_RELATIONSHIP_SEARCH
    " ORDER BY owner_id, related_user_id LIMIT ?7 OFFSET ?8";
constexpr std::string_view kCount = "SELECT count(*)" PARLEY_RELATIONSHIP_SEARCH;
#undef PARLEY_RELATIONSHIP_SEARCH

#undef PARLEY_RELATIONSHIP_OPTIONAL_FILTERS
#undef PARLEY_RELATIONSHIP_IN_GROUPS
#undef PARLEY_RELATIONSHIP_INSERT
#undef PARLEY_RELATIONSHIP_COLUMNS

void bindRelationship(Statement& stmt, const RelationshipRecord& relationship) {
  stmt.bind(1, relationship.owner_id)
      .bind(2, relationship.related_user_id)
      .bind(3, relationship.block_date)
      .bind(4, relationship.establishment_date)
      .bind(5, relationship.name);
}

// "3,0,7" → {0, 3, 7}; NULL (no membership, which writes never leave) → the default group.
std::vector<int32_t> parseGroupIndexes(std::string_view list) {
  std::vector<int32_t> indexes;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    int32_t index = 0;
    std::from_chars(list.data() + start, list.data() + comma, index);
    indexes.push_back(index);
    start = comma + 1;
  }
  std::sort(indexes.begin(), indexes.end());
  if (indexes.empty()) indexes.push_back(kDefaultRelationshipGroupIndex);
  return indexes;
}

RelationshipRecord readRelationship(const Statement& stmt) {
  RelationshipRecord relationship;
  relationship.owner_id = stmt.columnInt64(0);
  relationship.related_user_id = stmt.columnInt64(1);
  if (!stmt.columnIsNull(2)) relationship.block_date = stmt.columnInt64(2);
  relationship.establishment_date = stmt.columnInt64(3);
  relationship.name = stmt.columnText(4);
  relationship.group_indexes =
      parseGroupIndexes(stmt.columnIsNull(5) ? std::string() : stmt.columnText(5));
  return relationship;
}

Result<std::vector<RelationshipRecord>> readRelationships(Statement& stmt) {
  std::vector<RelationshipRecord> relationships;
  while (true) {
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return relationships;
    relationships.push_back(readRelationship(stmt));
  }
}

// Binds ?1..?6 of kSearch and kCount.
void bindSearch(Statement& stmt, const RelationshipSearch& search) {
  std::optional<int64_t> blocked;
  if (search.blocked) blocked = *search.blocked ? 1 : 0;
  stmt.bind(1, jsonArrayOrNull(search.owner_ids))
      .bind(2, jsonArrayOrNull(search.related_user_ids))
      .bind(3, blocked)
      .bind(4, jsonArrayOrNull(search.group_indexes))
      .bind(5, search.establishment_date.start)
      .bind(6, search.establishment_date.end);
}

// Adds the memberships; returns how many were new.
Result<int64_t> addMembershipsLocked(Database& db, int64_t owner_id, int64_t related_user_id,
                                     const std::vector<int32_t>& group_indexes,
                                     int64_t now_millis) {
  int64_t added = 0;
  for (const int32_t index : group_indexes) {
    Result<Statement> stmt = db.prepare(kAddMembership);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, owner_id).bind(2, related_user_id).bind(3, int64_t{index}).bind(4, now_millis);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    added += db.changes();
  }
  return added;
}

std::vector<int32_t> orDefaultGroup(const std::vector<int32_t>& group_indexes) {
  if (group_indexes.empty()) return {kDefaultRelationshipGroupIndex};
  return group_indexes;
}

}  // namespace

VoidResult SqliteRelationshipRepository::setMembershipsLocked(
    int64_t owner_id, int64_t related_user_id, const std::vector<int32_t>& group_indexes,
    int64_t now_millis) {
  const std::vector<int32_t> wanted = orDefaultGroup(group_indexes);
  Result<Statement> removed = db_.prepare(kDeleteMembershipsNotIn);
  if (!removed.ok()) return removed.status();
  removed->bind(1, owner_id).bind(2, related_user_id).bind(3, jsonArray(wanted));
  if (const VoidResult done = removed->run(); !done.ok()) return done;
  const int64_t removed_count = db_.changes();
  Result<int64_t> added = addMembershipsLocked(db_, owner_id, related_user_id, wanted, now_millis);
  if (!added.ok()) return added.status();
  return moveRelationshipVersionsLocked(
      db_, owner_id, {.relationships = true, .memberships = removed_count + *added > 0},
      now_millis);
}

VoidResult SqliteRelationshipRepository::insert(const RelationshipRecord& relationship,
                                                int64_t now_millis) {
  return write(kInsert, relationship, now_millis);
}

VoidResult SqliteRelationshipRepository::upsert(const RelationshipRecord& relationship,
                                                int64_t now_millis) {
  return write(kUpsert, relationship, now_millis);
}

VoidResult SqliteRelationshipRepository::write(std::string_view sql,
                                               const RelationshipRecord& relationship,
                                               int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db_.prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bindRelationship(*stmt, relationship);
  if (const VoidResult done = stmt->run(); !done.ok()) return done;
  if (const VoidResult set =
          setMembershipsLocked(relationship.owner_id, relationship.related_user_id,
                               relationship.group_indexes, now_millis);
      !set.ok()) {
    return set;
  }
  return transaction->commit();
}

Result<int64_t> SqliteRelationshipRepository::insertMany(
    std::span<const RelationshipRecord> relationships, int64_t now_millis) {
  if (relationships.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t inserted = 0;
  std::set<int64_t> owners;
  for (const RelationshipRecord& relationship : relationships) {
    Result<Statement> stmt = db_.prepare(kInsertIfAbsent);
    if (!stmt.ok()) return stmt.status();
    bindRelationship(*stmt, relationship);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    if (db_.changes() == 0) continue;
    ++inserted;
    owners.insert(relationship.owner_id);
    Result<int64_t> added =
        addMembershipsLocked(db_, relationship.owner_id, relationship.related_user_id,
                             orDefaultGroup(relationship.group_indexes), now_millis);
    if (!added.ok()) return added.status();
  }
  for (const int64_t owner_id : owners) {
    if (const VoidResult moved =
            moveRelationshipVersionsLocked(db_, owner_id, {.memberships = true}, now_millis);
        !moved.ok()) {
      return moved.status();
    }
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return inserted;
}

Result<bool> SqliteRelationshipRepository::remove(int64_t owner_id, int64_t related_user_id,
                                                  int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db_.prepare(kDelete);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  if (db_.changes() == 0) return false;
  Result<Statement> memberships = db_.prepare(kDeleteMemberships);
  if (!memberships.ok()) return memberships.status();
  memberships->bind(1, owner_id).bind(2, related_user_id);
  if (const VoidResult done = memberships->run(); !done.ok()) return done.status();
  if (const VoidResult moved =
          moveRelationshipVersionsLocked(db_, owner_id, {.memberships = true}, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<std::optional<RelationshipRecord>> SqliteRelationshipRepository::find(
    int64_t owner_id, int64_t related_user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFind);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<RelationshipRecord>();
  return std::optional<RelationshipRecord>(readRelationship(*stmt));
}

Result<std::vector<RelationshipRecord>> SqliteRelationshipRepository::query(
    const RelationshipFilter& filter) {
  const std::optional<std::string> related_ids = jsonArrayOrNull(filter.related_user_ids);
  const std::optional<std::string> group_indexes = jsonArrayOrNull(filter.group_indexes);
  std::optional<int64_t> blocked;
  if (filter.blocked) blocked = *filter.blocked ? 1 : 0;

  ReaderPool::Lease reader = readers_.acquire();
  if (!related_ids && filter.blocked == true) {
    Result<Statement> stmt = reader->prepare(kQueryBlocked);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, filter.owner_id).bind(2, group_indexes);
    return readRelationships(*stmt);
  }
  Result<Statement> stmt = reader->prepare(related_ids ? kQueryByIds : kQueryAll);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, filter.owner_id).bind(2, related_ids).bind(3, blocked).bind(4, group_indexes);
  return readRelationships(*stmt);
}

Result<std::vector<RelationshipRecord>> SqliteRelationshipRepository::search(
    const RelationshipSearch& search, int64_t skip, int64_t limit) {
  return readWith(readers_, kSearch, [&](Statement& stmt) {
    bindSearch(stmt, search);
    stmt.bind(7, limit).bind(8, skip);
    return readRelationships(stmt);
  });
}

Result<int64_t> SqliteRelationshipRepository::count(const RelationshipSearch& search) {
  return readInt64(readers_, kCount, [&](Statement& stmt) { bindSearch(stmt, search); });
}

Result<bool> SqliteRelationshipRepository::isBlocked(int64_t owner_id, int64_t related_user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kIsBlocked);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() && stmt->columnInt64(0) != 0;
}

Result<std::optional<bool>> SqliteRelationshipRepository::findBlocked(int64_t owner_id,
                                                                      int64_t related_user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kFindBlocked);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<bool>();
  return std::optional<bool>(stmt->columnInt64(0) != 0);
}

Result<std::optional<int64_t>> SqliteRelationshipRepository::findVersion(int64_t owner_id) {
  return findUserVersion(readers_, owner_id, UserVersionColumn::kRelationships);
}

VoidResult SqliteRelationshipRepository::befriendLocked(Database& db, int64_t owner_id,
                                                        int64_t related_user_id,
                                                        int64_t establishment_date) {
  Result<Statement> stmt = db.prepare(kBefriend);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id).bind(3, establishment_date);
  if (const VoidResult done = stmt->run(); !done.ok()) return done;
  Result<int64_t> added = addMembershipsLocked(
      db, owner_id, related_user_id, {kDefaultRelationshipGroupIndex}, establishment_date);
  if (!added.ok()) return added.status();
  return moveRelationshipVersionsLocked(
      db, owner_id, {.relationships = true, .memberships = *added > 0}, establishment_date);
}

}  // namespace parley::sqlite
