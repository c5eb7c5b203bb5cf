#include "service/group/group_blocklist_handlers.h"

#include <optional>
#include <vector>

#include "core/clock.h"
#include "service/domain_registrar.h"
#include "service/group/group_roles.h"
#include "service/user/user_info.h"
#include "service/versioned_query.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

HandlerResult createGroupBlockedUser(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.create_group_blocked_user_request();
  if (req.user_id() == ctx.user_id) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "Cannot block oneself");
  }
  auto requester = roleOf(deps, req.group_id(), ctx.user_id);
  if (!requester.ok()) return HandlerResult::failure(requester.status());
  if (!isOwnerOrManager(*requester)) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToAddBlockedUser);
  }
  auto target = roleOf(deps, req.group_id(), req.user_id());
  if (!target.ok()) return HandlerResult::failure(target.status());
  // Blocking a member removes them, so the removal rule applies: only someone above the target
  // (upstream does not check, and would let a manager remove the owner this way).
  if (*target && **target <= **requester) {
    return HandlerResult::failure(
        StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager,
        "No permission to block the member " + std::to_string(req.user_id()));
  }
  const int64_t now = deps.clock.nowMillis();
  auto blocked =
      deps.store.groupBlocklist().block({req.group_id(), req.user_id(), now, ctx.user_id}, now);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  // Upstream's defaults notify the requester's other sessions only.
  return HandlerResult::okWithSelfPush();
}

HandlerResult deleteGroupBlockedUser(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.delete_group_blocked_user_request();
  auto requester = roleOf(deps, req.group_id(), ctx.user_id);
  if (!requester.ok()) return HandlerResult::failure(requester.status());
  if (!isOwnerOrManager(*requester)) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToRemoveBlockedUser);
  }
  auto unblocked =
      deps.store.groupBlocklist().unblock(req.group_id(), req.user_id(), deps.clock.nowMillis());
  if (!unblocked.ok()) return HandlerResult::failure(unblocked.status());
  if (!*unblocked) return HandlerResult::ok();  // was not blocked: nothing to tell
  return HandlerResult::okWithSelfPush();
}

// The blocked users' ids, or the failure to answer instead (1002 when the client is up to date,
// 1001 when nobody is blocked). Anyone may ask, as upstream.
template <typename Request>
Result<std::vector<int64_t>> blockedIds(ServiceDeps& deps, const Request& req, int64_t* version) {
  auto found_version = groupVersionOf(deps, req.group_id(), [&] {
    return deps.store.groupBlocklist().findVersion(req.group_id());
  });
  if (!found_version.ok()) return found_version.status();
  if (!*found_version || isUpToDate(req, *found_version)) {
    return error(StatusCode::kAlreadyUpToDate);
  }
  *version = **found_version;
  auto blocked = deps.store.groupBlocklist().findBlocked(req.group_id());
  if (!blocked.ok()) return blocked.status();
  if (blocked->empty()) return error(StatusCode::kNoContent);
  std::vector<int64_t> ids;
  for (const GroupBlockedUserRecord& record : *blocked) ids.push_back(record.user_id);
  return ids;
}

HandlerResult queryGroupBlockedUserIds(ServiceDeps& deps, const RequestContext&,
                                       const TurmsRequest& request) {
  int64_t version = 0;
  auto ids = blockedIds(deps, request.query_group_blocked_user_ids_request(), &version);
  if (!ids.ok()) return HandlerResult::failure(ids.status());
  TurmsNotification::Data data;
  auto* longs = data.mutable_longs_with_version();
  for (const int64_t id : *ids) longs->add_longs(id);
  longs->set_last_updated_date(version);
  return HandlerResult::withData(std::move(data));
}

HandlerResult queryGroupBlockedUserInfos(ServiceDeps& deps, const RequestContext&,
                                         const TurmsRequest& request) {
  int64_t version = 0;
  auto ids = blockedIds(deps, request.query_group_blocked_user_infos_request(), &version);
  if (!ids.ok()) return HandlerResult::failure(ids.status());
  auto users = deps.store.users().findByIds(*ids);
  if (!users.ok()) return HandlerResult::failure(users.status());
  auto attributes = attributesOf(deps, *users);
  if (!attributes.ok()) return HandlerResult::failure(attributes.status());
  TurmsNotification::Data data;
  auto* infos = data.mutable_user_infos_with_version();
  for (const UserRecord& user : *users) {
    if (user.deletion_date) continue;
    fillUserInfo(*infos->add_user_infos(), user, *attributes);
  }
  if (infos->user_infos_size() == 0) return HandlerResult::failure(StatusCode::kNoContent);
  infos->set_last_updated_date(version);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerGroupBlocklistHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateGroupBlockedUserRequest, createGroupBlockedUser);
  domain.add(TurmsRequest::kDeleteGroupBlockedUserRequest, deleteGroupBlockedUser);
  domain.add(TurmsRequest::kQueryGroupBlockedUserIdsRequest, queryGroupBlockedUserIds);
  domain.add(TurmsRequest::kQueryGroupBlockedUserInfosRequest, queryGroupBlockedUserInfos);
}

}  // namespace parley
