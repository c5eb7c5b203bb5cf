#pragma once
// GroupTypeRepository on MongoDB, over upstream's `groupType` collection
// ({_id, n, gsl, is, js, gius, mius, gs, siu, err, me}, the strategies as upstream's ordinals).
#include <vector>

#include "store/group_type_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoGroupTypeRepository final : public GroupTypeRepository {
 public:
  // connection must outlive the repository.
  explicit MongoGroupTypeRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  // Inserts the DEFAULT type unless it is stored, as upstream does on start. Several nodes may
  // start at once: the one whose insert loses gets a duplicate key, which is success. Start-up
  // only; throws std::runtime_error naming the cause.
  void ensureDefaultType();

  VoidResult insert(const GroupTypeRecord& type) override;
  Result<std::optional<GroupTypeRecord>> findById(int64_t id) override;
  Result<std::vector<GroupTypeRecord>> findAll(int64_t skip, int64_t limit) override;
  Result<int64_t> count() override;
  Result<int64_t> update(std::span<const int64_t> ids, const GroupTypeUpdate& update) override;
  Result<int64_t> remove(std::span<const int64_t> ids) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
