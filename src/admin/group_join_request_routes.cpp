// /groups/join-requests: upstream's GroupJoinRequestController, served by the handlers every kind
// of request shares (request_route_util.h tells what they check and write). A join request names a
// live group, a requester who exists and, once answered, a responder who exists; the answer's
// reason is AddGroupJoinRequestDTO's responseReason (UpdateGroupJoinRequestDTO has none). Every
// write moves the versions of the group's join requests and of the requester's sent ones. An admin
// write never adds a member (an ACCEPTED request stored here is a record only) and pushes nothing,
// as upstream's admin path. Upstream requires a responderId on every created request; here a
// PENDING one may have none, as a client's has none until answered. Upstream's
// UpdateGroupJoinRequestDTO has a groupId that its service drops; here it moves the request to that
// (live) group.
#include "admin/admin_route_util.h"
#include "admin/request_route_util.h"
#include "store/store.h"

namespace parley::admin {
namespace {

using Party = RequestParty<GroupJoinRequestRecord, GroupJoinRequestSearch>;

constexpr RequestKind<GroupJoinRequestRepository, GroupJoinRequestRecord, GroupJoinRequestSearch, 3>
    kGroupJoinRequests{
        .what = "group join request",
        .repository = &Store::groupJoinRequests,
        .rules = [](const AdminDeps& deps) { return rulesOf(deps.groups.join_request); },
        .parties = {{Party{.key = "groupId",
                           .is_group = true,
                           .id = &GroupJoinRequestRecord::group_id,
                           .ids = &GroupJoinRequestSearch::group_ids},
                     Party{.key = "requesterId",
                           .id = &GroupJoinRequestRecord::requester_id,
                           .ids = &GroupJoinRequestSearch::requester_ids},
                     Party{.key = "responderId",
                           .optional_id = &GroupJoinRequestRecord::responder_id,
                           .ids = &GroupJoinRequestSearch::responder_ids}}},
        .create_reason_key = "responseReason"};

constexpr auto kGroupJoinRequestRoutes =
    requestRoutes<kGroupJoinRequests>("/groups/join-requests", "/groups/join-requests/page");

}  // namespace

std::span<const Route> groupJoinRequestRoutes() { return kGroupJoinRequestRoutes; }

}  // namespace parley::admin
