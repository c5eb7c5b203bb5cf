#pragma once
// Group invitations (CreateGroupInvitation 501, DeleteGroupInvitation 504, QueryGroupInvitations
// 507, UpdateGroupInvitation 510) with upstream's rules: turms-service GroupInvitationService
// (who may invite, recall and reply; statuses; versions) and GroupServiceController (answers and
// pushes, with upstream's default notification properties).
#include <cstdint>

#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

class Store;
struct GroupInvitationConfig;

void registerGroupInvitationHandlers(Dispatcher& dispatcher, ServiceDeps deps);

// The hourly upkeep: when delete_expired_now and group.invitation.delete-expired are set,
// deletes the invitations older than the expiry, whatever their status.
void runGroupInvitationCleanup(Store& store, const GroupInvitationConfig& config,
                               int64_t now_millis, bool delete_expired_now);

}  // namespace parley
