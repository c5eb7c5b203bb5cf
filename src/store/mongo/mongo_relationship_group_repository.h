#pragma once
// RelationshipGroupRepository on MongoDB, over upstream's `userRelationshipGroup` collection
// ({_id: {oid, gidx}, n, cd}) and the memberships of mongo_relationship_group_members.h.
#include <vector>

#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"
#include "store/relationship_group_repository.h"

namespace parley::mongo {

class MongoRelationshipGroupRepository final : public RelationshipGroupRepository {
 public:
  // connection must outlive the repository.
  explicit MongoRelationshipGroupRepository(const Connection& connection)
      : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  Result<RelationshipGroupRecord> create(int64_t owner_id, const std::string& name,
                                         int64_t now_millis) override;
  Result<bool> rename(int64_t owner_id, int32_t index, const std::string& name,
                      int64_t now_millis) override;
  // Members are moved before the group is deleted: stopped in between, a member is in both
  // groups, and deleting the group again finishes the move.
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
  const Connection& connection_;
};

}  // namespace parley::mongo
