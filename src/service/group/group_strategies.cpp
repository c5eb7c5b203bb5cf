#include "service/group/group_strategies.h"

#include "store/group_repository.h"

namespace parley {

GroupAdders addersOf(GroupInvitationStrategy strategy) {
  switch (strategy) {
    case GroupInvitationStrategy::kAll:
    case GroupInvitationStrategy::kAllRequiringApproval:
      return GroupAdders::kAnyone;
    case GroupInvitationStrategy::kOwnerManagerMember:
    case GroupInvitationStrategy::kOwnerManagerMemberRequiringApproval:
      return GroupAdders::kOwnerManagerMember;
    case GroupInvitationStrategy::kOwnerManager:
    case GroupInvitationStrategy::kOwnerManagerRequiringApproval:
      return GroupAdders::kOwnerManager;
    case GroupInvitationStrategy::kOwner:
    case GroupInvitationStrategy::kOwnerRequiringApproval:
      return GroupAdders::kOwner;
  }
  return GroupAdders::kOwner;  // not reached: the stores only hold valid ordinals
}

bool requiresApproval(GroupInvitationStrategy strategy) {
  switch (strategy) {
    case GroupInvitationStrategy::kAllRequiringApproval:
    case GroupInvitationStrategy::kOwnerManagerMemberRequiringApproval:
    case GroupInvitationStrategy::kOwnerManagerRequiringApproval:
    case GroupInvitationStrategy::kOwnerRequiringApproval:
      return true;
    default:
      return false;
  }
}

bool mayAdd(GroupAdders adders, int32_t role) {
  switch (adders) {
    case GroupAdders::kAnyone:
      return true;
    case GroupAdders::kOwnerManagerMember:
      return role == kGroupRoleOwner || role == kGroupRoleManager || role == kGroupRoleMember;
    case GroupAdders::kOwnerManager:
      return role == kGroupRoleOwner || role == kGroupRoleManager;
    case GroupAdders::kOwner:
      return role == kGroupRoleOwner;
  }
  return false;
}

StatusCode selfJoinRefusal(GroupJoinStrategy strategy) {
  switch (strategy) {
    case GroupJoinStrategy::kMembershipRequest:
      return StatusCode::kOk;
    case GroupJoinStrategy::kInvitation:
      return StatusCode::kUserJoinGroupWithoutAcceptingGroupInvitation;
    case GroupJoinStrategy::kQuestion:
      return StatusCode::kUserJoinGroupWithoutAnsweringGroupQuestion;
    case GroupJoinStrategy::kJoinRequest:
      return StatusCode::kUserJoinGroupWithoutSendingGroupJoinRequest;
  }
  return StatusCode::kUserJoinGroupWithoutAcceptingGroupInvitation;
}

}  // namespace parley
