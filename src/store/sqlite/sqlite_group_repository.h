#pragma once
// GroupRepository and GroupMemberRepository on SQLite, over the `group_info`, `group_member` and
// `group_member_user_version` tables (schema migration 3, kGroupSchema below).
#include <string_view>

#include "store/group_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// `group` is an SQL keyword, hence `group_info`. Member lists are read by group (the primary
// key) and joined groups by user (group_member_by_user); the per-user version row is what
// QueryJoinedGroupIds compares with the client's last_updated_date, so leaving a group is seen
// even though no remaining row changes. No foreign key from group_member to group_info: MongoDB
// has none either, and the handlers check that the group exists.
inline constexpr std::string_view kGroupSchema = R"sql(
CREATE TABLE group_info (
  id INTEGER PRIMARY KEY,
  type_id INTEGER NOT NULL,
  creator_id INTEGER NOT NULL,
  owner_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  intro TEXT NOT NULL,
  announcement TEXT NOT NULL,
  minimum_score INTEGER NOT NULL,
  mute_end_date INTEGER,
  creation_date INTEGER NOT NULL,
  deletion_date INTEGER,
  last_updated_date INTEGER NOT NULL,
  members_last_updated_date INTEGER NOT NULL,
  is_active INTEGER NOT NULL CHECK (is_active IN (0, 1))
) STRICT;

CREATE TABLE group_member (
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  role INTEGER NOT NULL,
  join_date INTEGER NOT NULL,
  mute_end_date INTEGER,
  PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX group_member_by_user ON group_member (user_id, group_id);

CREATE TABLE group_member_user_version (
  user_id INTEGER PRIMARY KEY,
  joined_groups_last_updated_date INTEGER NOT NULL
) STRICT;
)sql";

class SqliteGroupRepository final : public GroupRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to reader (see
  // SqliteStore); both must outlive the repository.
  SqliteGroupRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const GroupRecord& group) override;
  Result<std::optional<GroupRecord>> findById(int64_t id) override;
  Result<std::vector<GroupRecord>> findByIds(std::span<const int64_t> ids) override;
  Result<bool> update(int64_t id, const GroupUpdate& update) override;
  Result<bool> softDelete(int64_t id, int64_t now_millis) override;
  Result<std::vector<GroupRecord>> search(const GroupSearch& search, int64_t skip,
                                          int64_t limit) override;
  Result<int64_t> count(const GroupSearch& search) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

// Removes user_id from group_id and moves the user's joined-groups version and the group's
// members version, inside the caller's lock and transaction (a block removes a member in the
// same transaction). false, changing nothing, when the user was no member.
Result<bool> removeMemberLocked(Database& db, int64_t group_id, int64_t user_id,
                                int64_t now_millis);

// Adds the members that are not members yet (existing (group, user) pairs are skipped) and moves
// each new member's joined-groups version and their groups' members versions to the join date,
// inside the caller's lock and transaction (accepting an invitation adds the invitee in the same
// transaction). Returns how many were added.
Result<int64_t> insertMembersLocked(Database& db, std::span<const GroupMemberRecord> members);

class SqliteGroupMemberRepository final : public GroupMemberRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to reader (see
  // SqliteStore); both must outlive the repository.
  SqliteGroupMemberRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  Result<int64_t> insertMany(std::span<const GroupMemberRecord> members) override;
  Result<int64_t> remove(int64_t group_id, std::span<const int64_t> user_ids,
                         int64_t now_millis) override;
  Result<int64_t> removeAll(int64_t group_id, int64_t now_millis) override;
  Result<std::optional<GroupMemberRecord>> find(int64_t group_id, int64_t user_id) override;
  Result<std::vector<GroupMemberRecord>> findMembers(int64_t group_id,
                                                     std::span<const int64_t> user_ids) override;
  Result<std::vector<int64_t>> findMemberIds(int64_t group_id) override;
  Result<std::vector<int64_t>> findJoinedGroupIds(int64_t user_id) override;
  Result<std::optional<int64_t>> findJoinedGroupsVersion(int64_t user_id) override;
  Result<bool> updateRole(int64_t group_id, int64_t user_id, int32_t role,
                          int64_t now_millis) override;
  Result<bool> update(int64_t group_id, int64_t user_id, const GroupMemberUpdate& update,
                      int64_t now_millis) override;
  Result<std::vector<GroupMemberRecord>> search(const GroupMemberSearch& search, int64_t skip,
                                                int64_t limit) override;
  Result<int64_t> count(const GroupMemberSearch& search) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
