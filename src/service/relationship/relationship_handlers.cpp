#include "service/relationship/relationship_handlers.h"
#include "service/domain_registrar.h"
#include "service/versioned_query.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace parley {
namespace {

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

HandlerResult createRelationship(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.create_relationship_request();
  if (auto refused = checkRelatedUser(deps, ctx, req.user_id())) return *refused;
  const int64_t now = deps.clock.nowMillis();
  RelationshipRecord relationship;
  relationship.owner_id = ctx.user_id;
  relationship.related_user_id = req.user_id();
  if (req.blocked()) relationship.block_date = now;
  const int32_t group_index =
      req.has_group_index() ? req.group_index() : kDefaultRelationshipGroupIndex;
  relationship.group_indexes = {group_index};
  relationship.establishment_date = now;
  relationship.name = req.name();
  if (const VoidResult inserted = deps.store.relationships().insert(relationship, now); !inserted) {
    if (inserted.status().code == StatusCode::kRecordContainsDuplicateKey) {
      return HandlerResult::failure(StatusCode::kCreateExistingRelationship);
    }
    return HandlerResult::failure(inserted.status());
  }
  // As upstream, the relayed copy names the group the user landed in.
  TurmsRequest relayed = request;
  relayed.mutable_create_relationship_request()->set_group_index(group_index);
  return HandlerResult::okWithSelfPush(std::move(relayed));
}

// Without a group index the relationship goes; with one, only that membership, and the
// relationship with it when it was its last group (upstream's deleteOneSidedRelationship).
// Deleting what does not exist is OK, as upstream.
HandlerResult deleteRelationship(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.delete_relationship_request();
  RelationshipRepository& relationships = deps.store.relationships();
  const int64_t now = deps.clock.nowMillis();
  if (req.has_group_index()) {
    auto existing = relationships.find(ctx.user_id, req.user_id());
    if (!existing) return HandlerResult::failure(existing.status());
    if (!*existing) return HandlerResult::okWithSelfPush();
    RelationshipRecord relationship = std::move(**existing);
    if (std::erase(relationship.group_indexes, req.group_index()) == 0) {
      return HandlerResult::okWithSelfPush();  // not in that group: nothing to remove
    }
    if (!relationship.group_indexes.empty()) {
      if (const VoidResult saved = relationships.upsert(relationship, now); !saved) {
        return HandlerResult::failure(saved.status());
      }
      return HandlerResult::okWithSelfPush();
    }
  }
  auto removed = relationships.remove(ctx.user_id, req.user_id(), now);
  if (!removed) return HandlerResult::failure(removed.status());
  return HandlerResult::okWithSelfPush();
}

// UpdateRelationshipRequest's group fields, as upstream's upsertRelationshipGroupMember: both
// set moves the user from one group to the other (refused when already in the target), only
// new_group_index adds a group, only delete_group_index moves the user from that group to the
// default one (nothing for the default group itself).
std::optional<HandlerResult> applyGroupChange(
    const im::turms::proto::UpdateRelationshipRequest& req, std::vector<int32_t>& groups) {
  const auto contains = [&](int32_t index) {
    return std::find(groups.begin(), groups.end(), index) != groups.end();
  };
  const auto add = [&](int32_t index) {
    if (!contains(index))
      groups.insert(std::upper_bound(groups.begin(), groups.end(), index), index);
  };
  if (req.has_new_group_index() && req.has_delete_group_index()) {
    if (contains(req.new_group_index())) {
      return HandlerResult::failure(StatusCode::kRecordContainsDuplicateKey,
                                    "The related user is already in the new group");
    }
    std::erase(groups, req.delete_group_index());
    add(req.new_group_index());
  } else if (req.has_new_group_index()) {
    add(req.new_group_index());
  } else if (req.has_delete_group_index() &&
             req.delete_group_index() != kDefaultRelationshipGroupIndex) {
    std::erase(groups, req.delete_group_index());
    add(kDefaultRelationshipGroupIndex);
  }
  return std::nullopt;
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
  if (req.has_new_group_index() && req.has_delete_group_index() &&
      req.new_group_index() == req.delete_group_index()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "\"newGroupIndex\" and \"deleteGroupIndex\" must not be equal");
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
    relationship.group_indexes.clear();  // in the new group if any, else the default one
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
  if (auto refused = applyGroupChange(req, relationship.group_indexes)) return *refused;
  if (const VoidResult upserted = deps.store.relationships().upsert(relationship, now); !upserted) {
    return HandlerResult::failure(upserted.status());
  }
  return HandlerResult::okWithSelfPush();
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
  auto version = deps.store.relationships().findVersion(ctx.user_id);
  if (!version) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
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
    // group_index stays unset, as upstream: a relationship may be in several groups, and
    // clients ask for a group's relationships by filtering on it.
    proto->set_establishment_date(relationship.establishment_date);
    if (!relationship.name.empty()) proto->set_name(relationship.name);
  }
  if (*version) found->set_last_updated_date(**version);
  return HandlerResult::withData(std::move(data));
}

HandlerResult queryRelatedUserIds(ServiceDeps& deps, const RequestContext& ctx,
                                  const TurmsRequest& request) {
  const auto& req = request.query_related_user_ids_request();
  auto version = deps.store.relationships().findVersion(ctx.user_id);
  if (!version) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  auto relationships = deps.store.relationships().query(
      filterOf(ctx, req.has_blocked(), req.blocked(), req.group_indexes()));
  if (!relationships) return HandlerResult::failure(relationships.status());
  if (relationships->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  auto* ids = data.mutable_longs_with_version();
  for (const RelationshipRecord& relationship : *relationships) {
    ids->add_longs(relationship.related_user_id);
  }
  if (*version) ids->set_last_updated_date(**version);
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
