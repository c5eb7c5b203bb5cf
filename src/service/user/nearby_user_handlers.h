#pragma once
// User locations and nearby users: UpdateUserLocationRequest (103) and QueryNearbyUsersRequest
// (101), as upstream's UserServiceController, NearbyUserService and SessionLocationService.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerNearbyUserHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
