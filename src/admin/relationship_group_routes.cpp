// /users/relationships/groups: upstream's UserRelationshipGroupController. Renames and deletions
// go through the repository calls the client handlers use
// (service/relationship/relationship_group_handlers.cpp): the default group (index 0) cannot be
// deleted, a deleted group's members move to the default group, and the owner's versions move.
// Nothing is pushed, as upstream's admin path pushes nothing.
#include <spdlog/spdlog.h>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "store/store.h"

namespace parley::admin {
namespace {

constexpr std::string_view kKeyFields[] = {"ownerId", "groupIndex"};

// Attempts at a free random index; see the repositories' create().
constexpr int kIndexAttempts = 8;

// Upstream's UserRelationshipGroup as its admin API prints it.
json::object groupJson(const RelationshipGroupRecord& group) {
  json::object object;
  object["key"] = json::object{{"ownerId", group.owner_id}, {"groupIndex", group.index}};
  object["name"] = group.name;
  object["creationDate"] = group.creation_date;
  return object;
}

Result<RelationshipGroupSearch> parseSearch(const AdminRequest& request) {
  RelationshipGroupSearch search;
  auto owner_ids = parseIds(request, "ownerIds", /*required=*/false);
  if (!owner_ids) return owner_ids.status();
  search.owner_ids = std::move(*owner_ids);
  auto indexes = parseInt32s(request, "indexes");
  if (!indexes) return indexes.status();
  search.indexes = std::move(*indexes);
  search.names = parseStrings(request, "names");
  auto created = parseDateRange(request, "creationDate");
  if (!created) return created.status();
  search.creation_date = *created;
  return search;
}

constexpr Listing listGroups = searchListing<parseSearch, &Store::relationshipGroups, groupJson>;

// Upstream's AddRelationshipGroupDTO: the index is random and free when not given, as a client's
// CreateRelationshipGroupRequest gets; a given one must be free (the default group, index 0,
// exists for every user).
AdminResponse addGroup(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  const int64_t now = routes.deps().clock.nowMillis();
  const std::optional<int64_t> owner_id = body->int64("ownerId");
  const std::optional<int32_t> index = body->int32("index");
  const std::optional<std::string> name = body->string("name");
  const std::optional<int64_t> creation_date = body->pastDate("creationDate", now);
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (!owner_id) return fail(badArgument("ownerId", "required"));
  if (!name) return fail(badArgument("name", "required"));
  if (auto refused = refuseMissingUser(routes, *owner_id, "ownerId")) return *refused;

  RelationshipGroupRecord group{*owner_id, 0, *name, creation_date.value_or(now)};
  const auto taken = [&] {
    return fail(409, StatusCode::kRecordContainsDuplicateKey,
                "index: user " + std::to_string(*owner_id) + " already has group " +
                    std::to_string(group.index));
  };
  if (index && *index == kDefaultRelationshipGroupIndex) return taken();
  RelationshipGroupRepository& groups = (*store)->relationshipGroups();
  for (int attempt = 0; attempt < (index ? 1 : kIndexAttempts); ++attempt) {
    group.index = index.value_or(randomRelationshipGroupIndex());
    auto inserted = groups.insertMany(std::span(&group, 1), now);
    if (!inserted) return fail(inserted.status());
    if (*inserted == 1) {
      spdlog::info("admin: created relationship group {} of user {}", group.index, group.owner_id);
      return ok(groupJson(group));
    }
  }
  if (index) return taken();
  return fail(500, StatusCode::kServerInternalError,
              "no free relationship group index found for user " + std::to_string(*owner_id));
}

// Upstream's UpdateRelationshipGroupDTO, but for its creationDate: Parley keeps a group's creation
// date as written. A rename to the same name, or of a group that does not exist, is not counted.
AdminResponse updateGroups(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseKeys(request, kKeyFields);
  if (!keys) return fail(keys.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  const std::optional<std::string> name = body->string("name");
  if (body->take("creationDate")) body->refuse("creationDate", "cannot be changed");
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (!name) return fail(badArgument("body", "no field to update"));
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t updated_count = 0;
  for (const auto& key : *keys) {
    const int64_t index = key.at("groupIndex");
    if (index < INT32_MIN || index > INT32_MAX) continue;  // no group has it
    auto renamed = (*store)->relationshipGroups().rename(key.at("ownerId"),
                                                         static_cast<int32_t>(index), *name, now);
    if (!renamed) return fail(renamed.status());
    updated_count += *renamed ? 1 : 0;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// Members of a deleted group move to the default group, as with a client's
// DeleteRelationshipGroupRequest without a target.
AdminResponse deleteGroups(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  // Upstream deletes every group of every user when no key is given; Parley requires keys.
  auto keys = parseKeys(request, kKeyFields);
  if (!keys) return fail(keys.status());
  for (const auto& key : *keys) {
    if (key.at("groupIndex") == kDefaultRelationshipGroupIndex) {
      return fail(badArgument("keys", "the default relationship group (0) cannot be deleted"));
    }
  }
  RelationshipGroupRepository& groups = (*store)->relationshipGroups();
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const auto& key : *keys) {
    const int64_t owner_id = key.at("ownerId");
    const int64_t index = key.at("groupIndex");
    // remove() cannot tell an empty group from none, so the count asks first.
    auto existing = groups.findAll(owner_id);
    if (!existing) return fail(existing.status());
    if (std::none_of(existing->begin(), existing->end(),
                     [&](const RelationshipGroupRecord& group) { return group.index == index; })) {
      continue;
    }
    auto moved =
        groups.remove(owner_id, static_cast<int32_t>(index), kDefaultRelationshipGroupIndex, now);
    if (!moved) {
      spdlog::warn("admin: deleting relationship group {} of user {} failed after {} deletions: {}",
                   index, owner_id, deleted_count, moved.status().reason);
      return fail(moved.status());
    }
    ++deleted_count;
  }
  return deletedAnswer(deleted_count, "relationship groups");
}

constexpr Route kRelationshipGroupRoutes[] = {
    {"POST", "/users/relationships/groups", true, addGroup},
    {"GET", "/users/relationships/groups", true, unpaged<listGroups>},
    {"GET", "/users/relationships/groups/page", true, paged<listGroups>},
    {"PUT", "/users/relationships/groups", true, updateGroups},
    {"DELETE", "/users/relationships/groups", true, deleteGroups},
};

}  // namespace

std::span<const Route> relationshipGroupRoutes() { return kRelationshipGroupRoutes; }

}  // namespace parley::admin
