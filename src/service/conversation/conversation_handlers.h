#pragma once
// Conversation request handlers: read dates (read receipts), typing status relays and
// per-conversation settings.
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerConversationHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley
