#include "service/relationship/friend_request_handlers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/config.h"
#include "core/snowflake.h"
#include "service/domain_registrar.h"
#include "service/pending_requests.h"
#include "service/versioned_query.h"
#include "store/store.h"

namespace parley {
namespace {

// Upstream's rules: turms-service UserFriendRequestService (checks, statuses, versions) and
// UserRelationshipServiceController (answers and pushes), with upstream's default notification
// properties: each change goes to the other user and to the requester's other sessions.

// The client's own request goes to `user_id` and to the requester's other sessions.
HandlerResult okPushingTo(int64_t user_id, HandlerResult result = HandlerResult::ok()) {
  result.pushes.push_back(RelayPush{{user_id}, true, std::nullopt});
  return result;
}

// Whether an earlier request from requester to recipient stands in the way of a new one: a
// pending one always; a declined, ignored or expired one unless resending is allowed. Like
// upstream, an ACCEPTED or CANCELED one does not (friendships can be deleted and rebuilt).
Result<bool> hasBlockingRequest(ServiceDeps& deps, int64_t requester_id, int64_t recipient_id,
                                int64_t now) {
  auto earlier = deps.store.friendRequests().findBetween(requester_id, recipient_id);
  if (!earlier.ok()) return earlier.status();
  const int64_t expired_before = deps.friend_request.expiredBefore(now);
  const bool allow_resend = deps.friend_request.allow_resend_after_declined_ignored_expired;
  for (const FriendRequestRecord& request : *earlier) {
    switch (effectiveStatus(request, expired_before)) {
      case RequestStatus::kPending:
        return true;
      case RequestStatus::kDeclined:
      case RequestStatus::kIgnored:
      case RequestStatus::kExpired:
        if (!allow_resend) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

HandlerResult createFriendRequest(ServiceDeps& deps, const RequestContext& ctx,
                                  const TurmsRequest& request) {
  const auto& req = request.create_friend_request_request();
  if (req.recipient_id() == ctx.user_id) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The requester ID must not be equal to the recipient ID");
  }
  if (auto refused = checkLength(req.content(), deps.friend_request.max_content_length, "content"))
    return *refused;
  // Upstream stores requests to any id; asking a user who does not exist is a client error here.
  auto recipient = deps.store.users().findById(req.recipient_id());
  if (!recipient.ok()) return HandlerResult::failure(recipient.status());
  if (!*recipient || (*recipient)->deletion_date) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "The recipient does not exist");
  }
  auto blocked = deps.store.relationships().isBlocked(req.recipient_id(), ctx.user_id);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  if (*blocked) return HandlerResult::failure(StatusCode::kBlockedUserToSendFriendRequest);
  const int64_t now = deps.clock.nowMillis();
  auto exists = hasBlockingRequest(deps, ctx.user_id, req.recipient_id(), now);
  if (!exists.ok()) return HandlerResult::failure(exists.status());
  if (*exists) return HandlerResult::failure(StatusCode::kCreateExistingFriendRequest);

  FriendRequestRecord created;
  created.id = deps.ids.next();
  created.requester_id = ctx.user_id;
  created.recipient_id = req.recipient_id();
  created.content = req.content();
  created.creation_date = now;
  if (const VoidResult inserted = deps.store.friendRequests().insert(created, now); !inserted) {
    return HandlerResult::failure(inserted.status());
  }
  return okPushingTo(req.recipient_id(), HandlerResult::withLong(created.id));
}

// DeleteFriendRequest recalls a pending request: only its requester, only when enabled. A
// request that does not exist answers like someone else's, so nobody learns which ids exist.
HandlerResult recallFriendRequest(ServiceDeps& deps, const RequestContext& ctx,
                                  const TurmsRequest& request) {
  const auto& req = request.delete_friend_request_request();
  if (!deps.friend_request.allow_recall_pending) {
    return HandlerResult::failure(StatusCode::kRecallingFriendRequestIsDisabled);
  }
  auto found = deps.store.friendRequests().findById(req.request_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (!*found || (*found)->requester_id != ctx.user_id) {
    return HandlerResult::failure(StatusCode::kNotSenderToRecallFriendRequest);
  }
  const int64_t now = deps.clock.nowMillis();
  const int64_t expired_before = deps.friend_request.expiredBefore(now);
  if (const RequestStatus status = effectiveStatus(**found, expired_before);
      status != RequestStatus::kPending) {
    return notPending(status, StatusCode::kRecallNonPendingFriendRequest);
  }
  auto recalled = deps.store.friendRequests().replyIfPending({.request_id = req.request_id(),
                                                              .status = RequestStatus::kCanceled,
                                                              .reason = std::nullopt,
                                                              .now_millis = now,
                                                              .expired_before = expired_before});
  if (!recalled.ok()) return HandlerResult::failure(recalled.status());
  // Answered meanwhile by its recipient.
  if (!*recalled) return HandlerResult::failure(StatusCode::kRecallNonPendingFriendRequest);
  return okPushingTo((*found)->recipient_id);
}

// UpdateFriendRequest is the recipient's answer: ACCEPT (the two become friends in the same
// step), DECLINE or IGNORE.
HandlerResult replyToFriendRequest(ServiceDeps& deps, const RequestContext& ctx,
                                   const TurmsRequest& request) {
  const auto& req = request.update_friend_request_request();
  const std::optional<RequestStatus> replied_status = replyStatusOf(req.response_action());
  if (!replied_status) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The response action must be ACCEPT, DECLINE or IGNORE");
  }
  const RequestStatus status = *replied_status;
  if (auto refused = checkLength(req.reason(), deps.friend_request.max_reason_length, "reason"))
    return *refused;
  auto found = deps.store.friendRequests().findById(req.request_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (!*found || (*found)->recipient_id != ctx.user_id) {
    return HandlerResult::failure(StatusCode::kNotRecipientToUpdateFriendRequest);
  }
  const int64_t now = deps.clock.nowMillis();
  const FriendRequestReply reply{
      .request_id = req.request_id(),
      .status = status,
      .reason = req.has_reason() ? std::optional<std::string>(req.reason()) : std::nullopt,
      .now_millis = now,
      .expired_before = deps.friend_request.expiredBefore(now)};
  if (const RequestStatus current = effectiveStatus(**found, reply.expired_before);
      current != RequestStatus::kPending) {
    return notPending(current, StatusCode::kUpdateNonPendingFriendRequest);
  }
  auto& requests = deps.store.friendRequests();
  auto replied = status == RequestStatus::kAccepted ? requests.acceptIfPending(reply)
                                                    : requests.replyIfPending(reply);
  if (!replied.ok()) return HandlerResult::failure(replied.status());
  if (!*replied) return HandlerResult::failure(StatusCode::kUpdateNonPendingFriendRequest);
  return okPushingTo((*found)->requester_id);
}

// Versioned: ALREADY_UP_TO_DATE when nothing changed since the client's last_updated_date.
HandlerResult queryFriendRequests(ServiceDeps& deps, const RequestContext& ctx,
                                  const TurmsRequest& request) {
  const auto& req = request.query_friend_requests_request();
  auto& requests = deps.store.friendRequests();
  auto version = req.are_sent_by_me() ? requests.findSentVersion(ctx.user_id)
                                      : requests.findReceivedVersion(ctx.user_id);
  if (!version.ok()) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  auto found = req.are_sent_by_me() ? requests.findByRequester(ctx.user_id)
                                    : requests.findByRecipient(ctx.user_id);
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (found->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  const int64_t expire_after_millis = deps.friend_request.expireAfterMillis();
  const int64_t expired_before = deps.friend_request.expiredBefore(deps.clock.nowMillis());
  TurmsNotification::Data data;
  auto* answer = data.mutable_user_friend_requests_with_version();
  for (const FriendRequestRecord& stored : *found) {
    auto* proto = answer->add_user_friend_requests();
    proto->set_id(stored.id);
    proto->set_creation_date(stored.creation_date);
    if (expire_after_millis > 0)
      proto->set_expiration_date(stored.creation_date + expire_after_millis);
    proto->set_content(stored.content);
    proto->set_request_status(static_cast<im::turms::proto::RequestStatus>(
        static_cast<int32_t>(effectiveStatus(stored, expired_before))));
    if (stored.reason) proto->set_reason(*stored.reason);
    proto->set_requester_id(stored.requester_id);
    proto->set_recipient_id(stored.recipient_id);
  }
  if (*version) answer->set_last_updated_date(**version);
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerFriendRequestHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCreateFriendRequestRequest, &createFriendRequest);
  domain.add(TurmsRequest::kDeleteFriendRequestRequest, &recallFriendRequest);
  domain.add(TurmsRequest::kUpdateFriendRequestRequest, &replyToFriendRequest);
  domain.add(TurmsRequest::kQueryFriendRequestsRequest, &queryFriendRequests);
}

void runFriendRequestCleanup(Store& store, const FriendRequestConfig& config, int64_t now_millis,
                             bool delete_expired_now) {
  // An accept a failure interrupted (MongoDB, which has no transactions here) is completed once
  // it is a minute old: by then its own request has surely given up.
  constexpr int64_t kInterruptedAfterMillis = 60'000;
  auto& requests = store.friendRequests();
  if (auto finished = requests.finishInterruptedAccepts(now_millis - kInterruptedAfterMillis);
      !finished.ok()) {
    spdlog::warn("friend requests: completing interrupted accepts failed: {}",
                 finished.status().reason);
  } else if (*finished > 0) {
    spdlog::info("friend requests: completed {} accepts a failure had interrupted", *finished);
  }
  deleteExpiredRequests("friend requests", config, config.delete_expired, now_millis,
                        delete_expired_now,
                        [&](int64_t before) { return requests.removeCreatedBefore(before); });
}

}  // namespace parley
