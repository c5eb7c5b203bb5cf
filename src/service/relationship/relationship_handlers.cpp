#include "service/relationship/relationship_handlers.h"
#include "service/domain_registrar.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace parley {
namespace {

// Every user has this relationship group; the others are created by requests not served yet.
constexpr int32_t kDefaultRelationshipGroupIndex = 0;

// The requester's other sessions learn about the change (upstream's default for every
// relationship change: "+self", the related user is not told).
HandlerResult okWithSelfPush(std::optional<TurmsRequest> relayed = std::nullopt) {
  HandlerResult result;
  result.pushes.push_back(RelayPush{{}, true, std::move(relayed)});
  return result;
}

// A relationship with a user needs that user to exist; oneself is never a relationship
// (upstream validates owner != related user with ILLEGAL_ARGUMENT).
std::optional<HandlerResult> checkRelatedUser(ServiceDeps& deps, const RequestContext& ctx,
                                              int64_t related_user_id) {
  if (related_user_id == ctx.user_id) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "A user cannot have a relationship with oneself");
  }
  auto user = deps.store.users().findById(related_user_id);
  if (!user) return HandlerResult::failure(user.status());
  if (!*user || (*user)->deletion_date) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "The related user does not exist");
  }
  return std::nullopt;
}

// The version a client keeps for later requests: the newest change among the records it got.
// Deletions leave no record, so a request's last_updated_date is never answered with
// ALREADY_UP_TO_DATE: every query returns the current state.
int64_t newestChange(const std::vector<RelationshipRecord>& relationships) {
  int64_t newest = 0;
  for (const RelationshipRecord& relationship : relationships) {
    newest =
        std::max({newest, relationship.establishment_date, relationship.block_date.value_or(0)});
  }
  return newest;
}

HandlerResult createRelationship(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.create_relationship_request();
  if (auto refused = checkRelatedUser(deps, ctx, req.user_id())) return *refused;
  const int64_t now = deps.clock.nowMillis();
  RelationshipRecord relationship;
  relationship.owner_id = ctx.user_id;
  relationship.related_user_id = req.user_id();
  if (req.blocked()) relationship.block_date = now;
  relationship.group_index =
      req.has_group_index() ? req.group_index() : kDefaultRelationshipGroupIndex;
  relationship.establishment_date = now;
  relationship.name = req.name();
  if (const VoidResult inserted = deps.store.relationships().insert(relationship); !inserted) {
    if (inserted.status().code == StatusCode::kRecordContainsDuplicateKey) {
      return HandlerResult::failure(StatusCode::kCreateExistingRelationship);
    }
    return HandlerResult::failure(inserted.status());
  }
  // As upstream, the relayed copy names the group the user landed in.
  TurmsRequest relayed = request;
  relayed.mutable_create_relationship_request()->set_group_index(relationship.group_index);
  return okWithSelfPush(std::move(relayed));
}

HandlerResult deleteRelationship(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.delete_relationship_request();
  if (req.has_group_index()) {
    // A relationship sits in exactly one group here: removing it from another group changes
    // nothing.
    auto existing = deps.store.relationships().find(ctx.user_id, req.user_id());
    if (!existing) return HandlerResult::failure(existing.status());
    if (*existing && (*existing)->group_index != req.group_index()) return okWithSelfPush();
  }
  // Deleting a relationship that does not exist is OK, as upstream.
  auto removed = deps.store.relationships().remove(ctx.user_id, req.user_id());
  if (!removed) return HandlerResult::failure(removed.status());
  return okWithSelfPush();
}

// Upstream upserts: an update of a relationship that does not exist creates it. Unlike upstream
// (which replaces the whole record, acknowledged there as a TODO), fields the request leaves
// unset keep their values, and re-blocking keeps the original block date.
HandlerResult updateRelationship(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.update_relationship_request();
  if (req.user_id() == ctx.user_id) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "A user cannot have a relationship with oneself");
  }
  auto existing = deps.store.relationships().find(ctx.user_id, req.user_id());
  if (!existing) return HandlerResult::failure(existing.status());
  const int64_t now = deps.clock.nowMillis();
  RelationshipRecord relationship;
  if (*existing) {
    relationship = **existing;
  } else {
    if (auto refused = checkRelatedUser(deps, ctx, req.user_id())) return *refused;
    relationship.owner_id = ctx.user_id;
    relationship.related_user_id = req.user_id();
    relationship.group_index = kDefaultRelationshipGroupIndex;
    relationship.establishment_date = now;
  }
  if (req.has_blocked()) {
    if (!req.blocked()) {
      relationship.block_date.reset();
    } else if (!relationship.block_date) {
      relationship.block_date = now;
    }
  }
  if (req.has_name()) relationship.name = req.name();
  if (req.has_new_group_index()) relationship.group_index = req.new_group_index();
  if (const VoidResult upserted = deps.store.relationships().upsert(relationship); !upserted) {
    return HandlerResult::failure(upserted.status());
  }
  return okWithSelfPush();
}

template <typename Indexes>
RelationshipFilter filterOf(const RequestContext& ctx, bool has_blocked, bool blocked,
                            const Indexes& group_indexes) {
  RelationshipFilter filter;
  filter.owner_id = ctx.user_id;
  if (has_blocked) filter.blocked = blocked;
  filter.group_indexes.assign(group_indexes.begin(), group_indexes.end());
  return filter;
}

// Both queries ignore user_ids_for_common_relationships: upstream's handlers do not read it
// either.
HandlerResult queryRelationships(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.query_relationships_request();
  RelationshipFilter filter = filterOf(ctx, req.has_blocked(), req.blocked(), req.group_indexes());
  filter.related_user_ids.assign(req.user_ids().begin(), req.user_ids().end());
  auto relationships = deps.store.relationships().query(filter);
  if (!relationships) return HandlerResult::failure(relationships.status());
  if (relationships->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  auto* found = data.mutable_user_relationships_with_version();
  for (const RelationshipRecord& relationship : *relationships) {
    auto* proto = found->add_user_relationships();
    proto->set_owner_id(relationship.owner_id);
    proto->set_related_user_id(relationship.related_user_id);
    if (relationship.block_date) proto->set_block_date(*relationship.block_date);
    proto->set_group_index(relationship.group_index);
    proto->set_establishment_date(relationship.establishment_date);
    if (!relationship.name.empty()) proto->set_name(relationship.name);
  }
  found->set_last_updated_date(newestChange(*relationships));
  return HandlerResult::withData(std::move(data));
}

HandlerResult queryRelatedUserIds(ServiceDeps& deps, const RequestContext& ctx,
                                  const TurmsRequest& request) {
  const auto& req = request.query_related_user_ids_request();
  auto relationships = deps.store.relationships().query(
      filterOf(ctx, req.has_blocked(), req.blocked(), req.group_indexes()));
  if (!relationships) return HandlerResult::failure(relationships.status());
  if (relationships->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  auto* ids = data.mutable_longs_with_version();
  for (const RelationshipRecord& relationship : *relationships) {
    ids->add_longs(relationship.related_user_id);
  }
  ids->set_last_updated_date(newestChange(*relationships));
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerRelationshipHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateRelationshipRequest, &createRelationship);
  domain.add(TurmsRequest::kDeleteRelationshipRequest, &deleteRelationship);
  domain.add(TurmsRequest::kUpdateRelationshipRequest, &updateRelationship);
  domain.add(TurmsRequest::kQueryRelationshipsRequest, &queryRelationships);
  domain.add(TurmsRequest::kQueryRelatedUserIdsRequest, &queryRelatedUserIds);
}

}  // namespace parley
