// /groups/blocked-users: upstream's GroupBlocklistController. Blocking goes through the
// repository's block(), as a client's CreateGroupBlockedUserRequest: a member stops being one in
// the same step, and the group's blocklist, members and the user's joined-groups versions move,
// so versioned client queries see admin changes. The owner cannot be blocked (the group would
// lose them). Nothing is pushed, as upstream's admin path.
#include <spdlog/spdlog.h>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "store/store.h"

namespace parley::admin {
namespace {

constexpr std::string_view kKeyFields[] = {"groupId", "userId"};

// Upstream's GroupBlockedUser as its admin API prints it.
json::object blockedJson(const GroupBlockedUserRecord& blocked) {
  json::object object;
  object["key"] = json::object{{"groupId", blocked.group_id}, {"userId", blocked.user_id}};
  object["blockDate"] = blocked.block_date;
  object["requesterId"] = blocked.requester_id;
  return object;
}

Result<GroupBlockedUserSearch> parseSearch(const AdminRequest& request) {
  GroupBlockedUserSearch search;
  for (auto [name, out] :
       {std::pair{"groupIds", &search.group_ids}, std::pair{"userIds", &search.user_ids},
        std::pair{"requesterIds", &search.requester_ids}}) {
    auto ids = parseIds(request, name, /*required=*/false);
    if (!ids) return ids.status();
    *out = std::move(*ids);
  }
  auto blocked = parseDateRange(request, "blockDate");
  if (!blocked) return blocked.status();
  search.block_date = *blocked;
  return search;
}

constexpr Listing listBlocked = searchListing<parseSearch, &Store::groupBlocklist, blockedJson>;

// Upstream's addBlockedUser: the group is live, the user and the requester exist.
AdminResponse blockUser(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  const int64_t now = routes.deps().clock.nowMillis();
  const std::optional<int64_t> group_id = body->int64("groupId");
  const std::optional<int64_t> user_id = body->int64("userId");
  const std::optional<int64_t> requester_id = body->int64("requesterId");
  const std::optional<int64_t> block_date = body->pastDate("blockDate", now);
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (!group_id) return fail(badArgument("groupId", "required"));
  if (!user_id) return fail(badArgument("userId", "required"));
  if (!requester_id) return fail(badArgument("requesterId", "required"));
  std::optional<GroupRecord> group;
  if (auto refused = refuseMissingGroup(**store, *group_id, &group)) return *refused;
  if (auto refused = refuseMissingUser(routes, *user_id, "userId")) return *refused;
  if (auto refused = refuseMissingUser(routes, *requester_id, "requesterId")) return *refused;
  if (group->owner_id == *user_id) {
    return fail(badArgument(
        "userId", "user " + std::to_string(*user_id) + " owns group " + std::to_string(*group_id)));
  }
  const GroupBlockedUserRecord blocked{.group_id = *group_id,
                                       .user_id = *user_id,
                                       .block_date = block_date.value_or(now),
                                       .requester_id = *requester_id};
  auto outcome = (*store)->groupBlocklist().block(blocked, now);
  if (!outcome) return fail(outcome.status());
  if (!outcome->newly_blocked) {
    return fail(409, StatusCode::kRecordContainsDuplicateKey,
                "userId: user " + std::to_string(*user_id) + " is blocked in group " +
                    std::to_string(*group_id) + " already");
  }
  spdlog::info("admin: blocked user {} in group {}{}", *user_id, *group_id,
               outcome->was_member ? ", removing the membership" : "");
  return ok(blockedJson(blocked));
}

Result<std::vector<std::pair<int64_t, int64_t>>> parseBlockedKeys(const AdminRequest& request) {
  auto keys = parseKeys(request, kKeyFields);
  if (!keys) return keys.status();
  std::vector<std::pair<int64_t, int64_t>> parsed;
  for (auto& key : *keys) parsed.emplace_back(key.at("groupId"), key.at("userId"));
  return parsed;
}

AdminResponse updateBlocked(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseBlockedKeys(request);
  if (!keys) return fail(keys.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  const int64_t now = routes.deps().clock.nowMillis();
  GroupBlockedUserUpdate update;
  update.block_date = body->pastDate("blockDate", now);
  update.requester_id = body->int64("requesterId");
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (!update.block_date && !update.requester_id) {
    return fail(badArgument("body", "no field to update"));
  }
  if (update.requester_id) {
    if (auto refused = refuseMissingUser(routes, *update.requester_id, "requesterId")) {
      return *refused;
    }
  }
  int64_t updated_count = 0;
  for (const auto& [group_id, user_id] : *keys) {
    auto updated = (*store)->groupBlocklist().update(group_id, user_id, update, now);
    if (!updated) {
      spdlog::warn("admin: updating blocked user {} of group {} failed after {} updates: {}",
                   user_id, group_id, updated_count, updated.status().reason);
      return fail(updated.status());
    }
    updated_count += *updated ? 1 : 0;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// Unblocks; upstream deletes every blocked user when no key is given, Parley requires keys.
AdminResponse unblockUsers(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseBlockedKeys(request);
  if (!keys) return fail(keys.status());
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const auto& [group_id, user_id] : *keys) {
    auto unblocked = (*store)->groupBlocklist().unblock(group_id, user_id, now);
    if (!unblocked) {
      spdlog::warn("admin: unblocking user {} of group {} failed after {} deletions: {}", user_id,
                   group_id, deleted_count, unblocked.status().reason);
      return fail(unblocked.status());
    }
    deleted_count += *unblocked ? 1 : 0;
  }
  return deletedAnswer(deleted_count, "group blocked users");
}

constexpr Route kGroupBlocklistRoutes[] = {
    {"POST", "/groups/blocked-users", true, blockUser},
    {"GET", "/groups/blocked-users", true, unpaged<listBlocked>},
    {"GET", "/groups/blocked-users/page", true, paged<listBlocked>},
    {"PUT", "/groups/blocked-users", true, updateBlocked},
    {"DELETE", "/groups/blocked-users", true, unblockUsers},
};

}  // namespace

std::span<const Route> groupBlocklistRoutes() { return kGroupBlocklistRoutes; }

}  // namespace parley::admin
