#pragma once
// User-domain request handlers: profiles, profile updates, online statuses.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerUserHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
