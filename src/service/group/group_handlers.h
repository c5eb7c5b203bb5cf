#pragma once
// Group-domain request handlers: groups (create, delete, query, update, transfer) and their
// members (add, remove or quit, query). Who may add whom, and who may join by asking, follow the
// group's type (service/group/group_strategies.h).
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerGroupHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
