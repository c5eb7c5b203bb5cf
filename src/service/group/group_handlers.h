#pragma once
// Group-domain request handlers: groups (create, delete, query, update, transfer) and their
// members (add, remove or quit, query). Only the DEFAULT group type (id 0) exists so far; group
// types, join strategies, invitations, join questions and blocklists will grow here.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerGroupHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
