#pragma once
// Named values a user's clients store under names the configuration allows
// (core/custom_setting.h), kept as serialized turms Value messages: the user's settings (Turms'
// `userSettings`) and the user-defined attributes of the user's profile (Turms' user.uda). Both
// have the same rules and one implementation per store, laid out differently.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

struct UserValuesRecord {
  int64_t user_id = 0;
  std::map<std::string, std::string> values;  // name → serialized Value
  int64_t last_updated_date = 0;

  bool operator==(const UserValuesRecord&) const = default;
};

class UserValuesRepository {
 public:
  virtual ~UserValuesRepository() = default;
  // Stores `values` (a stored value of the same name is replaced) and moves the date, in one
  // step that writes nothing when a name in both `values` and `immutable` is stored already: then
  // the answer lists those names, sorted. Empty when written.
  virtual Result<std::vector<std::string>> upsert(int64_t user_id,
                                                  const std::map<std::string, std::string>& values,
                                                  const std::vector<std::string>& immutable,
                                                  int64_t now_millis) = 0;
  // Removes the named values; true (and the date moved) when one of them was stored.
  virtual Result<bool> remove(int64_t user_id, const std::vector<std::string>& names,
                              int64_t now_millis) = 0;
  // nullopt when the user never stored a value.
  virtual Result<std::optional<UserValuesRecord>> find(int64_t user_id) = 0;
  // The users among `user_ids` that stored values.
  virtual Result<std::vector<UserValuesRecord>> findMany(std::span<const int64_t> user_ids) = 0;
};

}  // namespace parley
