#include "service/user/user_settings_handlers.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "service/domain_registrar.h"
#include "service/stored_values.h"
#include "service/user/setting_value.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Unknown names are refused, or skipped when user.settings.ignore-unknown-on-upsert is set;
// every value is checked against its setting; an immutable setting already stored is refused.
// Nothing is written unless everything passes.
HandlerResult updateUserSettings(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.update_user_settings_request();
  Result<CheckedValues> checked =
      checkNamedValues(deps.user.allowed_settings, deps.user.ignore_unknown_settings_on_upsert,
                       "setting", req.settings());
  if (!checked.ok()) return HandlerResult::failure(checked.status());
  if (checked->values.empty()) return HandlerResult::ok();
  auto conflicts = deps.store.userSettings().upsert(ctx.user_id, checked->values,
                                                    checked->immutable, deps.clock.nowMillis());
  if (!conflicts.ok()) return HandlerResult::failure(conflicts.status());
  if (!conflicts->empty()) {
    return HandlerResult::failure(
        StatusCode::kIllegalArgument,
        "Cannot update existing immutable settings: " + listedNames(*conflicts));
  }
  return HandlerResult::okWithSelfPush();
}

// No names: every deletable setting. Named: unknown names are refused (or skipped with
// user.settings.ignore-unknown-on-delete), non-deletable ones always refused.
HandlerResult deleteUserSettings(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.delete_user_settings_request();
  const UserConfig& config = deps.user;
  std::vector<std::string> names;
  if (req.names().empty()) {
    for (const CustomSetting& setting : config.allowed_settings) {
      if (setting.deletable) names.push_back(setting.name);
    }
  } else {
    std::vector<std::string> unknown;
    std::vector<std::string> not_deletable;
    for (const std::string& name : req.names()) {
      const CustomSetting* setting = findCustomSetting(config.allowed_settings, name);
      if (setting == nullptr) {
        unknown.push_back(name);
      } else if (!setting->deletable) {
        not_deletable.push_back(name);
      } else {
        names.push_back(name);
      }
    }
    if (config.ignore_unknown_settings_on_delete) unknown.clear();
    if (!unknown.empty()) {
      std::string reason = "Cannot delete unknown settings: " + listedNames(unknown);
      if (!not_deletable.empty()) {
        reason += ", and the non-deletable settings: " + listedNames(not_deletable);
      }
      return HandlerResult::failure(StatusCode::kIllegalArgument, reason);
    }
    if (!not_deletable.empty()) {
      return HandlerResult::failure(
          StatusCode::kIllegalArgument,
          "Cannot delete the non-deletable settings: " + listedNames(not_deletable));
    }
  }
  if (names.empty()) return HandlerResult::ok();
  auto removed = deps.store.userSettings().remove(ctx.user_id, names, deps.clock.nowMillis());
  if (!removed.ok()) return HandlerResult::failure(removed.status());
  // Upstream tells the other sessions only when something was deleted.
  return *removed ? HandlerResult::okWithSelfPush() : HandlerResult::ok();
}

// NO_CONTENT when the user has no settings, or none changed since last_updated_date_start.
HandlerResult queryUserSettings(ServiceDeps& deps, const RequestContext& ctx,
                                const TurmsRequest& request) {
  const auto& req = request.query_user_settings_request();
  auto stored = deps.store.userSettings().find(ctx.user_id);
  if (!stored.ok()) return HandlerResult::failure(stored.status());
  if (!stored.value() || (req.has_last_updated_date_start() &&
                          stored.value()->last_updated_date < req.last_updated_date_start())) {
    return HandlerResult::failure(StatusCode::kNoContent);
  }
  TurmsNotification::Data data;
  auto* settings = data.mutable_user_settings();
  *settings->mutable_settings() = parseStoredValues(
      stored.value()->values,
      [&](const std::string& name) {
        return req.names_size() == 0 ||
               std::find(req.names().begin(), req.names().end(), name) != req.names().end();
      },
      "user " + std::to_string(ctx.user_id));
  settings->set_last_updated_date(stored.value()->last_updated_date);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerUserSettingsHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kUpdateUserSettingsRequest, &updateUserSettings);
  domain.add(TurmsRequest::kDeleteUserSettingsRequest, &deleteUserSettings);
  domain.add(TurmsRequest::kQueryUserSettingsRequest, &queryUserSettings);
}

}  // namespace parley
