#pragma once
// User settings: update (106), delete (107) and query (108). Which names exist, their value
// types, bounds, immutability and deletability come from `user.settings.*` (core/config.h), as
// upstream's UserSettingsService; changes are pushed to the user's other sessions.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerUserSettingsHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
