#include "store/group_lifecycle.h"

#include <spdlog/spdlog.h>

#include <span>

namespace parley {

VoidResult createGroupWithOwner(GroupRepository& groups, GroupMemberRepository& members,
                                const GroupRecord& group) {
  if (VoidResult inserted = groups.insert(group); !inserted) return inserted;
  GroupMemberRecord owner;
  owner.group_id = group.id;
  owner.user_id = group.owner_id;
  owner.role = kGroupRoleOwner;
  owner.join_date = group.creation_date;
  if (auto added = members.insertMany(std::span(&owner, 1)); !added) {
    if (auto deleted = groups.softDelete(group.id, group.creation_date); !deleted) {
      spdlog::error("group {} of user {} was created without its owner and could not be deleted",
                    group.id, group.owner_id);
    }
    return added.status();
  }
  return {};
}

Result<bool> deleteGroupWithMembers(GroupRepository& groups, GroupMemberRepository& members,
                                    int64_t group_id, int64_t now_millis) {
  auto deleted = groups.softDelete(group_id, now_millis);
  if (!deleted) return deleted.status();
  if (auto removed = members.removeAll(group_id, now_millis); !removed) {
    spdlog::error("group {} is deleted but its members could not be removed: {}", group_id,
                  removed.status().reason);
    return removed.status();
  }
  return *deleted;
}

VoidResult moveGroupOwnership(GroupRepository& groups, GroupMemberRepository& members,
                              int64_t group_id, int64_t owner_id, int64_t successor_id, bool quit,
                              int64_t now_millis) {
  auto promoted = members.updateRole(group_id, successor_id, kGroupRoleOwner, now_millis);
  if (!promoted) return promoted.status();
  if (!*promoted) return error(StatusCode::kGroupSuccessorNotGroupMember);
  GroupUpdate update;
  update.owner_id = successor_id;
  update.last_updated_date = now_millis;
  if (auto updated = groups.update(group_id, update); !updated) {
    spdlog::error("group {}: member {} is OWNER but owner_id is still {}: {}", group_id,
                  successor_id, owner_id, updated.status().reason);
    return updated.status();
  }
  if (quit) {
    const int64_t old_owner[] = {owner_id};
    if (auto removed = members.remove(group_id, old_owner, now_millis); !removed) {
      spdlog::error("group {}: ownership moved to {} but {} could not quit: {}", group_id,
                    successor_id, owner_id, removed.status().reason);
      return removed.status();
    }
  } else if (auto demoted = members.updateRole(group_id, owner_id, kGroupRoleMember, now_millis);
             !demoted) {
    spdlog::error("group {}: ownership moved to {} but {} is still OWNER: {}", group_id,
                  successor_id, owner_id, demoted.status().reason);
    return demoted.status();
  }
  return {};
}

}  // namespace parley
