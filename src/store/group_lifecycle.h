#pragma once
// The writes of a group's life that span a group and its members: creating it with its owner,
// deleting it with its members, and moving the ownership. One place for the client handlers
// (service/group/group_handlers.cpp) and the admin API (admin/group_routes.cpp), so that a group
// an admin creates, deletes or hands over is stored exactly as a client's.
//
// None of them is one transaction (the repositories have none across calls, as MongoDB without
// cross-shard transactions); each orders its writes so that a failure halfway leaves a state
// that the rules tolerate and a retry completes, as said per function.
#include <cstdint>

#include "core/result.h"
#include "store/group_repository.h"

namespace parley {

// Stores the group and its owner as an OWNER member who joined at the group's creation date.
// When the owner cannot be stored, the group is soft-deleted again (its id is never handed out
// again, and a deleted group is invisible to every query), so no live group is left without one.
VoidResult createGroupWithOwner(GroupRepository& groups, GroupMemberRepository& members,
                                const GroupRecord& group);

// Soft-deletes the group and removes its members. false when the group was not live; the
// members are removed anyway, so that retrying a delete that failed halfway completes it.
Result<bool> deleteGroupWithMembers(GroupRepository& groups, GroupMemberRepository& members,
                                    int64_t group_id, int64_t now_millis);

// Hands a live group from owner_id to successor_id, who must be a member: the successor becomes
// OWNER, the old owner a MEMBER or, with quit, no member at all. The successor is promoted first,
// so a failure halfway leaves a group with two owners, never none.
// kGroupSuccessorNotGroupMember when the successor is not (or no longer) a member.
VoidResult moveGroupOwnership(GroupRepository& groups, GroupMemberRepository& members,
                              int64_t group_id, int64_t owner_id, int64_t successor_id, bool quit,
                              int64_t now_millis);

}  // namespace parley
