#include "service/user/nearby_user_handlers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "core/config.h"
#include "online/session_registry.h"
#include "online/user_locations.h"
#include "service/domain_registrar.h"
#include "service/user/user_info.h"
#include "service/visible_status.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

HandlerResult disabled() {
  return HandlerResult::failure(StatusCode::kUserLocationRelatedFeaturesAreDisabled,
                                "User locations are disabled (location.enabled)");
}

LocationSession sessionOf(const RequestContext& ctx) {
  return {ctx.user_id, ctx.device_type, ctx.login_date};
}

// The request's value, or the default when it has none; 1102 beyond [1, max].
Result<int> boundedOrDefault(bool has_value, int value, int default_value, int max,
                             const char* name) {
  if (!has_value) return std::min(default_value, max);
  if (value < 1 || value > max) {
    return error(StatusCode::kIllegalArgument,
                 std::string(name) + " must be between 1 and " + std::to_string(max));
  }
  return value;
}

HandlerResult updateUserLocation(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  if (!deps.location.enabled) return disabled();
  const auto& req = request.update_user_location_request();
  // Upstream keeps no timestamp or details either.
  auto stored = deps.locations.upsert(sessionOf(ctx), {req.longitude(), req.latitude()});
  if (!stored.ok()) return HandlerResult::failure(stored.status());
  return HandlerResult::ok();
}

// Of the found entries, those whose users others may see online, in the same order; entries of
// users who are offline are taken out of the index on the way (their node died, or a removal
// was lost). A user whose entries Redis may be writing back right now counts as online.
std::vector<LocatedUser> keepOnline(ServiceDeps& deps, std::vector<LocatedUser> found) {
  std::vector<int64_t> ids;
  for (const LocatedUser& located : found) ids.push_back(located.user_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto infos = deps.sessions.query(ids);
  if (!infos.ok()) {
    // Presence is unknown: answer what the index holds rather than nothing.
    spdlog::warn("nearby users: online statuses unavailable: {}", infos.status().reason);
    return found;
  }
  std::unordered_map<int64_t, const UserOnlineInfo*> by_user;
  for (const UserOnlineInfo& info : *infos) by_user[info.user_id] = &info;
  std::vector<LocatedUser> online;
  std::vector<LocatedUser> stale;
  for (LocatedUser& located : found) {
    const auto info = by_user.find(located.user_id);
    const bool offline = info == by_user.end() ||
                         (info->second->devices.empty() && !info->second->may_be_incomplete);
    if (offline) {
      stale.push_back(std::move(located));
    } else if (visibleStatus(*info->second, false, deps.user.respond_offline_if_invisible) !=
               pb::OFFLINE) {
      online.push_back(std::move(located));
    }
  }
  if (!stale.empty()) {
    if (auto removed = deps.locations.removeStale(stale); !removed.ok()) {
      spdlog::debug("nearby users: could not remove {} stale locations: {}", stale.size(),
                    removed.status().reason);
    }
  }
  return online;
}

HandlerResult queryNearbyUsers(ServiceDeps& deps, const RequestContext& ctx,
                               const TurmsRequest& request) {
  const LocationConfig& config = deps.location;
  if (!config.enabled) return disabled();
  const auto& req = request.query_nearby_users_request();
  const auto count =
      boundedOrDefault(req.has_max_count(), req.max_count(), config.default_max_nearby_user_count,
                       config.max_nearby_user_count, "max_count");
  if (!count.ok()) return HandlerResult::failure(count.status());
  const auto distance = boundedOrDefault(req.has_max_distance(), req.max_distance(),
                                         config.default_max_distance_meters,
                                         config.max_distance_meters, "max_distance");
  if (!distance.ok()) return HandlerResult::failure(distance.status());
  // As upstream: the requester's position is stored first, then searched around.
  const GeoPosition position{req.longitude(), req.latitude()};
  auto stored = deps.locations.upsert(sessionOf(ctx), position);
  if (!stored.ok()) return HandlerResult::failure(stored.status());
  // One more than asked for: the requester is among the nearest and is left out.
  auto found = deps.locations.search(position, *distance, *count + 1);
  if (!found.ok()) return HandlerResult::failure(found.status());
  const bool per_device = config.treat_user_id_and_device_type_as_unique_user;
  std::erase_if(*found, [&](const LocatedUser& located) {
    return located.user_id == ctx.user_id &&
           (!per_device || located.device_type == std::optional<DeviceType>(ctx.device_type));
  });
  std::vector<LocatedUser> nearby = keepOnline(deps, std::move(*found));
  if (nearby.size() > static_cast<size_t>(*count)) nearby.resize(static_cast<size_t>(*count));

  std::unordered_map<int64_t, UserRecord> profiles;
  UserAttributes attributes;
  if (req.with_user_info() && !nearby.empty()) {
    std::vector<int64_t> ids;
    for (const LocatedUser& located : nearby) ids.push_back(located.user_id);
    auto users = deps.store.users().findByIds(ids);
    if (!users.ok()) return HandlerResult::failure(users.status());
    auto found_attributes = attributesOf(deps, *users);
    if (!found_attributes.ok()) return HandlerResult::failure(found_attributes.status());
    attributes = std::move(*found_attributes);
    for (UserRecord& user : *users) {
      if (!user.deletion_date) profiles.emplace(user.id, std::move(user));
    }
  }
  pb::NearbyUsers answer;
  for (const LocatedUser& located : nearby) {
    const UserRecord* profile = nullptr;
    if (req.with_user_info()) {
      const auto it = profiles.find(located.user_id);
      if (it == profiles.end()) continue;  // upstream answers only users with a profile
      profile = &it->second;
    }
    auto* user = answer.add_nearby_users();
    user->set_user_id(located.user_id);
    if (located.device_type) {
      user->set_device_type(static_cast<pb::DeviceType>(*located.device_type));
    }
    if (req.with_coordinates()) {
      user->mutable_location()->set_longitude(static_cast<float>(located.position.longitude));
      user->mutable_location()->set_latitude(static_cast<float>(located.position.latitude));
    }
    // Whole meters, truncated as upstream's Double.intValue().
    if (req.with_distance()) user->set_distance(static_cast<int32_t>(located.distance_meters));
    if (profile) fillUserInfo(*user->mutable_info(), *profile, attributes);
  }
  if (answer.nearby_users_size() == 0) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  *data.mutable_nearby_users() = std::move(answer);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerNearbyUserHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kUpdateUserLocationRequest, updateUserLocation);
  domain.add(TurmsRequest::kQueryNearbyUsersRequest, queryNearbyUsers);
}

}  // namespace parley
