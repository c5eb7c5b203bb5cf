#pragma once
// Users' settings (Turms' `userSettings`): values a user's clients store under names the
// configuration allows (core/custom_setting.h), kept as serialized turms Value messages, and the
// date they last changed, which QueryUserSettingsRequest filters by.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

struct UserSettingsRecord {
  int64_t user_id = 0;
  std::map<std::string, std::string> settings;  // name → serialized Value
  int64_t last_updated_date = 0;

  bool operator==(const UserSettingsRecord&) const = default;
};

class UserSettingsRepository {
 public:
  virtual ~UserSettingsRepository() = default;
  // Stores `settings` (a stored setting of the same name is replaced) and moves the date, in one
  // step that writes nothing when a setting named in both `settings` and `immutable` is stored
  // already: then the answer lists those names, sorted. Empty when written.
  virtual Result<std::vector<std::string>> upsert(
      int64_t user_id, const std::map<std::string, std::string>& settings,
      const std::vector<std::string>& immutable, int64_t now_millis) = 0;
  // Removes the named settings; true (and the date moved) when one of them was stored.
  virtual Result<bool> remove(int64_t user_id, const std::vector<std::string>& names,
                              int64_t now_millis) = 0;
  // nullopt when the user never stored a setting.
  virtual Result<std::optional<UserSettingsRecord>> find(int64_t user_id) = 0;
};

}  // namespace parley
