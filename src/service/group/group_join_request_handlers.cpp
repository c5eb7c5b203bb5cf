#include "service/group/group_join_request_handlers.h"

#include <optional>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/config.h"
#include "core/snowflake.h"
#include "service/domain_registrar.h"
#include "service/group/group_enrollment.h"
#include "service/group/group_roles.h"
#include "service/pending_requests.h"
#include "service/versioned_query.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream's refusal of a join request to a group whose type lets users in another way.
StatusCode wrongWayIn(GroupJoinStrategy strategy) {
  switch (strategy) {
    case GroupJoinStrategy::kMembershipRequest:
      return StatusCode::kSendGroupJoinRequestToGroupUsingMembershipRequest;
    case GroupJoinStrategy::kInvitation:
      return StatusCode::kSendGroupJoinRequestToGroupUsingInvitation;
    case GroupJoinStrategy::kQuestion:
      return StatusCode::kSendGroupJoinRequestToGroupUsingQuestion;
    case GroupJoinStrategy::kJoinRequest:
      return StatusCode::kOk;
  }
  return StatusCode::kSendGroupJoinRequestToGroupUsingInvitation;
}

// Checks in upstream's order (GroupJoinRequestService.authAndCreateGroupJoinRequest): not a
// member, not blocked, a live group, and a type whose join strategy is JOIN_REQUEST.
HandlerResult createGroupJoinRequest(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.create_group_join_request_request();
  const GroupJoinRequestConfig& config = deps.group.join_request;
  if (auto refused = checkLength(req.content(), config.max_content_length, "content")) {
    return *refused;
  }
  const int64_t group_id = req.group_id();
  auto role = roleOf(deps, group_id, ctx.user_id);
  if (!role.ok()) return HandlerResult::failure(role.status());
  if (*role) return HandlerResult::failure(StatusCode::kGroupMemberSendGroupJoinRequest);
  const int64_t requester[] = {ctx.user_id};
  auto blocked = deps.store.groupBlocklist().findBlockedAmong(group_id, requester);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  if (!blocked->empty())
    return HandlerResult::failure(StatusCode::kBlockedUserSendGroupJoinRequest);
  auto group = liveGroup(deps, group_id, StatusCode::kSendGroupJoinRequestToInactiveGroup);
  if (!group.ok()) return HandlerResult::failure(group.status());
  if (const StatusCode refusal = wrongWayIn(group->type.join_strategy);
      refusal != StatusCode::kOk) {
    return HandlerResult::failure(refusal);
  }
  const int64_t now = deps.clock.nowMillis();
  GroupJoinRequestRecord stored;
  stored.id = deps.ids.next();
  stored.group_id = group_id;
  stored.requester_id = ctx.user_id;
  stored.content = req.content();
  stored.creation_date = now;
  if (auto inserted = deps.store.groupJoinRequests().insert(stored, now); !inserted.ok()) {
    return HandlerResult::failure(inserted.status());
  }
  HandlerResult result = HandlerResult::withLong(stored.id);
  addPushOrWarn(result, toOwnerManagersAnd(deps, group_id, std::nullopt, ctx.user_id),
                "join request");
  return result;
}

// Recalling (DeleteGroupJoinRequestRequest) cancels the sender's own pending request; off by
// default (3609), as upstream.
HandlerResult recallGroupJoinRequest(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.delete_group_join_request_request();
  const GroupJoinRequestConfig& config = deps.group.join_request;
  if (!config.allow_recall_by_sender) {
    return HandlerResult::failure(StatusCode::kRecallingGroupJoinRequestIsDisabled);
  }
  auto found = deps.store.groupJoinRequests().findById(req.request_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  // Whether it exists is none of anyone's business but its sender's, as upstream.
  if (!*found || (*found)->requester_id != ctx.user_id) {
    return HandlerResult::failure(StatusCode::kNotSenderToRecallGroupJoinRequest);
  }
  const GroupJoinRequestRecord& stored = **found;
  const int64_t now = deps.clock.nowMillis();
  const int64_t expired_before = config.expiredBefore(now);
  if (const RequestStatus status = effectiveStatus(stored, expired_before);
      status != RequestStatus::kPending) {
    return notPending(status, StatusCode::kRecallNonPendingGroupJoinRequest);
  }
  auto recalled = deps.store.groupJoinRequests().replyIfPending({.request_id = stored.id,
                                                                 .status = RequestStatus::kCanceled,
                                                                 .responder_id = std::nullopt,
                                                                 .reason = std::nullopt,
                                                                 .now_millis = now,
                                                                 .expired_before = expired_before});
  if (!recalled.ok()) return HandlerResult::failure(recalled.status());
  // Answered meanwhile by an owner or manager.
  if (!*recalled) return HandlerResult::failure(StatusCode::kRecallNonPendingGroupJoinRequest);
  HandlerResult result = HandlerResult::ok();
  addPushOrWarn(result, toOwnerManagersAnd(deps, stored.group_id, std::nullopt, ctx.user_id),
                "join request recall");
  return result;
}

// UpdateGroupJoinRequest is an owner's or manager's answer: ACCEPT (the sender joins the group in
// the same step), DECLINE or IGNORE.
HandlerResult replyToGroupJoinRequest(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.update_group_join_request_request();
  const GroupJoinRequestConfig& config = deps.group.join_request;
  const std::optional<RequestStatus> status = replyStatusOf(req.response_action());
  if (!status) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The response action must be ACCEPT, DECLINE or IGNORE");
  }
  if (auto refused = checkLength(req.reason(), config.max_reason_length, "reason")) return *refused;
  auto found = deps.store.groupJoinRequests().findById(req.request_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (!*found)
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToUpdateGroupJoinRequest);
  const GroupJoinRequestRecord& stored = **found;
  // Who may answer is checked before anything about the request is told, as upstream.
  auto role = roleOf(deps, stored.group_id, ctx.user_id);
  if (!role.ok()) return HandlerResult::failure(role.status());
  if (!isOwnerOrManager(*role)) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToUpdateGroupJoinRequest);
  }
  const int64_t now = deps.clock.nowMillis();
  const GroupJoinRequestReply reply{
      .request_id = stored.id,
      .status = *status,
      .responder_id = ctx.user_id,
      .reason = req.has_reason() ? std::optional<std::string>(req.reason()) : std::nullopt,
      .now_millis = now,
      .expired_before = config.expiredBefore(now)};
  if (const RequestStatus current = effectiveStatus(stored, reply.expired_before);
      current != RequestStatus::kPending) {
    return notPending(current, StatusCode::kUpdateNonPendingGroupJoinRequest);
  }
  auto& requests = deps.store.groupJoinRequests();
  return storeAnswerAndTell(
      deps, ctx.user_id, stored.group_id, stored.requester_id, stored.requester_id, *status,
      StatusCode::kUpdateNonPendingGroupJoinRequest, [&] {
        return *status == RequestStatus::kAccepted ? requests.acceptIfPending(reply)
                                                   : requests.replyIfPending(reply);
      });
}

void fillJoinRequest(pb::GroupJoinRequest& proto, const GroupJoinRequestRecord& stored,
                     const GroupJoinRequestConfig& config, int64_t expired_before) {
  proto.set_id(stored.id);
  proto.set_creation_date(stored.creation_date);
  proto.set_content(stored.content);
  proto.set_status(static_cast<pb::RequestStatus>(
      static_cast<int32_t>(effectiveStatus(stored, expired_before))));
  if (const int64_t expire_after = config.expireAfterMillis(); expire_after > 0) {
    proto.set_expiration_date(stored.creation_date + expire_after);
  }
  proto.set_group_id(stored.group_id);
  proto.set_requester_id(stored.requester_id);
  if (stored.responder_id) proto.set_responder_id(*stored.responder_id);
}

// Versioned: a group's join requests (its owner and managers only), or the requester's own.
HandlerResult queryGroupJoinRequests(ServiceDeps& deps, const RequestContext& ctx,
                                     const TurmsRequest& request) {
  const auto& req = request.query_group_join_requests_request();
  auto& requests = deps.store.groupJoinRequests();
  Result<std::optional<int64_t>> version = std::optional<int64_t>();
  if (req.has_group_id()) {
    auto role = roleOf(deps, req.group_id(), ctx.user_id);
    if (!role.ok()) return HandlerResult::failure(role.status());
    if (!isOwnerOrManager(*role)) {
      return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToQueryGroupJoinRequest);
    }
    version = groupVersionOf(deps, req.group_id(),
                             [&] { return requests.findGroupVersion(req.group_id()); });
  } else {
    version = requests.findSentVersion(ctx.user_id);
  }
  if (!version.ok()) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  auto found = req.has_group_id() ? requests.findByGroup(req.group_id())
                                  : requests.findByRequester(ctx.user_id);
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (found->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  const GroupJoinRequestConfig& config = deps.group.join_request;
  const int64_t expired_before = config.expiredBefore(deps.clock.nowMillis());
  TurmsNotification::Data data;
  auto* answer = data.mutable_group_join_requests_with_version();
  for (const GroupJoinRequestRecord& stored : *found) {
    fillJoinRequest(*answer->add_group_join_requests(), stored, config, expired_before);
  }
  if (*version) answer->set_last_updated_date(**version);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerGroupJoinRequestHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateGroupJoinRequestRequest, &createGroupJoinRequest);
  domain.add(TurmsRequest::kDeleteGroupJoinRequestRequest, &recallGroupJoinRequest);
  domain.add(TurmsRequest::kUpdateGroupJoinRequestRequest, &replyToGroupJoinRequest);
  domain.add(TurmsRequest::kQueryGroupJoinRequestsRequest, &queryGroupJoinRequests);
}

void runGroupJoinRequestCleanup(Store& store, const GroupJoinRequestConfig& config,
                                int64_t now_millis, bool delete_expired_now) {
  deleteExpiredRequests(
      "group join requests", config, config.delete_expired, now_millis, delete_expired_now,
      [&](int64_t before) { return store.groupJoinRequests().removeCreatedBefore(before); });
}

}  // namespace parley
