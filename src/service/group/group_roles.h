#pragma once
// Reads about a group shared by the group handlers: who holds which role, and the versions its
// data is synced by.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/result.h"
#include "service/service_deps.h"

namespace parley {

// The user's role in the group (a GroupMemberRole); nullopt when not a member.
Result<std::optional<int32_t>> roleOf(ServiceDeps& deps, int64_t group_id, int64_t user_id);
bool isOwnerOrManager(const std::optional<int32_t>& role);
// The owner and the managers of the group, by user id (upstream's
// queryGroupManagersAndOwnerId, which group notifications go to).
Result<std::vector<int64_t>> ownerAndManagerIds(ServiceDeps& deps, int64_t group_id);

// A group's version of some of its data (blocklist, invitations, join requests): the last change
// `find_version` reads, or the group's creation while it never changed (upstream creates every
// group's versions with the group). nullopt for a group that does not exist (any more), which
// upstream answers ALREADY_UP_TO_DATE.
Result<std::optional<int64_t>> groupVersionOf(
    ServiceDeps& deps, int64_t group_id,
    const std::function<Result<std::optional<int64_t>>()>& find_version);

}  // namespace parley
