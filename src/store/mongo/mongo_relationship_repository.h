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
  // is unblocked and keeps its name, groups and establishment date; either way it is (also) in
  // the default group, as upstream. Static: the friend-request repository writes it as part of
  // its accept.
  static VoidResult befriend(const Connection& connection, int64_t owner_id,
                             int64_t related_user_id, int64_t establishment_date);

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

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
