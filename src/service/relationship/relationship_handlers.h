#pragma once
// User-relationship request handlers: one-sided relationship records (create, block, update,
// delete, moves between relationship groups) and versioned queries of them. Every change is
// pushed to the requester's other sessions only, upstream's default ("+self"; the related user
// is not told). Friend requests: friend_request_handlers.h; the groups themselves:
// relationship_group_handlers.h.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerRelationshipHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
