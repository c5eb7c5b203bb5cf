#pragma once
// UserSettingsRepository on MongoDB, over upstream's `userSettings` collection: one document per
// user, {_id: user id, s: {name: value}, lud: date}. Values are the serialized turms Value (BSON
// binary), as Parley keeps conversation settings; names are safe field names (the configuration
// allows letters, digits, '_' and '-' only).
#include <vector>

#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"
#include "store/user_settings_repository.h"

namespace parley::mongo {

class MongoUserSettingsRepository final : public UserSettingsRepository {
 public:
  // connection must outlive the repository.
  explicit MongoUserSettingsRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  // One conditional upsert: the filter requires the immutable settings named to be absent, so a
  // user's document that has one matches nothing and the upsert's insert fails on the existing
  // _id; only then are the stored names read, to report them.
  Result<std::vector<std::string>> upsert(int64_t user_id,
                                          const std::map<std::string, std::string>& settings,
                                          const std::vector<std::string>& immutable,
                                          int64_t now_millis) override;
  Result<bool> remove(int64_t user_id, const std::vector<std::string>& names,
                      int64_t now_millis) override;
  Result<std::optional<UserSettingsRecord>> find(int64_t user_id) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
