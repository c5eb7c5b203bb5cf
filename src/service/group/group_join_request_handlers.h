#pragma once
// Group join requests (CreateGroupJoinRequest 502, DeleteGroupJoinRequest 505,
// QueryGroupJoinRequests 508, UpdateGroupJoinRequest 512) with upstream's rules: turms-service
// GroupJoinRequestService (only under the JOIN_REQUEST join strategy; who may answer, recall and
// read them; statuses; versions) and GroupServiceController (answers and pushes, with upstream's
// default notification properties).
#include <cstdint>

#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

class Store;
struct GroupJoinRequestConfig;

void registerGroupJoinRequestHandlers(Dispatcher& dispatcher, ServiceDeps deps);

// The hourly upkeep: when delete_expired_now and group.join-request.delete-expired are set,
// deletes the join requests older than the expiry, whatever their status.
void runGroupJoinRequestCleanup(Store& store, const GroupJoinRequestConfig& config,
                                int64_t now_millis, bool delete_expired_now);

}  // namespace parley
