// /users/relationships: upstream's UserRelationshipController. Writes go through the repository
// calls the client handlers use (service/relationship/relationship_handlers.cpp), so the owner's
// relationship versions move and versioned client queries see admin changes. Nothing is pushed,
// as upstream's admin path pushes nothing.
#include <spdlog/spdlog.h>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "store/store.h"

namespace parley::admin {
namespace {

constexpr std::string_view kKeyFields[] = {"ownerId", "relatedUserId"};

// Upstream's UserRelationshipDTO; groupIndexes only when asked for (withGroupIndexes), as there.
json::object relationshipJson(const RelationshipRecord& relationship, bool with_group_indexes) {
  json::object object;
  object["key"] = json::object{{"ownerId", relationship.owner_id},
                               {"relatedUserId", relationship.related_user_id}};
  object["name"] = relationship.name;
  object["blockDate"] = optionalJson(relationship.block_date);
  object["establishmentDate"] = relationship.establishment_date;
  if (with_group_indexes) {
    object["groupIndexes"] =
        json::array(relationship.group_indexes.begin(), relationship.group_indexes.end());
  } else {
    object["groupIndexes"] = nullptr;
  }
  return object;
}

Result<RelationshipSearch> parseSearch(const AdminRequest& request) {
  RelationshipSearch search;
  auto owner_ids = parseIds(request, "ownerIds", /*required=*/false);
  if (!owner_ids) return owner_ids.status();
  search.owner_ids = std::move(*owner_ids);
  auto related_user_ids = parseIds(request, "relatedUserIds", /*required=*/false);
  if (!related_user_ids) return related_user_ids.status();
  search.related_user_ids = std::move(*related_user_ids);
  auto group_indexes = parseInt32s(request, "groupIndexes");
  if (!group_indexes) return group_indexes.status();
  search.group_indexes = std::move(*group_indexes);
  auto blocked = parseBoolParam(request, "isBlocked");
  if (!blocked) return blocked.status();
  search.blocked = *blocked;
  auto established = parseDateRange(request, "establishmentDate");
  if (!established) return established.status();
  search.establishment_date = *established;
  return search;
}

AdminResponse listRelationships(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto search = parseSearch(request);
  if (!search) return fail(search.status());
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  auto with_group_indexes = parseBoolParam(request, "withGroupIndexes");
  if (!with_group_indexes) return fail(with_group_indexes.status());
  RelationshipRepository& relationships = (*store)->relationships();
  auto found = relationships.search(*search, page->skip, page->limit);
  if (!found) return fail(found.status());
  return listingAnswer(
      *found,
      [&](const RelationshipRecord& relationship) {
        return relationshipJson(relationship, with_group_indexes->value_or(false));
      },
      paged, [&] { return relationships.count(*search); });
}

// A one-sided relationship in the default group, as upstream's addRelationship; the users must
// exist and differ, as for a client's CreateRelationshipRequest.
AdminResponse addRelationship(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  const int64_t now = routes.deps().clock.nowMillis();
  const std::optional<int64_t> owner_id = body->int64("ownerId");
  const std::optional<int64_t> related_user_id = body->int64("relatedUserId");
  const std::optional<std::string> name = body->string("name");
  const std::optional<int64_t> block_date = body->pastDate("blockDate", now);
  const std::optional<int64_t> establishment_date = body->pastDate("establishmentDate", now);
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (!owner_id) return fail(badArgument("ownerId", "required"));
  if (!related_user_id) return fail(badArgument("relatedUserId", "required"));
  if (*owner_id == *related_user_id) {
    return fail(badArgument("relatedUserId", "a user cannot have a relationship with oneself"));
  }
  if (auto refused = refuseMissingUser(routes, *owner_id, "ownerId")) return *refused;
  if (auto refused = refuseMissingUser(routes, *related_user_id, "relatedUserId")) return *refused;

  RelationshipRecord relationship;
  relationship.owner_id = *owner_id;
  relationship.related_user_id = *related_user_id;
  relationship.name = name.value_or("");
  relationship.block_date = block_date;
  relationship.establishment_date = establishment_date.value_or(now);
  relationship.group_indexes = {kDefaultRelationshipGroupIndex};
  if (const VoidResult inserted = (*store)->relationships().insert(relationship, now); !inserted) {
    if (inserted.status().code == StatusCode::kRecordContainsDuplicateKey) {
      return fail(409, StatusCode::kCreateExistingRelationship,
                  "relationship " + std::to_string(*owner_id) + " -> " +
                      std::to_string(*related_user_id) + " already exists");
    }
    return fail(inserted.status());
  }
  spdlog::info("admin: created relationship {} -> {}", *owner_id, *related_user_id);
  return ok(relationshipJson(relationship, /*with_group_indexes=*/true));
}

// Upstream's UpdateRelationshipDTO: only the fields given change; a relationship that does not
// exist is not created (not counted).
AdminResponse updateRelationships(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseKeys(request, kKeyFields);
  if (!keys) return fail(keys.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  const int64_t now = routes.deps().clock.nowMillis();
  const std::optional<std::string> name = body->string("name");
  const std::optional<int64_t> block_date = body->pastDate("blockDate", now);
  const std::optional<int64_t> establishment_date = body->pastDate("establishmentDate", now);
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (!name && !block_date && !establishment_date) {
    return fail(badArgument("body", "no field to update"));
  }
  RelationshipRepository& relationships = (*store)->relationships();
  int64_t updated_count = 0;
  for (const auto& key : *keys) {
    auto found = relationships.find(key.at("ownerId"), key.at("relatedUserId"));
    if (!found) return fail(found.status());
    if (!*found) continue;
    RelationshipRecord relationship = std::move(**found);
    if (name) relationship.name = *name;
    if (block_date) relationship.block_date = *block_date;
    if (establishment_date) relationship.establishment_date = *establishment_date;
    if (const VoidResult saved = relationships.upsert(relationship, now); !saved) {
      spdlog::warn("admin: updating relationship {} -> {} failed after {} updates: {}",
                   relationship.owner_id, relationship.related_user_id, updated_count,
                   saved.status().reason);
      return fail(saved.status());
    }
    ++updated_count;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// The relationships with their group memberships, as a client's DeleteRelationshipRequest
// without a group index.
AdminResponse deleteRelationships(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseKeys(request, kKeyFields);
  if (!keys) return fail(keys.status());
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const auto& key : *keys) {
    auto removed =
        (*store)->relationships().remove(key.at("ownerId"), key.at("relatedUserId"), now);
    if (!removed) {
      spdlog::warn("admin: deleting relationship {} -> {} failed after {} deletions: {}",
                   key.at("ownerId"), key.at("relatedUserId"), deleted_count,
                   removed.status().reason);
      return fail(removed.status());
    }
    deleted_count += *removed ? 1 : 0;
  }
  return deletedAnswer(deleted_count, "relationships");
}

constexpr Route kRelationshipRoutes[] = {
    {"POST", "/users/relationships", true, addRelationship},
    {"GET", "/users/relationships", true, unpaged<listRelationships>},
    {"GET", "/users/relationships/page", true, paged<listRelationships>},
    {"PUT", "/users/relationships", true, updateRelationships},
    {"DELETE", "/users/relationships", true, deleteRelationships},
};

}  // namespace

std::span<const Route> relationshipRoutes() { return kRelationshipRoutes; }

}  // namespace parley::admin
