#include "service/user/user_handlers.h"
#include "service/domain_registrar.h"
#include "service/versioned_query.h"
#include "service/visible_status.h"

#include <spdlog/spdlog.h>
#include <algorithm>

#include "core/clock.h"
#include "core/config.h"
#include "core/password_hasher.h"
#include "online/session_registry.h"
#include "service/session_control.h"
#include "service/user/setting_value.h"
#include "service/user/user_info.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream caps a profile query at this many ids per request.
constexpr int kMaxQueriedUsers = 1000;
constexpr size_t kMaxNameLength = 100;
constexpr size_t kMaxIntroLength = 1000;
constexpr size_t kMaxProfilePictureLength = 2048;
constexpr size_t kMinPasswordLength = 1;
constexpr size_t kMaxPasswordLength = 256;

// A search answers this many users when the request sets no limit (Elasticsearch's default
// page, which upstream's search uses).
constexpr int kDefaultSearchLimit = 10;

// Users whose name starts with the request's name (among its user_ids, when it names any),
// ordered by name; a page of skip/limit. Unversioned, as upstream's search.
HandlerResult searchUserProfiles(ServiceDeps& deps, const pb::QueryUserProfilesRequest& req) {
  if (!deps.user.search_by_name) {
    return HandlerResult::failure(StatusCode::kSearchingUserIsDisabled);
  }
  if (req.name().empty()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "name must not be empty");
  }
  const int skip = req.has_skip() ? req.skip() : 0;
  const int limit = req.has_limit() ? req.limit() : kDefaultSearchLimit;
  if (skip < 0 || limit < 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "skip and limit must not be negative");
  }
  if (limit > kMaxQueriedUsers || req.user_ids_size() > kMaxQueriedUsers) {
    return HandlerResult::failure(StatusCode::kRequestedRecordsTooMany,
                                  "At most 1000 users can be queried at once");
  }
  const std::vector<int64_t> ids(req.user_ids().begin(), req.user_ids().end());
  auto users = deps.store.users().searchByName(req.name(), ids, skip, limit);
  if (!users) return HandlerResult::failure(users.status());
  if (users->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  auto attributes = attributesOf(deps, *users);
  if (!attributes.ok()) return HandlerResult::failure(attributes.status());
  TurmsNotification::Data data;
  for (const UserRecord& user : *users) {
    fillUserInfo(*data.mutable_user_infos_with_version()->add_user_infos(), user, *attributes);
  }
  return HandlerResult::withData(std::move(data));
}

HandlerResult queryUserProfiles(ServiceDeps& deps, const RequestContext& ctx,
                                const TurmsRequest& request) {
  const auto& req = request.query_user_profiles_request();
  if (req.has_name()) return searchUserProfiles(deps, req);
  if (req.user_ids_size() == 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "user_ids must not be empty");
  }
  if (req.user_ids_size() > kMaxQueriedUsers) {
    return HandlerResult::failure(StatusCode::kRequestedRecordsTooMany,
                                  "At most 1000 users can be queried at once");
  }
  std::vector<int64_t> ids(req.user_ids().begin(), req.user_ids().end());
  auto users = deps.store.users().findByIds(ids);
  if (!users) return HandlerResult::failure(users.status());
  auto attributes = attributesOf(deps, *users);
  if (!attributes.ok()) return HandlerResult::failure(attributes.status());
  pb::UserInfosWithVersion infos;
  int64_t newest = 0;
  for (const auto& user : *users) {
    if (user.deletion_date) continue;
    newest = std::max(newest, user.last_updated_date);
    fillUserInfo(*infos.add_user_infos(), user, *attributes);
  }
  if (infos.user_infos_size() == 0) return HandlerResult::failure(StatusCode::kNoContent);
  if (isUpToDate(req, newest)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  infos.set_last_updated_date(newest);
  TurmsNotification::Data data;
  *data.mutable_user_infos_with_version() = std::move(infos);
  return HandlerResult::withData(std::move(data));
}

HandlerResult updateUser(ServiceDeps& deps, const RequestContext& ctx,
                         const TurmsRequest& request) {
  const auto& req = request.update_user_request();
  UserUpdate update;
  update.last_updated_date = deps.clock.nowMillis();
  if (req.has_password()) {
    if (req.password().size() < kMinPasswordLength || req.password().size() > kMaxPasswordLength) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "password must be 1 to 256 characters");
    }
    update.password_hash = deps.hasher.hash(req.password());
  }
  if (req.has_name()) {
    if (req.name().size() > kMaxNameLength) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "name is too long");
    }
    update.name = req.name();
  }
  if (req.has_intro()) {
    if (req.intro().size() > kMaxIntroLength) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "intro is too long");
    }
    update.intro = req.intro();
  }
  if (req.has_profile_picture()) {
    if (req.profile_picture().size() > kMaxProfilePictureLength) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "profile_picture is too long");
    }
    update.profile_picture = req.profile_picture();
  }
  if (req.has_profile_access_strategy()) {
    if (!pb::ProfileAccessStrategy_IsValid(req.profile_access_strategy())) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "unknown profile_access_strategy");
    }
    update.profile_access_strategy = req.profile_access_strategy();
  }
  // User-defined attributes: checked like settings (upstream's rules), an immutable one already
  // stored refused before anything is written.
  Result<CheckedValues> attributes =
      checkNamedValues(deps.user.allowed_attributes, deps.user.ignore_unknown_attributes_on_upsert,
                       "attribute", req.user_defined_attributes());
  if (!attributes.ok()) return HandlerResult::failure(attributes.status());
  if (!attributes->immutable.empty()) {
    auto stored = deps.store.userDefinedAttributes().find(ctx.user_id);
    if (!stored.ok()) return HandlerResult::failure(stored.status());
    std::vector<std::string> conflicts;
    for (const std::string& name : attributes->immutable) {
      if (stored.value() && stored.value()->values.contains(name)) conflicts.push_back(name);
    }
    if (!conflicts.empty()) {
      return HandlerResult::failure(
          StatusCode::kIllegalArgument,
          "Cannot update existing immutable attributes: " + listedNames(conflicts));
    }
  }
  auto updated = deps.store.users().update(ctx.user_id, update);
  if (!updated) return HandlerResult::failure(updated.status());
  if (!*updated) return HandlerResult::failure(StatusCode::kUpdateInfoOfNonexistentUser);
  if (!attributes->values.empty()) {
    // Guarded again in the write itself: a concurrent first write of an immutable attribute
    // loses here.
    auto conflicts = deps.store.userDefinedAttributes().upsert(
        ctx.user_id, attributes->values, attributes->immutable, update.last_updated_date);
    if (!conflicts.ok()) return HandlerResult::failure(conflicts.status());
    if (!conflicts->empty()) {
      return HandlerResult::failure(
          StatusCode::kIllegalArgument,
          "Cannot update existing immutable attributes: " + listedNames(*conflicts));
    }
  }
  // The requester's other devices learn about the change (upstream "+self"); the relayed copy
  // never carries the password (see the gateway's relay encoding).
  return HandlerResult::okWithSelfPush();
}

pb::UserOnlineStatus toProto(const UserOnlineInfo& info, bool is_requester,
                             bool respond_offline_if_invisible) {
  pb::UserOnlineStatus status;
  status.set_user_id(info.user_id);
  status.set_user_status(visibleStatus(info, is_requester, respond_offline_if_invisible));
  // Unlike upstream, a user shown OFFLINE shows no devices either: they would give it away.
  if (status.user_status() != pb::OFFLINE) {
    for (const auto& device : info.devices) {
      status.add_device_types(static_cast<pb::DeviceType>(device.device_type));
    }
  }
  return status;
}

HandlerResult queryUserOnlineStatuses(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.query_user_online_statuses_request();
  if (req.user_ids_size() == 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "user_ids must not be empty");
  }
  if (req.user_ids_size() > kMaxQueriedUsers) {
    return HandlerResult::failure(StatusCode::kRequestedRecordsTooMany,
                                  "At most 1000 users can be queried at once");
  }
  std::vector<int64_t> ids(req.user_ids().begin(), req.user_ids().end());
  auto infos = deps.sessions.query(ids);
  if (!infos) return HandlerResult::failure(infos.status());
  TurmsNotification::Data data;
  auto* statuses = data.mutable_user_online_statuses();
  for (const auto& info : *infos) {
    *statuses->add_statuses() =
        toProto(info, info.user_id == ctx.user_id, deps.user.respond_offline_if_invisible);
  }
  return HandlerResult::withData(std::move(data));
}

HandlerResult updateUserOnlineStatus(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.update_user_online_status_request();
  if (!pb::UserStatus_IsValid(req.user_status())) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "unknown user_status");
  }
  if (req.user_status() == pb::OFFLINE) {
    // Going offline closes the named devices (all when none are named), as upstream does.
    std::vector<int32_t> devices(req.device_types().begin(), req.device_types().end());
    deps.session_control.closeUserSessions(ctx.user_id, devices,
                                           /*DISCONNECTED_BY_OTHER_DEVICE*/ 501, StatusCode::kOk,
                                           "Set offline by the user");
    return HandlerResult::ok();
  }
  auto updated = deps.sessions.setStatus(ctx.user_id, req.user_status());
  if (!updated) return HandlerResult::failure(updated.status());
  return HandlerResult::okWithSelfPush();
}

}  // namespace

void registerUserHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kQueryUserProfilesRequest, &queryUserProfiles);
  domain.add(TurmsRequest::kUpdateUserRequest, &updateUser);
  domain.add(TurmsRequest::kQueryUserOnlineStatusesRequest, &queryUserOnlineStatuses);
  domain.add(TurmsRequest::kUpdateUserOnlineStatusRequest, &updateUserOnlineStatus);
}

}  // namespace parley
