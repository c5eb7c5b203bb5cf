// /groups/invitations: upstream's GroupInvitationController, served by the handlers every kind of
// request shares (request_route_util.h tells what they check and write). An invitation names a
// live group and an inviter and an invitee, different users who exist; neither of upstream's DTOs
// has a reason. Every write moves the versions of the group's invitations and of the inviter's
// sent and the invitee's received ones. An admin write never adds a member (an ACCEPTED invitation
// stored here is a record only) and pushes nothing, as upstream's admin path. Upstream's
// UpdateGroupInvitationDTO has a groupId that its service drops; here it moves the invitation to
// that (live) group.
#include "admin/admin_route_util.h"
#include "admin/request_route_util.h"
#include "store/store.h"

namespace parley::admin {
namespace {

using Party = RequestParty<GroupInvitationRecord, GroupInvitationSearch>;

constexpr RequestKind<GroupInvitationRepository, GroupInvitationRecord, GroupInvitationSearch, 3>
    kGroupInvitations{
        .what = "group invitation",
        .repository = &Store::groupInvitations,
        .rules = [](const AdminDeps& deps) { return rulesOf(deps.groups.invitation); },
        .parties = {{Party{.key = "groupId",
                           .is_group = true,
                           .id = &GroupInvitationRecord::group_id,
                           .ids = &GroupInvitationSearch::group_ids},
                     Party{.key = "inviterId",
                           .id = &GroupInvitationRecord::inviter_id,
                           .ids = &GroupInvitationSearch::inviter_ids},
                     Party{.key = "inviteeId",
                           .id = &GroupInvitationRecord::invitee_id,
                           .ids = &GroupInvitationSearch::invitee_ids}}},
        .distinct = std::pair{1, 2}};

constexpr auto kGroupInvitationRoutes =
    requestRoutes<kGroupInvitations>("/groups/invitations", "/groups/invitations/page");

}  // namespace

std::span<const Route> groupInvitationRoutes() { return kGroupInvitationRoutes; }

}  // namespace parley::admin
