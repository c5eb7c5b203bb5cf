#pragma once
// What invitations and join requests (upstream's domain/group enrollment) share: the group a user
// may join, the checks made when one is let in, and who is told.
#include <cstdint>
#include <functional>
#include <optional>

#include "core/result.h"
#include "service/dispatcher.h"
#include "service/service_deps.h"
#include "store/friend_request_repository.h"
#include "store/group_repository.h"
#include "store/group_type_repository.h"

namespace parley {

// The group and its type when both exist and the group takes members; else `inactive_code`
// (ADD_USER_TO_INACTIVE_GROUP unless the request names its own, e.g. 3605 for a join request; a
// deleted type included, as upstream, whose lookup then finds nothing).
struct LiveGroup {
  GroupRecord group;
  GroupTypeRecord type;
};
Result<LiveGroup> liveGroup(ServiceDeps& deps, int64_t group_id,
                            StatusCode inactive_code = StatusCode::kAddUserToInactiveGroup);

// What stops `user_id` from joining now, although an invitation or join request lets them: the
// group gone or inactive, the user blocked since, or the group full. Upstream checks none of these
// when it accepts one; Parley keeps the group's rules whichever way users join. Sets
// *already_member.
std::optional<HandlerResult> joinRefusal(ServiceDeps& deps, int64_t group_id, int64_t user_id,
                                         bool* already_member);

// Upstream's default recipients of a change to an invitation or a join request: the group's owner
// and managers and `also` (the invitee, an inviter, a join request's sender), never the requester,
// whose other sessions hear of it too. The client's request is what is relayed.
Result<RelayPush> toOwnerManagersAnd(ServiceDeps& deps, int64_t group_id,
                                     std::optional<int64_t> also, int64_t requester_id);

// The member-added notification upstream sends when an invitation or a join request lets a user
// in: CreateGroupMembersRequest{group, the new member, MEMBER} to every member, the new one
// included.
Result<RelayPush> memberAddedPush(ServiceDeps& deps, int64_t group_id, int64_t new_member_id);

// Adds memberAddedPush to the answer that let the user in; the member is stored, so a failed read
// of the recipients loses only the notification and is logged.
void addMemberAddedPushOrWarn(HandlerResult& result, ServiceDeps& deps, int64_t group_id,
                              int64_t new_member_id);

// Adds `push` to a stored change's answer. The change is stored, so a failed read of its
// recipients loses only the notification, as upstream: it is logged (naming `what`) and only the
// requester's other sessions are told.
void addPushOrWarn(HandlerResult& result, Result<RelayPush> push, const char* what);

// The rest of an answer to a pending invitation or join request, once the requester may give it
// and it is still pending: an ACCEPT first checks that `joiner_id` may join now (joinRefusal);
// `store_answer` then writes it (the repository's acceptIfPending or replyIfPending; false,
// answered `not_pending`, when it stopped being pending meanwhile). The answer goes to the owner,
// the managers and `told` (the inviter, the sender), and a new member is announced to every member.
HandlerResult storeAnswerAndTell(ServiceDeps& deps, int64_t requester_id, int64_t group_id,
                                 int64_t joiner_id, int64_t told, RequestStatus status,
                                 StatusCode not_pending,
                                 const std::function<Result<bool>()>& store_answer);

}  // namespace parley
