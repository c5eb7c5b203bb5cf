#pragma once
// Reads of who holds which role in a group, shared by the group handlers.
#include <cstdint>
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

}  // namespace parley
