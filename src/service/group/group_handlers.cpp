#include "service/group/group_handlers.h"
#include "service/domain_registrar.h"
#include "service/versioned_query.h"
#include "service/visible_status.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/snowflake.h"
#include "online/session_registry.h"
#include "service/group/group_strategies.h"
#include "service/group/group_types.h"
#include "store/group_lifecycle.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream caps a query at 1000 ids and an add or remove at 100 users per request.
constexpr int kMaxQueriedIds = 1000;
constexpr size_t kMaxChangedMembers = 100;
// The role rank of a non-member: below every GroupMemberRole (lower numbers rank higher).
constexpr int32_t kNoRole = INT32_MAX;

// Ids in request order, without repeats.
template <typename Ids>
std::vector<int64_t> uniqueIds(const Ids& ids) {
  std::vector<int64_t> unique;
  unique.reserve(static_cast<size_t>(ids.size()));
  for (const int64_t id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  return unique;
}

bool contains(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// A push of the client's own request to user_ids and to the requester's other sessions. The
// requester is taken out of user_ids: the gateway pushes to user_ids and then, separately, to
// the requester's other sessions, which would otherwise get the notification twice.
RelayPush pushToUsersAndSelf(std::vector<int64_t> user_ids, int64_t requester_id) {
  std::sort(user_ids.begin(), user_ids.end());
  user_ids.erase(std::unique(user_ids.begin(), user_ids.end()), user_ids.end());
  user_ids.erase(std::remove(user_ids.begin(), user_ids.end(), requester_id), user_ids.end());
  RelayPush push;
  push.user_ids = std::move(user_ids);
  push.include_requester_other_sessions = true;
  return push;
}

HandlerResult okWithPush(RelayPush push) {
  HandlerResult result;
  result.pushes.push_back(std::move(push));
  return result;
}

// Upstream's reason for a type outside the allowed ones, e.g. "... the types: 0, 5".
std::string allowedTypesReason(std::string_view what, std::vector<int64_t> type_ids) {
  std::sort(type_ids.begin(), type_ids.end());
  std::string reason = "The requester is only allowed to " + std::string(what) + " the types: ";
  for (size_t i = 0; i < type_ids.size(); ++i) {
    reason += (i > 0 ? ", " : "") + std::to_string(type_ids[i]);
  }
  return reason;
}

// Whether users may give a group this type (upstream's isAllowedCreateGroupWithGroupType and
// isAllowedUpdateGroupToGroupType without the owned-group limits of user roles, which Parley does
// not have): nonexistent_code when no type has the id, no_permission_code when the type is not
// among group.creatable-type-ids.
VoidResult checkTypeAllowed(ServiceDeps& deps, int64_t type_id, StatusCode nonexistent_code,
                            StatusCode no_permission_code, std::string_view what) {
  auto type = deps.group_types.find(type_id);
  if (!type) return type.status();
  if (!*type) return error(nonexistent_code);
  if (!contains(deps.group.creatable_type_ids, type_id)) {
    return error(no_permission_code, allowedTypesReason(what, deps.group.creatable_type_ids));
  }
  return {};
}

bool isLive(const std::optional<GroupRecord>& group) {
  return group.has_value() && !group->deletion_date.has_value();
}

pb::Group toProto(const GroupRecord& group) {
  pb::Group proto;
  proto.set_id(group.id);
  proto.set_type_id(group.type_id);
  proto.set_creator_id(group.creator_id);
  proto.set_owner_id(group.owner_id);
  proto.set_name(group.name);
  proto.set_intro(group.intro);
  proto.set_announcement(group.announcement);
  proto.set_creation_date(group.creation_date);
  proto.set_last_updated_date(group.last_updated_date);
  if (group.mute_end_date) proto.set_mute_end_date(*group.mute_end_date);
  proto.set_active(group.is_active);
  return proto;
}

// Groups that are not deleted, as GroupsWithVersion; the version is the newest of the groups'
// own dates and `floor` (the caller's other version source).
pb::GroupsWithVersion liveGroupsWithVersion(const std::vector<GroupRecord>& groups, int64_t floor) {
  pb::GroupsWithVersion result;
  int64_t newest = floor;
  for (const GroupRecord& group : groups) {
    if (group.deletion_date) continue;
    newest = std::max(newest, group.last_updated_date);
    *result.add_groups() = toProto(group);
  }
  result.set_last_updated_date(newest);
  return result;
}

// Changes the owner of a live group from requester_id to successor_id (moveGroupOwnership, after
// the client's checks).
VoidResult transferOwnership(ServiceDeps& deps, int64_t requester_id, int64_t group_id,
                             int64_t successor_id, bool quit, int64_t now) {
  auto group = deps.store.groups().findById(group_id);
  if (!group) return group.status();
  if (!isLive(*group)) return error(StatusCode::kTransferNonexistentGroup);
  auto requester = deps.store.groupMembers().find(group_id, requester_id);
  if (!requester) return requester.status();
  if (!*requester || (*requester)->role != kGroupRoleOwner) {
    return error(StatusCode::kNotGroupOwnerToTransferGroup);
  }
  if (successor_id == requester_id) return {};  // already the owner, as upstream
  auto successor = deps.store.groupMembers().find(group_id, successor_id);
  if (!successor) return successor.status();
  if (!*successor) return error(StatusCode::kGroupSuccessorNotGroupMember);
  // The successor must be allowed to own a group of its type, as upstream checks (its
  // isAllowedToCreateGroupAndHaveGroupType).
  if (const VoidResult allowed = checkTypeAllowed(
          deps, (*group)->type_id, StatusCode::kCreateGroupWithNonexistentGroupType,
          StatusCode::kNoPermissionToCreateGroupWithGroupType, "create groups with");
      !allowed) {
    return allowed;
  }

  return moveGroupOwnership(deps.store.groups(), deps.store.groupMembers(), group_id, requester_id,
                            successor_id, quit, now);
}

// Groups

HandlerResult createGroup(ServiceDeps& deps, const RequestContext& ctx,
                          const TurmsRequest& request) {
  const auto& req = request.create_group_request();
  if (req.has_min_score() && req.min_score() < 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "min_score must not be negative");
  }
  auto user = deps.store.users().findById(ctx.user_id);
  if (!user) return HandlerResult::failure(user.status());
  if (!*user || (*user)->deletion_date || !(*user)->is_active) {
    return HandlerResult::failure(StatusCode::kNotActiveUserToCreateGroup);
  }
  const int64_t type_id = req.has_type_id() ? req.type_id() : kDefaultGroupTypeId;
  if (const VoidResult allowed = checkTypeAllowed(
          deps, type_id, StatusCode::kCreateGroupWithNonexistentGroupType,
          StatusCode::kNoPermissionToCreateGroupWithGroupType, "create groups with");
      !allowed) {
    return HandlerResult::failure(allowed.status());
  }
  const int64_t now = deps.clock.nowMillis();
  GroupRecord group;
  group.id = deps.ids.next();
  group.type_id = type_id;
  group.creator_id = ctx.user_id;
  group.owner_id = ctx.user_id;
  group.name = req.name();
  group.intro = req.intro();
  group.announcement = req.announcement();
  group.minimum_score = req.min_score();
  if (req.has_mute_end_date()) group.mute_end_date = req.mute_end_date();
  group.creation_date = now;
  group.last_updated_date = now;
  group.members_last_updated_date = now;
  if (auto created = createGroupWithOwner(deps.store.groups(), deps.store.groupMembers(), group);
      !created) {
    return HandlerResult::failure(created.status());
  }
  HandlerResult result = HandlerResult::withLong(group.id);
  result.pushes.push_back(pushToUsersAndSelf({}, ctx.user_id));
  return result;
}

HandlerResult deleteGroup(ServiceDeps& deps, const RequestContext& ctx,
                          const TurmsRequest& request) {
  const int64_t group_id = request.delete_group_request().group_id();
  auto requester = deps.store.groupMembers().find(group_id, ctx.user_id);
  if (!requester) return HandlerResult::failure(requester.status());
  if (!*requester || (*requester)->role != kGroupRoleOwner) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerToDeleteGroup);
  }
  // The recipients are computed before the members go.
  auto member_ids = deps.store.groupMembers().findMemberIds(group_id);
  if (!member_ids) return HandlerResult::failure(member_ids.status());
  const int64_t now = deps.clock.nowMillis();
  // An owner who is still a member of a deleted group retries a delete that failed halfway: its
  // members are removed now.
  if (auto deleted =
          deleteGroupWithMembers(deps.store.groups(), deps.store.groupMembers(), group_id, now);
      !deleted) {
    return HandlerResult::failure(deleted.status());
  }
  return okWithPush(pushToUsersAndSelf(std::move(member_ids).value(), ctx.user_id));
}

HandlerResult queryGroups(ServiceDeps& deps, const RequestContext& ctx,
                          const TurmsRequest& request) {
  const auto& req = request.query_groups_request();
  if (req.has_name()) {
    // Searching by name needs a search index, which Parley does not have (upstream: 7100).
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "Searching groups by name is not supported");
  }
  if (req.group_ids_size() == 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "group_ids must not be empty");
  }
  if (req.group_ids_size() > kMaxQueriedIds) {
    return HandlerResult::failure(StatusCode::kRequestedRecordsTooMany,
                                  "At most 1000 groups can be queried at once");
  }
  const std::vector<int64_t> ids = uniqueIds(req.group_ids());
  auto groups = deps.store.groups().findByIds(ids);
  if (!groups) return HandlerResult::failure(groups.status());
  pb::GroupsWithVersion result = liveGroupsWithVersion(*groups, 0);
  if (result.groups_size() == 0) return HandlerResult::failure(StatusCode::kNoContent);
  if (isUpToDate(req, result.last_updated_date())) {
    return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  }
  TurmsNotification::Data data;
  *data.mutable_groups_with_version() = std::move(result);
  return HandlerResult::withData(std::move(data));
}

HandlerResult queryJoinedGroupIds(ServiceDeps& deps, const RequestContext& ctx,
                                  const TurmsRequest& request) {
  const auto& req = request.query_joined_group_ids_request();
  if (req.user_ids_for_common_groups_size() > 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "user_ids_for_common_groups is not supported");
  }
  auto version = deps.store.groupMembers().findJoinedGroupsVersion(ctx.user_id);
  if (!version) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  const int64_t joined_version = version->value_or(0);
  auto ids = deps.store.groupMembers().findJoinedGroupIds(ctx.user_id);
  if (!ids) return HandlerResult::failure(ids.status());
  if (ids->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  auto* longs = data.mutable_longs_with_version();
  longs->mutable_longs()->Add(ids->begin(), ids->end());
  longs->set_last_updated_date(joined_version);
  return HandlerResult::withData(std::move(data));
}

HandlerResult queryJoinedGroupInfos(ServiceDeps& deps, const RequestContext& ctx,
                                    const TurmsRequest& request) {
  const auto& req = request.query_joined_group_infos_request();
  if (req.user_ids_for_common_groups_size() > 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "user_ids_for_common_groups is not supported");
  }
  auto version = deps.store.groupMembers().findJoinedGroupsVersion(ctx.user_id);
  if (!version) return HandlerResult::failure(version.status());
  auto ids = deps.store.groupMembers().findJoinedGroupIds(ctx.user_id);
  if (!ids) return HandlerResult::failure(ids.status());
  auto groups = deps.store.groups().findByIds(*ids);
  if (!groups) return HandlerResult::failure(groups.status());
  // Joining or leaving changes the list and editing a group changes its info: either is news.
  pb::GroupsWithVersion result = liveGroupsWithVersion(*groups, version->value_or(0));
  if (isUpToDate(req, result.last_updated_date())) {
    return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  }
  if (result.groups_size() == 0) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  *data.mutable_groups_with_version() = std::move(result);
  return HandlerResult::withData(std::move(data));
}

HandlerResult updateGroup(ServiceDeps& deps, const RequestContext& ctx,
                          const TurmsRequest& request) {
  const auto& req = request.update_group_request();
  const int64_t group_id = req.group_id();
  const int64_t now = deps.clock.nowMillis();
  if (req.has_successor_id()) {
    // A transfer ignores the other fields, as upstream.
    const VoidResult transferred =
        transferOwnership(deps, ctx.user_id, group_id, req.successor_id(),
                          req.has_quit_after_transfer() && req.quit_after_transfer(), now);
    if (!transferred) return HandlerResult::failure(transferred.status());
  } else {
    if (req.has_type_id()) {
      if (!deps.group.allow_group_owner_change_group_type) {
        return HandlerResult::failure(StatusCode::kUpdatingGroupTypeIsDisabled);
      }
      if (const VoidResult allowed = checkTypeAllowed(
              deps, req.type_id(), StatusCode::kUpdateGroupToNonexistentGroupType,
              StatusCode::kNoPermissionToUpdateGroupToGroupType, "update groups to");
          !allowed) {
        return HandlerResult::failure(allowed.status());
      }
    }
    if (req.has_min_score() && req.min_score() < 0) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "min_score must not be negative");
    }
    auto group = deps.store.groups().findById(group_id);
    if (!group) return HandlerResult::failure(group.status());
    if (!isLive(*group)) return HandlerResult::failure(StatusCode::kUpdateInfoOfNonexistentGroup);
    auto requester = deps.store.groupMembers().find(group_id, ctx.user_id);
    if (!requester) return HandlerResult::failure(requester.status());
    if (!*requester || (*requester)->role > kGroupRoleManager) {
      return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToUpdateGroupInfo);
    }
    GroupUpdate update;
    if (req.has_name()) update.name = req.name();
    if (req.has_intro()) update.intro = req.intro();
    if (req.has_announcement()) update.announcement = req.announcement();
    if (req.has_min_score()) update.minimum_score = req.min_score();
    if (req.has_type_id()) update.type_id = req.type_id();
    if (req.has_mute_end_date()) update.mute_end_date = req.mute_end_date();
    if (!update.name && !update.intro && !update.announcement && !update.minimum_score &&
        !update.type_id && !update.mute_end_date) {
      return HandlerResult::ok();  // nothing changes, so nobody is told
    }
    update.last_updated_date = now;
    auto updated = deps.store.groups().update(group_id, update);
    if (!updated) return HandlerResult::failure(updated.status());
    if (!*updated) return HandlerResult::failure(StatusCode::kUpdateInfoOfNonexistentGroup);
  }
  auto member_ids = deps.store.groupMembers().findMemberIds(group_id);
  if (!member_ids) return HandlerResult::failure(member_ids.status());
  return okWithPush(pushToUsersAndSelf(std::move(member_ids).value(), ctx.user_id));
}

// Members

// Upstream's refusal of an add by someone outside the roles the strategy names.
StatusCode notAllowedToAdd(GroupAdders adders) {
  switch (adders) {
    case GroupAdders::kOwner:
      return StatusCode::kNotGroupOwnerToAddGroupMember;
    case GroupAdders::kOwnerManager:
      return StatusCode::kNotGroupOwnerOrManagerToAddGroupMember;
    default:
      return StatusCode::kNotGroupMemberToAddGroupMember;
  }
}

HandlerResult createGroupMembers(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.create_group_members_request();
  const int64_t group_id = req.group_id();
  const std::vector<int64_t> user_ids = uniqueIds(req.user_ids());
  if (user_ids.empty()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "user_ids must not be empty");
  }
  if (user_ids.size() > kMaxChangedMembers) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "At most 100 users can be added at once");
  }
  const bool joins_itself = contains(user_ids, ctx.user_id);
  if (joins_itself && user_ids.size() > 1) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "Cannot add oneself and other users to a group in one request");
  }
  const int32_t role = req.has_role() ? static_cast<int32_t>(req.role()) : kGroupRoleMember;
  if (!pb::GroupMemberRole_IsValid(role)) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "unknown role");
  }
  if (joins_itself && role != kGroupRoleMember) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The role of the new group member for the requester must be "
                                  "MEMBER");
  }
  if (role == kGroupRoleOwner) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The role of the new member must not be OWNER");
  }
  if (role >= kGroupRoleGuest) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The role of the new member must not be GUEST");
  }
  auto group = deps.store.groups().findById(group_id);
  if (!group) return HandlerResult::failure(group.status());
  if (!isLive(*group) || !(*group)->is_active) {
    return HandlerResult::failure(StatusCode::kAddUserToInactiveGroup);
  }
  auto type = deps.group_types.find((*group)->type_id);
  if (!type) return HandlerResult::failure(type.status());
  // A group whose type was deleted takes no members, as upstream (whose lookup of the group's
  // type finds nothing then, which it answers as an inactive group).
  if (!*type) return HandlerResult::failure(StatusCode::kAddUserToInactiveGroup);
  auto& members = deps.store.groupMembers();
  if (joins_itself) {
    // Only the MEMBERSHIP_REQUEST join strategy lets a user in by asking; the others name the
    // way in (an invitation, the join questions, a join request).
    if (const StatusCode refusal = selfJoinRefusal((*type)->join_strategy);
        refusal != StatusCode::kOk) {
      return HandlerResult::failure(refusal);
    }
  } else {
    // Under a strategy requiring approval users join by accepting an invitation; under the
    // others the roles the strategy names add them directly, and only the owner adds managers.
    const GroupInvitationStrategy strategy = (*type)->invitation_strategy;
    if (requiresApproval(strategy)) {
      return HandlerResult::failure(StatusCode::kAddUserToGroupRequiringUsersApproval);
    }
    auto requester = members.find(group_id, ctx.user_id);
    if (!requester) return HandlerResult::failure(requester.status());
    const int32_t requester_role = *requester ? (*requester)->role : kNoRole;
    if (role == kGroupRoleManager && requester_role != kGroupRoleOwner) {
      return HandlerResult::failure(StatusCode::kNotGroupOwnerToAddGroupManager);
    }
    const GroupAdders adders = addersOf(strategy);
    if (!mayAdd(adders, requester_role)) return HandlerResult::failure(notAllowedToAdd(adders));
  }
  auto users = deps.store.users().findByIds(user_ids);
  if (!users) return HandlerResult::failure(users.status());
  std::vector<int64_t> usable;
  for (const UserRecord& user : *users) {
    if (!user.deletion_date && user.is_active) usable.push_back(user.id);
  }
  for (const int64_t user_id : user_ids) {
    if (!contains(usable, user_id)) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "No active user has the id " + std::to_string(user_id));
    }
  }
  auto blocked = deps.store.groupBlocklist().findBlockedAmong(group_id, user_ids);
  if (!blocked) return HandlerResult::failure(blocked.status());
  if (!blocked->empty()) {
    std::string ids;
    for (const int64_t id : *blocked) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    return HandlerResult::failure(StatusCode::kAddBlockedUserToGroup,
                                  "The blocked user IDs: " + ids);
  }
  auto current = members.findMemberIds(group_id);
  if (!current) return HandlerResult::failure(current.status());
  std::vector<GroupMemberRecord> added;
  const int64_t now = deps.clock.nowMillis();
  for (const int64_t user_id : user_ids) {
    if (contains(*current, user_id)) continue;  // already members are skipped
    GroupMemberRecord member;
    member.group_id = group_id;
    member.user_id = user_id;
    member.name = req.name();
    member.role = role;
    member.join_date = now;
    if (req.has_mute_end_date()) member.mute_end_date = req.mute_end_date();
    added.push_back(std::move(member));
  }
  if (added.empty()) return HandlerResult::ok();
  if (current->size() + added.size() > static_cast<size_t>((*type)->group_size_limit)) {
    return HandlerResult::failure(StatusCode::kAddUserToGroupWithSizeLimitReached);
  }
  if (auto inserted = members.insertMany(added); !inserted) {
    return HandlerResult::failure(inserted.status());
  }
  std::vector<int64_t> recipients = std::move(current).value();
  for (const GroupMemberRecord& member : added) recipients.push_back(member.user_id);
  return okWithPush(pushToUsersAndSelf(std::move(recipients), ctx.user_id));
}

HandlerResult deleteGroupMembers(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.delete_group_members_request();
  const int64_t group_id = req.group_id();
  const std::vector<int64_t> member_ids = uniqueIds(req.member_ids());
  if (member_ids.size() > kMaxChangedMembers) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "At most 100 members can be removed at once");
  }
  const bool quits = member_ids.size() == 1 && member_ids[0] == ctx.user_id;
  if (!quits && contains(member_ids, ctx.user_id)) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "Cannot quit a group while removing other members");
  }
  auto& members = deps.store.groupMembers();
  // Everyone who was a member hears of the change, including those removed.
  auto recipients = members.findMemberIds(group_id);
  if (!recipients) return HandlerResult::failure(recipients.status());
  const int64_t now = deps.clock.nowMillis();

  if (req.has_successor_id() && req.successor_id() != ctx.user_id) {
    // The owner hands the group over, and quits when asked to or when quitting is the request
    // itself (transfer first, then quit).
    if (!member_ids.empty() && !quits) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "Cannot transfer the ownership while removing other members");
    }
    const bool quit = quits || (req.has_quit_after_transfer() && req.quit_after_transfer());
    const VoidResult transferred =
        transferOwnership(deps, ctx.user_id, group_id, req.successor_id(), quit, now);
    if (!transferred) return HandlerResult::failure(transferred.status());
    return okWithPush(pushToUsersAndSelf(std::move(recipients).value(), ctx.user_id));
  }
  if (member_ids.empty()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "member_ids must not be empty");
  }

  auto requester = members.find(group_id, ctx.user_id);
  if (!requester) return HandlerResult::failure(requester.status());
  if (quits) {
    if (!*requester) return HandlerResult::ok();  // not a member: nothing to leave
    if ((*requester)->role == kGroupRoleOwner) {
      return HandlerResult::failure(StatusCode::kGroupOwnerQuitWithoutSpecifyingSuccessor);
    }
  } else {
    if (!*requester || (*requester)->role > kGroupRoleManager) {
      return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToRemoveGroupMember);
    }
    auto targets = members.findMembers(group_id, member_ids);
    if (!targets) return HandlerResult::failure(targets.status());
    for (const GroupMemberRecord& target : *targets) {
      // Only someone above the target may remove it: the owner removes managers, nobody the
      // owner (who quits instead).
      if (target.role <= (*requester)->role) {
        return HandlerResult::failure(
            StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager,
            "No permission to remove the member " + std::to_string(target.user_id));
      }
    }
    if (targets->empty()) return HandlerResult::ok();  // none of them is a member
  }
  auto removed = members.remove(group_id, member_ids, now);
  if (!removed) return HandlerResult::failure(removed.status());
  if (*removed == 0) return HandlerResult::ok();
  return okWithPush(pushToUsersAndSelf(std::move(recipients).value(), ctx.user_id));
}

// The checks follow upstream's for the DEFAULT group type: member info is updated by the owner
// and managers, and members may rename themselves. A role change is the owner's and takes the
// other fields with it; muting needs a role above the target's.
HandlerResult updateGroupMember(ServiceDeps& deps, const RequestContext& ctx,
                                const TurmsRequest& request) {
  const auto& req = request.update_group_member_request();
  const int64_t group_id = req.group_id();
  const int64_t member_id = req.member_id();
  GroupMemberUpdate update;
  if (req.has_name()) update.name = req.name();
  if (req.has_mute_end_date()) update.mute_end_date = req.mute_end_date();
  if (req.has_role()) {
    if (!pb::GroupMemberRole_IsValid(req.role())) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "unknown role");
    }
    if (req.role() == pb::OWNER) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "The owner changes by transferring the group (successor_id)");
    }
    update.role = req.role();
  }
  if (!update.name && !update.mute_end_date && !update.role) return HandlerResult::ok();

  auto group = deps.store.groups().findById(group_id);
  if (!group) return HandlerResult::failure(group.status());
  const bool live = isLive(*group);
  auto& members = deps.store.groupMembers();
  if (update.role && !live) {
    return HandlerResult::failure(StatusCode::kUpdateGroupMemberRoleOfNonexistentGroup);
  }
  if (update.mute_end_date && !update.role) {
    if (member_id == ctx.user_id) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "Cannot mute oneself");
    }
    if (!live) return HandlerResult::failure(StatusCode::kMuteGroupMemberOfNonexistentGroup);
  }
  if (!live) return HandlerResult::failure(StatusCode::kUpdateGroupMemberInfoOfNonexistentGroup);

  // The requester's role is checked before anything about the target is revealed.
  auto requester = members.find(group_id, ctx.user_id);
  if (!requester) return HandlerResult::failure(requester.status());
  const int32_t requester_role = *requester ? (*requester)->role : kNoRole;
  if (update.role && requester_role != kGroupRoleOwner) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerToUpdateGroupMemberRole);
  }
  if (update.mute_end_date && !update.role && !*requester) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToMuteGroupMember);
  }
  auto target = members.find(group_id, member_id);
  if (!target) return HandlerResult::failure(target.status());
  if (!*target) {
    return HandlerResult::failure(update.mute_end_date && !update.role
                                      ? StatusCode::kMuteNonexistentGroupMember
                                      : StatusCode::kUpdateInfoOfNonexistentGroupMember);
  }
  if (update.role && (*target)->role == kGroupRoleOwner) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The owner changes by transferring the group (successor_id)");
  }
  if (update.mute_end_date && !update.role && requester_role >= (*target)->role) {
    return HandlerResult::failure(StatusCode::kMuteGroupMemberWithRoleEqualToOrHigherThanRequester);
  }
  const bool renames_itself = member_id == ctx.user_id && !update.mute_end_date;
  if (update.name && !update.role && !renames_itself && requester_role > kGroupRoleManager) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToUpdateGroupMemberInfo);
  }
  auto updated = members.update(group_id, member_id, update, deps.clock.nowMillis());
  if (!updated) return HandlerResult::failure(updated.status());
  if (!*updated) return HandlerResult::failure(StatusCode::kUpdateInfoOfNonexistentGroupMember);
  // Only the requester's other sessions hear of it, as upstream's default notification settings.
  return okWithPush(pushToUsersAndSelf({}, ctx.user_id));
}

HandlerResult queryGroupMembers(ServiceDeps& deps, const RequestContext& ctx,
                                const TurmsRequest& request) {
  const auto& req = request.query_group_members_request();
  const int64_t group_id = req.group_id();
  if (req.member_ids_size() > kMaxQueriedIds) {
    return HandlerResult::failure(StatusCode::kRequestedRecordsTooMany,
                                  "At most 1000 members can be queried at once");
  }
  auto& members = deps.store.groupMembers();
  auto requester = members.find(group_id, ctx.user_id);
  if (!requester) return HandlerResult::failure(requester.status());
  if (!*requester) return HandlerResult::failure(StatusCode::kNotGroupMemberToQueryGroupMemberInfo);

  pb::GroupMembersWithVersion result;
  const std::vector<int64_t> member_ids = uniqueIds(req.member_ids());
  if (member_ids.empty()) {
    // The whole list is versioned; a subset is not (as upstream), so it carries no version.
    auto group = deps.store.groups().findById(group_id);
    if (!group) return HandlerResult::failure(group.status());
    if (!isLive(*group)) {
      return HandlerResult::failure(StatusCode::kNotGroupMemberToQueryGroupMemberInfo);
    }
    const int64_t version = (*group)->members_last_updated_date;
    if (isUpToDate(req, version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
    result.set_last_updated_date(version);
  }
  auto found = members.findMembers(group_id, member_ids);
  if (!found) return HandlerResult::failure(found.status());
  if (found->empty()) return HandlerResult::failure(StatusCode::kNoContent);

  std::unordered_map<int64_t, UserOnlineInfo> online;
  if (req.has_with_status() && req.with_status()) {
    std::vector<int64_t> ids;
    ids.reserve(found->size());
    for (const GroupMemberRecord& member : *found) ids.push_back(member.user_id);
    auto infos = deps.sessions.query(ids);
    if (!infos) return HandlerResult::failure(infos.status());
    for (UserOnlineInfo& info : *infos) online.emplace(info.user_id, std::move(info));
  }
  for (const GroupMemberRecord& member : *found) {
    auto* proto = result.add_group_members();
    proto->set_group_id(member.group_id);
    proto->set_user_id(member.user_id);
    proto->set_name(member.name);
    proto->set_role(static_cast<pb::GroupMemberRole>(member.role));
    proto->set_join_date(member.join_date);
    if (member.mute_end_date) proto->set_mute_end_date(*member.mute_end_date);
    if (req.has_with_status() && req.with_status()) {
      const auto it = online.find(member.user_id);
      const pb::UserStatus status = it == online.end()
                                        ? pb::OFFLINE
                                        : visibleStatus(it->second, member.user_id == ctx.user_id,
                                                        deps.user.respond_offline_if_invisible);
      proto->set_user_status(status);
      if (status != pb::OFFLINE) {
        for (const DeviceSession& device : it->second.devices) {
          proto->add_using_device_types(static_cast<pb::DeviceType>(device.device_type));
        }
      }
    }
  }
  TurmsNotification::Data data;
  *data.mutable_group_members_with_version() = std::move(result);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerGroupHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateGroupRequest, &createGroup);
  domain.add(TurmsRequest::kDeleteGroupRequest, &deleteGroup);
  domain.add(TurmsRequest::kQueryGroupsRequest, &queryGroups);
  domain.add(TurmsRequest::kQueryJoinedGroupIdsRequest, &queryJoinedGroupIds);
  domain.add(TurmsRequest::kQueryJoinedGroupInfosRequest, &queryJoinedGroupInfos);
  domain.add(TurmsRequest::kUpdateGroupRequest, &updateGroup);
  domain.add(TurmsRequest::kCreateGroupMembersRequest, &createGroupMembers);
  domain.add(TurmsRequest::kDeleteGroupMembersRequest, &deleteGroupMembers);
  domain.add(TurmsRequest::kQueryGroupMembersRequest, &queryGroupMembers);
  domain.add(TurmsRequest::kUpdateGroupMemberRequest, &updateGroupMember);
}

}  // namespace parley
