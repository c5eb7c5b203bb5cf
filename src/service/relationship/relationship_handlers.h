#pragma once
// User-relationship request handlers: one-sided relationship records (create, block, update,
// delete) and queries of them. Friend requests: friend_request_handlers.h; relationship groups
// are not served yet.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerRelationshipHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
