#include "service/relationship/relationship_group_handlers.h"

#include "core/clock.h"
#include "service/domain_registrar.h"
#include "service/versioned_query.h"
#include "store/store.h"

namespace parley {
namespace {

// Answers the new group's index (upstream: data.long), pushed to nobody, as upstream.
HandlerResult createRelationshipGroup(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.create_relationship_group_request();
  auto group =
      deps.store.relationshipGroups().create(ctx.user_id, req.name(), deps.clock.nowMillis());
  if (!group) return HandlerResult::failure(group.status());
  return HandlerResult::withLong(group->index);
}

// The members move to target_group_index (the default group when unset), and the relayed copy
// names the target, as upstream. Deleting a group that does not exist, or into itself, changes
// nothing and is OK.
HandlerResult deleteRelationshipGroup(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.delete_relationship_group_request();
  if (req.group_index() == kDefaultRelationshipGroupIndex) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The default relationship group cannot be deleted");
  }
  const int32_t target =
      req.has_target_group_index() ? req.target_group_index() : kDefaultRelationshipGroupIndex;
  if (target != req.group_index()) {
    auto moved = deps.store.relationshipGroups().remove(ctx.user_id, req.group_index(), target,
                                                        deps.clock.nowMillis());
    if (!moved) return HandlerResult::failure(moved.status());
  }
  TurmsRequest relayed = request;
  relayed.mutable_delete_relationship_group_request()->set_target_group_index(target);
  return HandlerResult::okWithSelfPush(std::move(relayed));
}

HandlerResult queryRelationshipGroups(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.query_relationship_groups_request();
  RelationshipGroupRepository& groups = deps.store.relationshipGroups();
  auto version = groups.findVersion(ctx.user_id);
  if (!version) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  auto found = groups.findAll(ctx.user_id);
  if (!found) return HandlerResult::failure(found.status());
  TurmsNotification::Data data;
  auto* answer = data.mutable_user_relationship_groups_with_version();
  for (const RelationshipGroupRecord& group : *found) {
    auto* proto = answer->add_user_relationship_groups();
    proto->set_index(group.index);
    proto->set_name(group.name);
  }
  if (*version) answer->set_last_updated_date(**version);
  return HandlerResult::withData(std::move(data));
}

// A rename that changes nothing (no such group, or the same name) is OK without a push.
HandlerResult updateRelationshipGroup(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.update_relationship_group_request();
  auto renamed = deps.store.relationshipGroups().rename(ctx.user_id, req.group_index(),
                                                        req.new_name(), deps.clock.nowMillis());
  if (!renamed) return HandlerResult::failure(renamed.status());
  return *renamed ? HandlerResult::okWithSelfPush() : HandlerResult::ok();
}

}  // namespace

void registerRelationshipGroupHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateRelationshipGroupRequest, &createRelationshipGroup);
  domain.add(TurmsRequest::kDeleteRelationshipGroupRequest, &deleteRelationshipGroup);
  domain.add(TurmsRequest::kQueryRelationshipGroupsRequest, &queryRelationshipGroups);
  domain.add(TurmsRequest::kUpdateRelationshipGroupRequest, &updateRelationshipGroup);
}

}  // namespace parley
