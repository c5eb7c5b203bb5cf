// /users/relationships/friend-requests: upstream's UserFriendRequestController, served by the
// handlers every kind of request shares (request_route_util.h tells what they check and write).
// A friend request names a requester and a recipient, different users who exist, and needs
// content, as a client's; every write moves the users' friend-request versions. An ACCEPTED
// request stored here is a record only: nobody becomes friends.
#include "admin/admin_route_util.h"
#include "admin/request_route_util.h"
#include "store/store.h"

namespace parley::admin {
namespace {

using Party = RequestParty<FriendRequestRecord, FriendRequestSearch>;

constexpr RequestKind<FriendRequestRepository, FriendRequestRecord, FriendRequestSearch, 2>
    kFriendRequests{.what = "friend request",
                    .repository = &Store::friendRequests,
                    .rules = [](const AdminDeps& deps) { return rulesOf(deps.friend_requests); },
                    .parties = {{Party{.key = "requesterId",
                                       .id = &FriendRequestRecord::requester_id,
                                       .ids = &FriendRequestSearch::requester_ids},
                                 Party{.key = "recipientId",
                                       .id = &FriendRequestRecord::recipient_id,
                                       .ids = &FriendRequestSearch::recipient_ids}}},
                    .create_reason_key = "reason",
                    .update_reason_key = "reason",
                    .content_required = true,
                    .distinct = std::pair{0, 1}};

constexpr auto kFriendRequestRoutes = requestRoutes<kFriendRequests>(
    "/users/relationships/friend-requests", "/users/relationships/friend-requests/page");

}  // namespace

std::span<const Route> friendRequestRoutes() { return kFriendRequestRoutes; }

}  // namespace parley::admin
