#pragma once
// RelationshipGroupRepository on SQLite, over `user_relationship_group` and the memberships of
// `user_relationship_group_member` (schema migration 12, kRelationshipGroupSchema below).
#include <string_view>

#include "store/relationship_group_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Groups are read by owner (a range of the key). Memberships are keyed (owner, related, group):
// a relationship's groups are one range, read with every relationship; the second index lists a
// group's members for deleting the group. Migration 12 moves each relationship's single
// group_index into a membership and drops that column, and adds the relationship versions to
// user_version.
inline constexpr std::string_view kRelationshipGroupSchema = R"sql(
CREATE TABLE user_relationship_group (
  owner_id INTEGER NOT NULL,
  group_index INTEGER NOT NULL,
  name TEXT NOT NULL,
  creation_date INTEGER NOT NULL,
  PRIMARY KEY (owner_id, group_index)
) STRICT, WITHOUT ROWID;
CREATE TABLE user_relationship_group_member (
  owner_id INTEGER NOT NULL,
  related_user_id INTEGER NOT NULL,
  group_index INTEGER NOT NULL,
  join_date INTEGER NOT NULL,
  PRIMARY KEY (owner_id, related_user_id, group_index)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_relationship_group_member_by_group
  ON user_relationship_group_member (owner_id, group_index);
INSERT INTO user_relationship_group_member (owner_id, related_user_id, group_index, join_date)
  SELECT owner_id, related_user_id, group_index, establishment_date FROM user_relationship;
ALTER TABLE user_relationship DROP COLUMN group_index;
ALTER TABLE user_version ADD COLUMN relationships INTEGER;
ALTER TABLE user_version ADD COLUMN relationship_groups INTEGER;
ALTER TABLE user_version ADD COLUMN relationship_group_members INTEGER;
)sql";

class SqliteRelationshipGroupRepository final : public RelationshipGroupRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteRelationshipGroupRepository(Database& db, ReaderPool& readers)
      : db_(db), readers_(readers) {}

  Result<RelationshipGroupRecord> create(int64_t owner_id, const std::string& name,
                                         int64_t now_millis) override;
  Result<bool> rename(int64_t owner_id, int32_t index, const std::string& name,
                      int64_t now_millis) override;
  Result<std::vector<int64_t>> remove(int64_t owner_id, int32_t index, int32_t target_index,
                                      int64_t now_millis) override;
  Result<std::vector<RelationshipGroupRecord>> findAll(int64_t owner_id) override;
  Result<std::vector<RelationshipGroupRecord>> search(const RelationshipGroupSearch& search,
                                                      int64_t skip, int64_t limit) override;
  Result<int64_t> count(const RelationshipGroupSearch& search) override;
  Result<int64_t> insertMany(std::span<const RelationshipGroupRecord> groups,
                             int64_t now_millis) override;
  Result<std::optional<int64_t>> findVersion(int64_t owner_id) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
