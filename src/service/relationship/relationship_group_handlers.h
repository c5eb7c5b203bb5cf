#pragma once
// Relationship groups: create (201), delete (204, members move to a target group), query (208,
// versioned) and rename (211, UpdateRelationshipGroup). Upstream's rules: turms-service
// UserRelationshipGroupService and UserRelationshipServiceController; changes are pushed to the
// requester's other sessions only (upstream's defaults), creation to nobody.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerRelationshipGroupHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
