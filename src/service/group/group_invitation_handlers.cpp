#include "service/group/group_invitation_handlers.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/snowflake.h"
#include "service/domain_registrar.h"
#include "service/group/group_enrollment.h"
#include "service/group/group_roles.h"
#include "service/group/group_strategies.h"
#include "service/group/group_types.h"
#include "service/pending_requests.h"
#include "service/versioned_query.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream's refusal of an invitation by someone outside the roles the strategy names.
StatusCode notAllowedToInvite(GroupAdders adders) {
  switch (adders) {
    case GroupAdders::kOwner:
      return StatusCode::kNotGroupOwnerToSendGroupInvitation;
    case GroupAdders::kOwnerManager:
      return StatusCode::kNotGroupOwnerOrManagerToSendGroupInvitation;
    default:
      return StatusCode::kNotGroupMemberToSendGroupInvitation;
  }
}

// Checks in upstream's order (GroupInvitationService.authAndCreateGroupInvitation): the inviter's
// role under the type's strategy, the invitee neither a member nor blocked, and a strategy that
// needs the invitee's approval (else owners add users directly: 3702).
HandlerResult createGroupInvitation(ServiceDeps& deps, const RequestContext& ctx,
                                    const TurmsRequest& request) {
  const auto& req = request.create_group_invitation_request();
  const GroupInvitationConfig& config = deps.group.invitation;
  if (auto refused = checkLength(req.content(), config.max_content_length, "content")) {
    return *refused;
  }
  const int64_t group_id = req.group_id();
  auto inviter_role = roleOf(deps, group_id, ctx.user_id);
  if (!inviter_role.ok()) return HandlerResult::failure(inviter_role.status());
  if (!*inviter_role)
    return HandlerResult::failure(StatusCode::kNotGroupMemberToSendGroupInvitation);
  auto group = liveGroup(deps, group_id);
  if (!group.ok()) return HandlerResult::failure(group.status());
  const GroupInvitationStrategy strategy = group->type.invitation_strategy;
  if (const GroupAdders adders = addersOf(strategy); !mayAdd(adders, **inviter_role)) {
    return HandlerResult::failure(notAllowedToInvite(adders));
  }
  auto invitee_role = roleOf(deps, group_id, req.invitee_id());
  if (!invitee_role.ok()) return HandlerResult::failure(invitee_role.status());
  if (*invitee_role) return HandlerResult::failure(StatusCode::kSendGroupInvitationToGroupMember);
  const int64_t invitee[] = {req.invitee_id()};
  auto blocked = deps.store.groupBlocklist().findBlockedAmong(group_id, invitee);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  if (!blocked->empty())
    return HandlerResult::failure(StatusCode::kSendGroupInvitationToBlockedUser);
  if (!requiresApproval(strategy)) {
    return HandlerResult::failure(StatusCode::kSendGroupInvitationToGroupNotRequiringUsersApproval);
  }
  // Upstream stores invitations to any id; inviting a user who does not exist is a client error.
  auto users = deps.store.users().findByIds(invitee);
  if (!users.ok()) return HandlerResult::failure(users.status());
  if (users->empty() || users->front().deletion_date || !users->front().is_active) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "No active user has the id " + std::to_string(req.invitee_id()));
  }
  const int64_t now = deps.clock.nowMillis();
  GroupInvitationRecord invitation;
  invitation.id = deps.ids.next();
  invitation.group_id = group_id;
  invitation.inviter_id = ctx.user_id;
  invitation.invitee_id = req.invitee_id();
  invitation.content = req.content();
  invitation.creation_date = now;
  if (auto inserted = deps.store.groupInvitations().insert(invitation, now); !inserted.ok()) {
    return HandlerResult::failure(inserted.status());
  }
  HandlerResult result = HandlerResult::withLong(invitation.id);
  addPushOrWarn(result, toOwnerManagersAnd(deps, group_id, invitation.invitee_id, ctx.user_id),
                "invitation");
  return result;
}

// Recalling (upstream's DeleteGroupInvitationRequest) cancels a pending invitation. Off by
// default; when on, the inviter recalls their own and the owner and managers any.
HandlerResult recallGroupInvitation(ServiceDeps& deps, const RequestContext& ctx,
                                    const TurmsRequest& request) {
  const auto& req = request.delete_group_invitation_request();
  const GroupInvitationConfig& config = deps.group.invitation;
  if (!config.allow_recall_by_owner_and_manager && !config.allow_recall_by_sender) {
    return HandlerResult::failure(StatusCode::kRecallingGroupInvitationIsDisabled);
  }
  const StatusCode not_allowed =
      config.allow_recall_by_sender
          ? StatusCode::kNotGroupOwnerOrManagerOrSenderToRecallGroupInvitation
          : StatusCode::kNotGroupOwnerOrManagerToRecallGroupInvitation;
  auto found = deps.store.groupInvitations().findById(req.invitation_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (!*found) return HandlerResult::failure(not_allowed);
  const GroupInvitationRecord& invitation = **found;
  bool allowed = config.allow_recall_by_sender && invitation.inviter_id == ctx.user_id;
  if (!allowed && config.allow_recall_by_owner_and_manager) {
    auto role = roleOf(deps, invitation.group_id, ctx.user_id);
    if (!role.ok()) return HandlerResult::failure(role.status());
    allowed = isOwnerOrManager(*role);
  }
  if (!allowed) return HandlerResult::failure(not_allowed);
  const int64_t now = deps.clock.nowMillis();
  const int64_t expired_before = config.expiredBefore(now);
  if (const RequestStatus status = effectiveStatus(invitation, expired_before);
      status != RequestStatus::kPending) {
    return notPending(status, StatusCode::kRecallNonPendingGroupInvitation);
  }
  auto recalled = deps.store.groupInvitations().replyIfPending({.invitation_id = invitation.id,
                                                                .status = RequestStatus::kCanceled,
                                                                .reason = std::nullopt,
                                                                .now_millis = now,
                                                                .expired_before = expired_before});
  if (!recalled.ok()) return HandlerResult::failure(recalled.status());
  // Answered meanwhile by the invitee.
  if (!*recalled) return HandlerResult::failure(StatusCode::kRecallNonPendingGroupInvitation);
  HandlerResult result = HandlerResult::ok();
  addPushOrWarn(result,
                toOwnerManagersAnd(deps, invitation.group_id, invitation.invitee_id, ctx.user_id),
                "invitation recall");
  return result;
}

// UpdateGroupInvitation is the invitee's answer: ACCEPT (they join the group in the same step),
// DECLINE or IGNORE.
HandlerResult replyToGroupInvitation(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.update_group_invitation_request();
  const GroupInvitationConfig& config = deps.group.invitation;
  const std::optional<RequestStatus> status = replyStatusOf(req.response_action());
  if (!status) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The response action must be ACCEPT, DECLINE or IGNORE");
  }
  if (auto refused = checkLength(req.reason(), config.max_reason_length, "reason")) return *refused;
  auto found = deps.store.groupInvitations().findById(req.invitation_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  // Whether it exists is none of anyone's business but the invitee's, as upstream.
  if (!*found || (*found)->invitee_id != ctx.user_id) {
    return HandlerResult::failure(StatusCode::kNotInviteeToUpdateGroupInvitation);
  }
  const GroupInvitationRecord& invitation = **found;
  const int64_t now = deps.clock.nowMillis();
  const GroupInvitationReply reply{
      .invitation_id = invitation.id,
      .status = *status,
      .reason = req.has_reason() ? std::optional<std::string>(req.reason()) : std::nullopt,
      .now_millis = now,
      .expired_before = config.expiredBefore(now)};
  if (const RequestStatus current = effectiveStatus(invitation, reply.expired_before);
      current != RequestStatus::kPending) {
    return notPending(current, StatusCode::kUpdateNonPendingGroupInvitation);
  }
  auto& invitations = deps.store.groupInvitations();
  return storeAnswerAndTell(
      deps, ctx.user_id, invitation.group_id, invitation.invitee_id, invitation.inviter_id, *status,
      StatusCode::kUpdateNonPendingGroupInvitation, [&] {
        return *status == RequestStatus::kAccepted ? invitations.acceptIfPending(reply)
                                                   : invitations.replyIfPending(reply);
      });
}

void fillInvitation(pb::GroupInvitation& proto, const GroupInvitationRecord& stored,
                    const GroupInvitationConfig& config, int64_t expired_before) {
  proto.set_id(stored.id);
  proto.set_creation_date(stored.creation_date);
  proto.set_content(stored.content);
  proto.set_status(static_cast<pb::RequestStatus>(
      static_cast<int32_t>(effectiveStatus(stored, expired_before))));
  if (const int64_t expire_after = config.expireAfterMillis(); expire_after > 0) {
    proto.set_expiration_date(stored.creation_date + expire_after);
  }
  proto.set_group_id(stored.group_id);
  proto.set_inviter_id(stored.inviter_id);
  proto.set_invitee_id(stored.invitee_id);
}

// Versioned: a group's invitations (its owner and managers only), or the ones the requester sent
// or received.
HandlerResult queryGroupInvitations(ServiceDeps& deps, const RequestContext& ctx,
                                    const TurmsRequest& request) {
  const auto& req = request.query_group_invitations_request();
  auto& invitations = deps.store.groupInvitations();
  Result<std::optional<int64_t>> version = std::optional<int64_t>();
  if (req.has_group_id()) {
    auto role = roleOf(deps, req.group_id(), ctx.user_id);
    if (!role.ok()) return HandlerResult::failure(role.status());
    if (!isOwnerOrManager(*role)) {
      return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToQueryGroupInvitation);
    }
    version = groupVersionOf(deps, req.group_id(),
                             [&] { return invitations.findGroupVersion(req.group_id()); });
  } else {
    version = req.are_sent_by_me() ? invitations.findSentVersion(ctx.user_id)
                                   : invitations.findReceivedVersion(ctx.user_id);
  }
  if (!version.ok()) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  auto found = req.has_group_id()     ? invitations.findByGroup(req.group_id())
               : req.are_sent_by_me() ? invitations.findByInviter(ctx.user_id)
                                      : invitations.findByInvitee(ctx.user_id);
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (found->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  const GroupInvitationConfig& config = deps.group.invitation;
  const int64_t expired_before = config.expiredBefore(deps.clock.nowMillis());
  TurmsNotification::Data data;
  auto* answer = data.mutable_group_invitations_with_version();
  for (const GroupInvitationRecord& stored : *found) {
    fillInvitation(*answer->add_group_invitations(), stored, config, expired_before);
  }
  if (*version) answer->set_last_updated_date(**version);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerGroupInvitationHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateGroupInvitationRequest, &createGroupInvitation);
  domain.add(TurmsRequest::kDeleteGroupInvitationRequest, &recallGroupInvitation);
  domain.add(TurmsRequest::kUpdateGroupInvitationRequest, &replyToGroupInvitation);
  domain.add(TurmsRequest::kQueryGroupInvitationsRequest, &queryGroupInvitations);
}

void runGroupInvitationCleanup(Store& store, const GroupInvitationConfig& config,
                               int64_t now_millis, bool delete_expired_now) {
  deleteExpiredRequests(
      "group invitations", config, config.delete_expired, now_millis, delete_expired_now,
      [&](int64_t before) { return store.groupInvitations().removeCreatedBefore(before); });
}

}  // namespace parley
