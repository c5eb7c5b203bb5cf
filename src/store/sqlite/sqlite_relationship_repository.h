#pragma once
// RelationshipRepository on SQLite, over the `user_relationship` table (schema migration 4) and
// `user_relationship_group_member` (migration 12, sqlite_relationship_group_repository.h).
#include <string_view>

#include "store/relationship_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// One row per one-sided relationship. WITHOUT ROWID: the (owner, related) key is the only way
// rows are reached, so the table itself is the owner-ordered index and every lookup by owner
// (queries, isBlocked, find) is a range of it. The partial index lists only blocks, so "whom did
// this user block" reads exactly those rows however many contacts the owner has. Migration 12
// drops group_index: memberships moved to a table of their own.
inline constexpr std::string_view kRelationshipSchema = R"sql(
CREATE TABLE user_relationship (
  owner_id INTEGER NOT NULL,
  related_user_id INTEGER NOT NULL,
  block_date INTEGER,
  group_index INTEGER NOT NULL,
  establishment_date INTEGER NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (owner_id, related_user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_relationship_blocked ON user_relationship (owner_id, related_user_id)
  WHERE block_date IS NOT NULL;
)sql";

class SqliteRelationshipRepository final : public RelationshipRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to reader (see
  // SqliteStore); both must outlive the repository.
  SqliteRelationshipRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const RelationshipRecord& relationship, int64_t now_millis) override;
  VoidResult upsert(const RelationshipRecord& relationship, int64_t now_millis) override;
  Result<int64_t> insertMany(std::span<const RelationshipRecord> relationships,
                             int64_t now_millis) override;
  Result<bool> remove(int64_t owner_id, int64_t related_user_id, int64_t now_millis) override;
  Result<std::optional<RelationshipRecord>> find(int64_t owner_id,
                                                 int64_t related_user_id) override;
  Result<std::vector<RelationshipRecord>> query(const RelationshipFilter& filter) override;
  Result<std::vector<RelationshipRecord>> search(const RelationshipSearch& search, int64_t skip,
                                                 int64_t limit) override;
  Result<int64_t> count(const RelationshipSearch& search) override;
  Result<bool> isBlocked(int64_t owner_id, int64_t related_user_id) override;
  Result<std::optional<bool>> findBlocked(int64_t owner_id, int64_t related_user_id) override;
  Result<std::optional<int64_t>> findVersion(int64_t owner_id) override;

  // One side of a friendship (accepting a friend request): a missing relationship is created, an
  // existing one is unblocked and keeps the rest; either way it is (also) in the default group, as
  // upstream. Runs on db inside the caller's transaction, with db's lock held, so that the accept
  // commits as one.
  static VoidResult befriendLocked(Database& db, int64_t owner_id, int64_t related_user_id,
                                   int64_t establishment_date);

 private:
  // One transaction: `sql` (kInsert or kUpsert) on the record, then its memberships.
  VoidResult write(std::string_view sql, const RelationshipRecord& relationship,
                   int64_t now_millis);
  // Inside the caller's transaction: makes (owner, related)'s memberships exactly
  // group_indexes (empty = the default group) and moves the owner's versions.
  VoidResult setMembershipsLocked(int64_t owner_id, int64_t related_user_id,
                                  const std::vector<int32_t>& group_indexes, int64_t now_millis);

  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
