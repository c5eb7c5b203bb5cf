#pragma once
// UserRepository on MongoDB, over the `user` collection (its spec and shard key are in the .cpp,
// next to the queries).
#include <vector>

#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"
#include "store/user_repository.h"

namespace parley::mongo {

class MongoUserRepository final : public UserRepository {
 public:
  // connection must outlive the repository.
  explicit MongoUserRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insert(const UserRecord& user) override;
  Result<int64_t> insertMany(std::span<const UserRecord> users) override;
  Result<std::optional<UserRecord>> findById(int64_t id) override;
  Result<std::vector<UserRecord>> findByIds(std::span<const int64_t> ids) override;
  Result<std::vector<UserRecord>> searchByName(const std::string& prefix,
                                               std::span<const int64_t> within_ids, int skip,
                                               int limit) override;
  Result<std::vector<UserRecord>> list(int64_t after_id, int limit) override;
  Result<int64_t> countActive() override;
  Result<bool> update(int64_t id, const UserUpdate& update) override;
  Result<bool> softDelete(int64_t id, int64_t now_millis) override;

  // True when the collection holds no user document at all, soft-deleted ones included (the
  // store is then empty and demo data may be seeded).
  Result<bool> isEmpty();

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
