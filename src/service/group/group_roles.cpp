#include "service/group/group_roles.h"

#include "store/store.h"

namespace parley {

Result<std::optional<int32_t>> roleOf(ServiceDeps& deps, int64_t group_id, int64_t user_id) {
  auto member = deps.store.groupMembers().find(group_id, user_id);
  if (!member.ok()) return member.status();
  if (!*member) return std::optional<int32_t>();
  return std::optional<int32_t>((*member)->role);
}

bool isOwnerOrManager(const std::optional<int32_t>& role) {
  return role && *role <= kGroupRoleManager;
}

Result<std::vector<int64_t>> ownerAndManagerIds(ServiceDeps& deps, int64_t group_id) {
  auto members = deps.store.groupMembers().findMembers(group_id, {});
  if (!members.ok()) return members.status();
  std::vector<int64_t> ids;
  for (const GroupMemberRecord& member : *members) {
    if (member.role <= kGroupRoleManager) ids.push_back(member.user_id);
  }
  return ids;
}

Result<std::optional<int64_t>> groupVersionOf(
    ServiceDeps& deps, int64_t group_id,
    const std::function<Result<std::optional<int64_t>>()>& find_version) {
  auto group = deps.store.groups().findById(group_id);
  if (!group.ok()) return group.status();
  if (!*group || (*group)->deletion_date) return std::optional<int64_t>();
  auto version = find_version();
  if (!version.ok()) return version.status();
  return std::optional<int64_t>(version->value_or((*group)->creation_date));
}

}  // namespace parley
