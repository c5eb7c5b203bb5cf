#pragma once
// UserValuesRepository on MongoDB: the values are a sub-document of one document per user,
// {_id: user id, <field>: {name: value}, lud: date}. Settings: upstream's `userSettings`
// collection (field `s`, created by the first write); user-defined attributes: the user's own
// document (field `uda`, upstream's; the user must exist). Values are the serialized turms Value
// (BSON binary), as Parley keeps conversation settings; names are safe field names (the
// configuration allows letters, digits, '_' and '-' only).
#include <vector>

#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"
#include "store/user_values_repository.h"

namespace parley::mongo {

struct UserValuesLayout {
  const char* collection;
  const char* field;
  bool create_document;  // false: the document must exist (a write to a missing one fails)
};
inline constexpr UserValuesLayout kUserSettingsLayout{"userSettings", "s", true};
inline constexpr UserValuesLayout kUserDefinedAttributesLayout{"user", "uda", false};

class MongoUserValuesRepository final : public UserValuesRepository {
 public:
  // connection must outlive the repository.
  MongoUserValuesRepository(const Connection& connection, UserValuesLayout layout)
      : connection_(connection), layout_(layout) {}

  // userSettings' (the user collection is the user repository's).
  static const std::vector<CollectionSpec>& collections();

  // One conditional write: the filter requires the immutable names given to be absent, so a
  // document that has one matches nothing (and the upsert's insert fails on the existing _id);
  // only then are the stored names read, to report them.
  Result<std::vector<std::string>> upsert(int64_t user_id,
                                          const std::map<std::string, std::string>& values,
                                          const std::vector<std::string>& immutable,
                                          int64_t now_millis) override;
  Result<bool> remove(int64_t user_id, const std::vector<std::string>& names,
                      int64_t now_millis) override;
  Result<std::optional<UserValuesRecord>> find(int64_t user_id) override;
  Result<std::vector<UserValuesRecord>> findMany(std::span<const int64_t> user_ids) override;

 private:
  std::string pathOf(const std::string& name) const;

  const Connection& connection_;
  UserValuesLayout layout_;
};

}  // namespace parley::mongo
