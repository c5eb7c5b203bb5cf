// /groups: upstream's GroupController. A group is created, deleted and handed to a new owner by
// the functions the client handlers use (store/group_lifecycle.h), so its owner is its OWNER
// member, a deletion removes the members, and the members' and users' versions move as for a
// client's change. Groups are deleted logically only (soft), as the client's DeleteGroupRequest
// does. Nothing is pushed, as upstream's admin path.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "store/group_lifecycle.h"
#include "store/store.h"

namespace parley::admin {
namespace {

// Upstream's Group as its admin API prints it.
json::object groupJson(const GroupRecord& group) {
  json::object object;
  object["id"] = group.id;
  object["typeId"] = group.type_id;
  object["creatorId"] = group.creator_id;
  object["ownerId"] = group.owner_id;
  object["name"] = group.name;
  object["intro"] = group.intro;
  object["announcement"] = group.announcement;
  object["minimumScore"] = group.minimum_score;
  object["creationDate"] = group.creation_date;
  object["deletionDate"] = optionalJson(group.deletion_date);
  object["lastUpdatedDate"] = group.last_updated_date;
  object["muteEndDate"] = optionalJson(group.mute_end_date);
  object["isActive"] = group.is_active;
  return object;
}

// The fields of AddGroupDTO and UpdateGroupDTO.
struct GroupFields {
  std::optional<int64_t> type_id;
  std::optional<int64_t> creator_id;
  std::optional<int64_t> owner_id;
  std::optional<std::string> name;
  std::optional<std::string> intro;
  std::optional<std::string> announcement;
  std::optional<int32_t> minimum_score;
  std::optional<int64_t> creation_date;
  std::optional<int64_t> mute_end_date;
  std::optional<bool> is_active;
  // UpdateGroupDTO only: the new owner (ownerId means the same) and whether the old one leaves.
  std::optional<int64_t> successor_id;
  std::optional<bool> quit_after_transfer;

  bool changesInfo() const {
    return type_id || creator_id || name || intro || announcement || minimum_score ||
           creation_date || mute_end_date || is_active;
  }
};

enum class Body { kCreate, kUpdate };

Result<GroupFields> parseFields(std::string_view text, Body kind, int64_t now) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  GroupFields fields;
  fields.type_id = body->int64("typeId");
  fields.creator_id = body->int64("creatorId");
  fields.owner_id = body->int64("ownerId");
  fields.name = body->string("name");
  fields.intro = body->string("intro");
  fields.announcement = body->string("announcement");
  fields.minimum_score = body->int32("minimumScore");
  fields.creation_date = body->pastDate("creationDate", now);
  fields.mute_end_date = body->int64("muteEndDate");
  fields.is_active = body->boolean("isActive");
  // A deletion date set by hand would leave the members of a deleted group behind.
  if (body->take("deletionDate")) {
    body->refuse("deletionDate", "groups are deleted with DELETE /groups");
  }
  if (kind == Body::kUpdate) {
    fields.successor_id = body->int64("successorId");
    fields.quit_after_transfer = body->boolean("quitAfterTransfer");
  }
  if (const VoidResult parsed = body->status(); !parsed) return parsed.status();
  if (fields.minimum_score && *fields.minimum_score < 0) {
    return badArgument("minimumScore", "must not be negative");
  }
  return fields;
}

std::optional<AdminResponse> refuseMissingType(Store& store, int64_t type_id) {
  auto type = store.groupTypes().findById(type_id);
  if (!type) return fail(type.status());
  if (*type) return std::nullopt;
  return fail(404, StatusCode::kIllegalArgument,
              "typeId: group type " + std::to_string(type_id) + " does not exist");
}

Result<GroupSearch> parseSearch(const AdminRequest& request) {
  GroupSearch search;
  for (auto [name, out] :
       {std::pair{"ids", &search.ids}, std::pair{"typeIds", &search.type_ids},
        std::pair{"creatorIds", &search.creator_ids}, std::pair{"ownerIds", &search.owner_ids},
        std::pair{"memberIds", &search.member_ids}}) {
    auto ids = parseIds(request, name, /*required=*/false);
    if (!ids) return ids.status();
    *out = std::move(*ids);
  }
  auto active = parseBoolParam(request, "isActive");
  if (!active) return active.status();
  search.is_active = *active;
  for (auto [prefix, out] : {std::pair{"creationDate", &search.creation_date},
                             std::pair{"deletionDate", &search.deletion_date},
                             std::pair{"lastUpdatedDate", &search.last_updated_date},
                             std::pair{"muteEndDate", &search.mute_end_date}}) {
    auto range = parseDateRange(request, prefix);
    if (!range) return range.status();
    *out = *range;
  }
  return search;
}

constexpr Listing listGroups = searchListing<parseSearch, &Store::groups, groupJson>;

// Upstream's authAndCreateGroup: the owner defaults to the creator and the creator to the owner.
AdminResponse addGroup(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields(request.body, Body::kCreate, now);
  if (!fields) return fail(fields.status());
  if (!fields->owner_id && !fields->creator_id) return fail(badArgument("ownerId", "required"));
  GroupRecord group;
  group.id = routes.nextId();
  group.owner_id = fields->owner_id ? *fields->owner_id : *fields->creator_id;
  group.creator_id = fields->creator_id.value_or(group.owner_id);
  group.type_id = fields->type_id.value_or(kDefaultGroupTypeId);
  group.name = fields->name.value_or("");
  group.intro = fields->intro.value_or("");
  group.announcement = fields->announcement.value_or("");
  group.minimum_score = fields->minimum_score.value_or(0);
  group.mute_end_date = fields->mute_end_date;
  group.creation_date = fields->creation_date.value_or(now);
  group.last_updated_date = group.creation_date;
  group.members_last_updated_date = group.creation_date;
  group.is_active = fields->is_active.value_or(true);
  if (auto refused = refuseMissingUser(routes, group.owner_id, "ownerId")) return *refused;
  if (group.creator_id != group.owner_id) {
    if (auto refused = refuseMissingUser(routes, group.creator_id, "creatorId")) return *refused;
  }
  if (auto refused = refuseMissingType(**store, group.type_id)) return *refused;
  if (const VoidResult created =
          createGroupWithOwner((*store)->groups(), (*store)->groupMembers(), group);
      !created) {
    return fail(created.status());
  }
  spdlog::info("admin: created group {} owned by {}", group.id, group.owner_id);
  return ok(groupJson(group));
}

// The group's current owner and who owns it after the update.
struct OwnerChange {
  int64_t group_id = 0;
  int64_t owner_id = 0;
  int64_t successor_id = 0;
};

// Only the fields given change. A new owner (successorId, or ownerId as upstream's
// updateGroupsInformation names it) is a transfer: the successor must be a member of every group
// and becomes its OWNER, and the old owner a MEMBER (or leaves, with quitAfterTransfer). Every
// group is read and checked before the first is written, so a refused update writes nothing;
// unknown and deleted groups are not counted.
AdminResponse updateGroups(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields(request.body, Body::kUpdate, now);
  if (!fields) return fail(fields.status());
  if (fields->owner_id && fields->successor_id && *fields->owner_id != *fields->successor_id) {
    return fail(badArgument("successorId", "differs from ownerId"));
  }
  const std::optional<int64_t> successor_id =
      fields->successor_id ? fields->successor_id : fields->owner_id;
  if (fields->quit_after_transfer && !successor_id) {
    return fail(badArgument("quitAfterTransfer", "needs a successorId"));
  }
  if (!fields->changesInfo() && !successor_id) {
    return fail(badArgument("body", "no field to update"));
  }
  if (fields->creator_id) {
    if (auto refused = refuseMissingUser(routes, *fields->creator_id, "creatorId")) {
      return *refused;
    }
  }
  if (fields->type_id) {
    if (auto refused = refuseMissingType(**store, *fields->type_id)) return *refused;
  }
  GroupRepository& groups = (*store)->groups();
  GroupMemberRepository& members = (*store)->groupMembers();
  auto found = groups.findByIds(*ids);
  if (!found) return fail(found.status());
  std::vector<int64_t> live_ids;
  std::vector<OwnerChange> transfers;
  for (const GroupRecord& group : *found) {
    if (group.deletion_date) continue;
    live_ids.push_back(group.id);
    if (!successor_id || *successor_id == group.owner_id) continue;
    auto successor = members.find(group.id, *successor_id);
    if (!successor) return fail(successor.status());
    if (!*successor) {
      return fail(badArgument("successorId", "user " + std::to_string(*successor_id) +
                                                 " is not a member of group " +
                                                 std::to_string(group.id)));
    }
    transfers.push_back({group.id, group.owner_id, *successor_id});
  }
  GroupUpdate update;
  update.type_id = fields->type_id;
  update.creator_id = fields->creator_id;
  update.name = fields->name;
  update.intro = fields->intro;
  update.announcement = fields->announcement;
  update.minimum_score = fields->minimum_score;
  update.creation_date = fields->creation_date;
  update.mute_end_date = fields->mute_end_date;
  update.is_active = fields->is_active;
  update.last_updated_date = now;
  int64_t updated_count = 0;
  for (const int64_t id : live_ids) {
    if (fields->changesInfo()) {
      auto updated = groups.update(id, update);
      if (!updated) {
        spdlog::warn("admin: updating group {} failed after {} updates: {}", id, updated_count,
                     updated.status().reason);
        return fail(updated.status());
      }
      if (!*updated) continue;  // deleted meanwhile
    }
    const auto transfer =
        std::find_if(transfers.begin(), transfers.end(),
                     [&](const OwnerChange& change) { return change.group_id == id; });
    if (transfer != transfers.end()) {
      const VoidResult moved =
          moveGroupOwnership(groups, members, id, transfer->owner_id, transfer->successor_id,
                             fields->quit_after_transfer.value_or(false), now);
      if (!moved) {
        spdlog::warn("admin: moving group {} to owner {} failed after {} updates: {}", id,
                     transfer->successor_id, updated_count, moved.status().reason);
        if (moved.status().code == StatusCode::kGroupSuccessorNotGroupMember) {
          return fail(badArgument("successorId", "user " + std::to_string(transfer->successor_id) +
                                                     " left group " + std::to_string(id)));
        }
        return fail(moved.status());
      }
      spdlog::info("admin: group {} moved from owner {} to {}", id, transfer->owner_id,
                   transfer->successor_id);
    }
    ++updated_count;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// Upstream's deleteGroupsAndGroupMembers with logical deletion, the only kind Parley has.
AdminResponse deleteGroups(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  // Upstream deletes every group when no id is given; Parley requires ids.
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  auto logically = parseBoolParam(request, "deleteLogically");
  if (!logically) return fail(logically.status());
  if (!logically->value_or(true)) {
    return fail(badArgument("deleteLogically", "groups are only deleted logically"));
  }
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const int64_t id : *ids) {
    auto deleted = deleteGroupWithMembers((*store)->groups(), (*store)->groupMembers(), id, now);
    if (!deleted) {
      spdlog::warn("admin: deleting group {} failed after {} deletions: {}", id, deleted_count,
                   deleted.status().reason);
      return fail(deleted.status());
    }
    deleted_count += *deleted ? 1 : 0;
  }
  return deletedAnswer(deleted_count, "groups");
}

constexpr Route kGroupRoutes[] = {
    {"POST", "/groups", true, addGroup},
    {"GET", "/groups", true, unpaged<listGroups>},
    {"GET", "/groups/page", true, paged<listGroups>},
    {"PUT", "/groups", true, updateGroups},
    {"DELETE", "/groups", true, deleteGroups},
};

}  // namespace

std::span<const Route> groupRoutes() { return kGroupRoutes; }

}  // namespace parley::admin
