// /groups/members: upstream's GroupMemberController. Writes go through the repository calls the
// client handlers use, so the group's members version and, when someone joins or leaves, the
// user's joined-groups version move and versioned client queries see admin changes. The OWNER
// role only moves by a transfer (PUT /groups with successorId), so that a live group always has
// exactly one: it is never given, taken or removed here. Nothing is pushed, as upstream's admin
// path.
#include <spdlog/spdlog.h>

#include <array>
#include <map>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "store/store.h"

namespace parley::admin {
namespace {

// Turms' GroupMemberRole names, indexed by value.
constexpr std::array<std::string_view, 5> kRoles = {"OWNER", "MANAGER", "MEMBER", "GUEST",
                                                    "ANONYMOUS_GUEST"};
constexpr std::string_view kKeyFields[] = {"groupId", "userId"};
constexpr std::string_view kTransferHint = "the owner changes with PUT /groups (successorId)";

// Upstream's GroupMember as its admin API prints it.
json::object memberJson(const GroupMemberRecord& member) {
  json::object object;
  object["key"] = json::object{{"groupId", member.group_id}, {"userId", member.user_id}};
  object["name"] = member.name;
  object["role"] = enumName(kRoles, member.role);
  object["joinDate"] = member.join_date;
  object["muteEndDate"] = optionalJson(member.mute_end_date);
  return object;
}

// The fields of AddGroupMemberDTO (with the key) and UpdateGroupMemberDTO (without).
struct MemberFields {
  std::optional<int64_t> group_id;
  std::optional<int64_t> user_id;
  std::optional<std::string> name;
  std::optional<int32_t> role;
  std::optional<int64_t> join_date;
  std::optional<int64_t> mute_end_date;
};

enum class Body { kCreate, kUpdate };

Result<MemberFields> parseFields(std::string_view text, Body kind, int64_t now) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  MemberFields fields;
  if (kind == Body::kCreate) {
    fields.group_id = body->int64("groupId");
    fields.user_id = body->int64("userId");
  }
  fields.name = body->string("name");
  fields.role = body->enumeration("role", kRoles);
  fields.join_date = body->pastDate("joinDate", now);
  fields.mute_end_date = body->int64("muteEndDate");
  if (const VoidResult parsed = body->status(); !parsed) return parsed.status();
  if (fields.role == kGroupRoleOwner) return badArgument("role", kTransferHint);
  return fields;
}

Result<GroupMemberSearch> parseSearch(const AdminRequest& request) {
  GroupMemberSearch search;
  for (auto [name, out] :
       {std::pair{"groupIds", &search.group_ids}, std::pair{"userIds", &search.user_ids}}) {
    auto ids = parseIds(request, name, /*required=*/false);
    if (!ids) return ids.status();
    *out = std::move(*ids);
  }
  for (const std::string& name : parseStrings(request, "roles")) {
    const std::optional<int32_t> role = enumValue(kRoles, json::value(name));
    if (!role) return badArgument("roles", "unknown role " + name);
    search.roles.push_back(*role);
  }
  for (auto [prefix, out] : {std::pair{"joinDate", &search.join_date},
                             std::pair{"muteEndDate", &search.mute_end_date}}) {
    auto range = parseDateRange(request, prefix);
    if (!range) return range.status();
    *out = *range;
  }
  return search;
}

constexpr Listing listMembers = searchListing<parseSearch, &Store::groupMembers, memberJson>;

// Upstream's addGroupMember, with the client path's rules on who may be a member: the group is
// live, the user exists and is not blocked there.
AdminResponse addMember(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields(request.body, Body::kCreate, now);
  if (!fields) return fail(fields.status());
  if (!fields->group_id) return fail(badArgument("groupId", "required"));
  if (!fields->user_id) return fail(badArgument("userId", "required"));
  if (auto refused = refuseMissingGroup(**store, *fields->group_id)) return *refused;
  if (auto refused = refuseMissingUser(routes, *fields->user_id, "userId")) return *refused;
  const int64_t user[] = {*fields->user_id};
  auto blocked = (*store)->groupBlocklist().findBlockedAmong(*fields->group_id, user);
  if (!blocked) return fail(blocked.status());
  if (!blocked->empty()) {
    return fail(409, StatusCode::kRecordContainsDuplicateKey,
                "userId: user " + std::to_string(*fields->user_id) + " is blocked in group " +
                    std::to_string(*fields->group_id));
  }
  GroupMemberRecord member;
  member.group_id = *fields->group_id;
  member.user_id = *fields->user_id;
  member.name = fields->name.value_or("");
  member.role = fields->role.value_or(kGroupRoleMember);
  member.join_date = fields->join_date.value_or(now);
  member.mute_end_date = fields->mute_end_date;
  auto added = (*store)->groupMembers().insertMany(std::span(&member, 1));
  if (!added) return fail(added.status());
  if (*added == 0) {
    return fail(409, StatusCode::kRecordContainsDuplicateKey,
                "userId: user " + std::to_string(member.user_id) + " is a member of group " +
                    std::to_string(member.group_id) + " already");
  }
  spdlog::info("admin: added user {} to group {}", member.user_id, member.group_id);
  return ok(memberJson(member));
}

struct MemberKey {
  int64_t group_id = 0;
  int64_t user_id = 0;
};

Result<std::vector<MemberKey>> parseMemberKeys(const AdminRequest& request) {
  auto keys = parseKeys(request, kKeyFields);
  if (!keys) return keys.status();
  std::vector<MemberKey> parsed;
  for (auto& key : *keys) parsed.push_back({key.at("groupId"), key.at("userId")});
  return parsed;
}

// The stored members of keys (missing ones left out); 400 naming the first OWNER among them.
Result<std::vector<GroupMemberRecord>> findNonOwners(GroupMemberRepository& members,
                                                     const std::vector<MemberKey>& keys,
                                                     std::string_view why) {
  std::vector<GroupMemberRecord> found;
  for (const MemberKey& key : keys) {
    auto member = members.find(key.group_id, key.user_id);
    if (!member) return member.status();
    if (!*member) continue;
    if ((*member)->role == kGroupRoleOwner) {
      return badArgument("keys", "user " + std::to_string(key.user_id) + " owns group " +
                                     std::to_string(key.group_id) + ": " + std::string(why));
    }
    found.push_back(std::move(**member));
  }
  return found;
}

// Only the fields given change; unknown keys are not counted. Every member is read and checked
// before the first is written, so a refused update writes nothing.
AdminResponse updateMembers(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseMemberKeys(request);
  if (!keys) return fail(keys.status());
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields(request.body, Body::kUpdate, now);
  if (!fields) return fail(fields.status());
  if (!fields->name && !fields->role && !fields->join_date && !fields->mute_end_date) {
    return fail(badArgument("body", "no field to update"));
  }
  GroupMemberRepository& members = (*store)->groupMembers();
  // Only a change of role touches the owner's: their name and dates are the admin's to edit.
  if (fields->role) {
    auto found = findNonOwners(members, *keys, kTransferHint);
    if (!found) return fail(found.status());
  }
  GroupMemberUpdate update;
  update.name = fields->name;
  update.role = fields->role;
  update.join_date = fields->join_date;
  update.mute_end_date = fields->mute_end_date;
  int64_t updated_count = 0;
  for (const MemberKey& key : *keys) {
    auto updated = members.update(key.group_id, key.user_id, update, now);
    if (!updated) {
      spdlog::warn("admin: updating member {} of group {} failed after {} updates: {}", key.user_id,
                   key.group_id, updated_count, updated.status().reason);
      return fail(updated.status());
    }
    updated_count += *updated ? 1 : 0;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// Upstream deletes every member when no key is given; Parley requires keys. An owner is not
// removed (the group would have none): every key is checked before the first removal.
AdminResponse deleteMembers(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto keys = parseMemberKeys(request);
  if (!keys) return fail(keys.status());
  GroupMemberRepository& members = (*store)->groupMembers();
  auto found = findNonOwners(members, *keys, "hand the group over first, or delete it");
  if (!found) return fail(found.status());
  std::map<int64_t, std::vector<int64_t>> by_group;
  for (const GroupMemberRecord& member : *found)
    by_group[member.group_id].push_back(member.user_id);
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const auto& [group_id, user_ids] : by_group) {
    auto removed = members.remove(group_id, user_ids, now);
    if (!removed) {
      spdlog::warn("admin: removing members of group {} failed after {} removals: {}", group_id,
                   deleted_count, removed.status().reason);
      return fail(removed.status());
    }
    deleted_count += *removed;
  }
  return deletedAnswer(deleted_count, "group members");
}

constexpr Route kGroupMemberRoutes[] = {
    {"POST", "/groups/members", true, addMember},
    {"GET", "/groups/members", true, unpaged<listMembers>},
    {"GET", "/groups/members/page", true, paged<listMembers>},
    {"PUT", "/groups/members", true, updateMembers},
    {"DELETE", "/groups/members", true, deleteMembers},
};

}  // namespace

std::span<const Route> groupMemberRoutes() { return kGroupMemberRoutes; }

}  // namespace parley::admin
