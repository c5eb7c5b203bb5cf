#pragma once
// A group's blocklist: CreateGroupBlockedUserRequest (400), DeleteGroupBlockedUserRequest (401),
// QueryGroupBlockedUserIdsRequest (402) and QueryGroupBlockedUserInfosRequest (403), as
// upstream's GroupServiceController and GroupBlocklistService.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerGroupBlocklistHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
