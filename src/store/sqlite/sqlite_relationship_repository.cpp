#include "store/sqlite/sqlite_relationship_repository.h"

#include <string>

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT and INSERT below (readRelationship/bindRelationship
// depend on it).
#define PARLEY_RELATIONSHIP_COLUMNS \
  "owner_id, related_user_id, block_date, group_index, establishment_date, name"

constexpr std::string_view kInsert = "INSERT INTO user_relationship (" PARLEY_RELATIONSHIP_COLUMNS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kInsertIfAbsent =
    "INSERT INTO user_relationship (" PARLEY_RELATIONSHIP_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (owner_id, related_user_id) DO NOTHING";
constexpr std::string_view kUpsert =
    "INSERT INTO user_relationship (" PARLEY_RELATIONSHIP_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (owner_id, related_user_id) DO UPDATE SET "
    "block_date = excluded.block_date, group_index = excluded.group_index, "
    "establishment_date = excluded.establishment_date, name = excluded.name";
constexpr std::string_view kDelete =
    "DELETE FROM user_relationship WHERE owner_id = ?1 AND related_user_id = ?2";
constexpr std::string_view kFind = "SELECT " PARLEY_RELATIONSHIP_COLUMNS
                                   " FROM user_relationship "
                                   "WHERE owner_id = ?1 AND related_user_id = ?2";
constexpr std::string_view kBefriend =
    "INSERT INTO user_relationship (owner_id, related_user_id, block_date, group_index, "
    "establishment_date, name) VALUES (?1, ?2, NULL, 0, ?3, '') "
    "ON CONFLICT (owner_id, related_user_id) DO UPDATE SET block_date = NULL";
constexpr std::string_view kIsBlocked =
    "SELECT EXISTS (SELECT 1 FROM user_relationship "
    "WHERE owner_id = ?1 AND related_user_id = ?2 AND block_date IS NOT NULL)";

// Queries come in three shapes so that each is one cached statement the planner can serve from
// an index: named related users (a primary-key lookup per id), only blocks (the partial index;
// without statistics the planner would pick the equally keyed primary key and read every
// contact of the owner, so it is named) and everything of an owner (a primary-key range). Optional
// filters are bound as NULL when unset; id lists are passed as JSON arrays. kQueryAll leaves ?2
// unused so that it binds exactly like kQueryByIds.
#define PARLEY_RELATIONSHIP_OPTIONAL_FILTERS           \
  " AND (?3 IS NULL OR (block_date IS NOT NULL) = ?3)" \
  " AND (?4 IS NULL OR group_index IN (SELECT value FROM json_each(?4)))"

constexpr std::string_view kQueryByIds =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS
    " FROM user_relationship WHERE owner_id = ?1 "
    "AND related_user_id IN (SELECT value FROM json_each(?2))" PARLEY_RELATIONSHIP_OPTIONAL_FILTERS
    " ORDER BY related_user_id";
constexpr std::string_view kQueryBlocked =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS
    " FROM user_relationship INDEXED BY user_relationship_blocked "
    "WHERE owner_id = ?1 AND block_date IS NOT NULL "
    "AND (?2 IS NULL OR group_index IN (SELECT value FROM json_each(?2))) "
    "ORDER BY related_user_id";
constexpr std::string_view kQueryAll =
    "SELECT " PARLEY_RELATIONSHIP_COLUMNS
    " FROM user_relationship WHERE owner_id = ?1" PARLEY_RELATIONSHIP_OPTIONAL_FILTERS
    " ORDER BY related_user_id";

#undef PARLEY_RELATIONSHIP_OPTIONAL_FILTERS
#undef PARLEY_RELATIONSHIP_COLUMNS

void bindRelationship(Statement& stmt, const RelationshipRecord& relationship) {
  stmt.bind(1, relationship.owner_id)
      .bind(2, relationship.related_user_id)
      .bind(3, relationship.block_date)
      .bind(4, int64_t{relationship.group_index})
      .bind(5, relationship.establishment_date)
      .bind(6, relationship.name);
}

RelationshipRecord readRelationship(const Statement& stmt) {
  RelationshipRecord relationship;
  relationship.owner_id = stmt.columnInt64(0);
  relationship.related_user_id = stmt.columnInt64(1);
  if (!stmt.columnIsNull(2)) relationship.block_date = stmt.columnInt64(2);
  relationship.group_index = static_cast<int32_t>(stmt.columnInt64(3));
  relationship.establishment_date = stmt.columnInt64(4);
  relationship.name = stmt.columnText(5);
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

// NULL (no filter) for an empty list, else a JSON array for json_each().
template <typename Int>
std::optional<std::string> jsonArrayOrNull(const std::vector<Int>& values) {
  if (values.empty()) return std::nullopt;
  return jsonArray(values);
}

}  // namespace

VoidResult SqliteRelationshipRepository::insert(const RelationshipRecord& relationship) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kInsert);
  if (!stmt.ok()) return stmt.status();
  bindRelationship(*stmt, relationship);
  return stmt->run();
}

VoidResult SqliteRelationshipRepository::upsert(const RelationshipRecord& relationship) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kUpsert);
  if (!stmt.ok()) return stmt.status();
  bindRelationship(*stmt, relationship);
  return stmt->run();
}

Result<int64_t> SqliteRelationshipRepository::insertMany(
    std::span<const RelationshipRecord> relationships) {
  if (relationships.empty()) return int64_t{0};
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  int64_t inserted = 0;
  for (const RelationshipRecord& relationship : relationships) {
    Result<Statement> stmt = db_.prepare(kInsertIfAbsent);
    if (!stmt.ok()) return stmt.status();
    bindRelationship(*stmt, relationship);
    if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
    inserted += db_.changes();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return inserted;
}

Result<bool> SqliteRelationshipRepository::remove(int64_t owner_id, int64_t related_user_id) {
  auto lock = db_.lock();
  Result<Statement> stmt = db_.prepare(kDelete);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id);
  if (const VoidResult done = stmt->run(); !done.ok()) return done.status();
  return db_.changes() > 0;
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

Result<bool> SqliteRelationshipRepository::isBlocked(int64_t owner_id, int64_t related_user_id) {
  ReaderPool::Lease reader = readers_.acquire();
  Result<Statement> stmt = reader->prepare(kIsBlocked);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() && stmt->columnInt64(0) != 0;
}

VoidResult SqliteRelationshipRepository::befriendLocked(Database& db, int64_t owner_id,
                                                        int64_t related_user_id,
                                                        int64_t establishment_date) {
  Result<Statement> stmt = db.prepare(kBefriend);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, owner_id).bind(2, related_user_id).bind(3, establishment_date);
  return stmt->run();
}

}  // namespace parley::sqlite
