#pragma once
// RelationshipRepository on MongoDB, over the `userRelationship` collection (its spec and shard
// key are in the .cpp, next to the queries).
#include <vector>

#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"
#include "store/relationship_repository.h"

namespace parley::mongo {

class MongoRelationshipRepository final : public RelationshipRepository {
 public:
  // connection must outlive the repository.
  explicit MongoRelationshipRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  // One side of a friendship (accepting a friend request), idempotent: an existing relationship
  // is unblocked and keeps its name, group and establishment date; a missing one is created in
  // the default group. Static: the friend-request repository writes it as part of its accept.
  static VoidResult befriend(const Connection& connection, int64_t owner_id,
                             int64_t related_user_id, int64_t establishment_date);

  VoidResult insert(const RelationshipRecord& relationship) override;
  VoidResult upsert(const RelationshipRecord& relationship) override;
  Result<int64_t> insertMany(std::span<const RelationshipRecord> relationships) override;
  Result<bool> remove(int64_t owner_id, int64_t related_user_id) override;
  Result<std::optional<RelationshipRecord>> find(int64_t owner_id,
                                                 int64_t related_user_id) override;
  Result<std::vector<RelationshipRecord>> query(const RelationshipFilter& filter) override;
  Result<bool> isBlocked(int64_t owner_id, int64_t related_user_id) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
