#pragma once
// AdminAccountRepository on MongoDB, over upstream's `admin` collection
// ({_id, ln, pw, n, rid, rd}: login name, password, display name, role ids, registration date).
// The password is Parley's self-describing hash (core/password_hasher.h) in upstream's binary
// field; rid holds the account's one role.
#include <vector>

#include "store/admin_account_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoAdminAccountRepository final : public AdminAccountRepository {
 public:
  // connection must outlive the repository.
  explicit MongoAdminAccountRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insert(const AdminAccount& account) override;
  Result<std::optional<AdminAccount>> findByLoginName(std::string_view login_name) override;
  Result<std::vector<AdminAccount>> findAll(int64_t skip, int64_t limit) override;
  Result<int64_t> count() override;
  Result<int64_t> update(std::span<const std::string> login_names,
                         const AdminAccountUpdate& update) override;
  Result<int64_t> remove(std::span<const std::string> login_names) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
