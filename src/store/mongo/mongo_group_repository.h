#pragma once
// GroupRepository and GroupMemberRepository on MongoDB, over the `group`, `groupMember` and
// `userVersion` collections (their specs and shard keys are in the .cpp, next to the queries).
#include <vector>

#include "store/group_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoGroupRepository final : public GroupRepository {
 public:
  // connection must outlive the repository.
  explicit MongoGroupRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insert(const GroupRecord& group) override;
  Result<std::optional<GroupRecord>> findById(int64_t id) override;
  Result<std::vector<GroupRecord>> findByIds(std::span<const int64_t> ids) override;
  Result<bool> update(int64_t id, const GroupUpdate& update) override;
  Result<bool> softDelete(int64_t id, int64_t now_millis) override;
  Result<std::vector<GroupRecord>> search(const GroupSearch& search, int64_t skip,
                                          int64_t limit) override;
  Result<int64_t> count(const GroupSearch& search) override;

 private:
  const Connection& connection_;
};

// Upstream's key {gid, uid} of a group's member (and of a user blocked from a group) under key.
void appendMemberId(bson_t* doc, const char* key, int64_t group_id, int64_t user_id);

// The group's other sync versions, fields of its document beside the members version (`mlud`),
// as the SQLite store keeps them beside it in group_info. Parley's names: upstream keeps these
// dates in a groupVersion collection.
inline constexpr const char* kGroupBlocklistVersion = "blud";
inline constexpr const char* kGroupInvitationsVersion = "ilud";
inline constexpr const char* kGroupJoinRequestsVersion = "jlud";
inline constexpr const char* kGroupJoinQuestionsVersion = "qlud";

// Moves one of the group's versions forward as the members version moves (a group that does not
// exist has none), and reads it back; empty when it never moved.
VoidResult bumpGroupVersion(const Connection& connection, int64_t group_id, const char* field,
                            int64_t now_millis);
Result<std::optional<int64_t>> findGroupVersion(const Connection& connection, int64_t group_id,
                                                const char* field);

class MongoGroupMemberRepository final : public GroupMemberRepository {
 public:
  // connection must outlive the repository.
  explicit MongoGroupMemberRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

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
  const Connection& connection_;
};

}  // namespace parley::mongo
