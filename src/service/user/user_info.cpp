#include "service/user/user_info.h"

#include "core/config.h"
#include "service/stored_values.h"
#include "store/store.h"
#include "store/user_values_repository.h"

namespace parley {

namespace pb = im::turms::proto;

Result<UserAttributes> attributesOf(ServiceDeps& deps, const std::vector<UserRecord>& users) {
  UserAttributes by_user;
  if (deps.user.allowed_attributes.empty()) return by_user;  // none can be stored
  std::vector<int64_t> ids;
  for (const UserRecord& user : users) ids.push_back(user.id);
  auto stored = deps.store.userDefinedAttributes().findMany(ids);
  if (!stored.ok()) return stored.status();
  const auto& allowed = deps.user.allowed_attributes;
  for (const UserValuesRecord& record : *stored) {
    by_user[record.user_id] = parseStoredValues(
        record.values,
        [&](const std::string& name) { return findCustomSetting(allowed, name) != nullptr; },
        "user " + std::to_string(record.user_id));
  }
  return by_user;
}

void fillUserInfo(pb::UserInfo& info, const UserRecord& user, const UserAttributes& attributes) {
  info.set_id(user.id);
  info.set_name(user.name);
  info.set_intro(user.intro);
  info.set_profile_picture(user.profile_picture);
  info.set_profile_access_strategy(
      static_cast<pb::ProfileAccessStrategy>(user.profile_access_strategy));
  info.set_registration_date(user.registration_date);
  info.set_last_updated_date(user.last_updated_date);
  info.set_active(user.is_active);
  if (auto found = attributes.find(user.id); found != attributes.end()) {
    *info.mutable_user_defined_attributes() = found->second;
  }
}

}  // namespace parley
