#pragma once
// Friend requests: create (200), recall (203, DeleteFriendRequest), query (206) and the
// recipient's answer (210, UpdateFriendRequest; ACCEPT makes the two users friends).
#include <cstdint>

#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerFriendRequestHandlers(Dispatcher& dispatcher, ServiceDeps deps);

// The periodic upkeep (main runs it every minute): completes accepts a store failure
// interrupted and, when delete_expired_now and friend-request.delete-expired are set, deletes
// requests older than the expiry.
void runFriendRequestCleanup(Store& store, const FriendRequestConfig& config, int64_t now_millis,
                             bool delete_expired_now);

}  // namespace parley
