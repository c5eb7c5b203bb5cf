#pragma once
// Message-domain request handlers: send (and forward), query history / offline messages, edit
// and recall. Reactions are answered by unimplemented_handlers.cpp, as upstream.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerMessageHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
