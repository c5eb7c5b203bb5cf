#pragma once
// What a group type's strategies allow, as upstream's GroupInvitationStrategy and
// GroupJoinStrategy (turms-service domain/group/bo) and the checks GroupMemberService makes with
// them. Pure functions: the handlers map each answer to the status code of their own request.
#include <cstdint>

#include "core/status_code.h"
#include "store/group_type_repository.h"

namespace parley {

// Who may add users to a group (or invite them), by role.
enum class GroupAdders { kAnyone, kOwnerManagerMember, kOwnerManager, kOwner };

GroupAdders addersOf(GroupInvitationStrategy strategy);
// Whether users are added only once they accept an invitation (the *_REQUIRING_APPROVAL
// strategies); the others let the allowed roles add users directly.
bool requiresApproval(GroupInvitationStrategy strategy);
// Whether someone with `role` (a GroupMemberRole; any other value for a non-member) is among
// `adders`.
bool mayAdd(GroupAdders adders, int32_t role);
// A user adding itself: kOk under MEMBERSHIP_REQUEST, else the code naming the way in (accept an
// invitation, answer the questions, send a join request).
StatusCode selfJoinRefusal(GroupJoinStrategy strategy);

}  // namespace parley
