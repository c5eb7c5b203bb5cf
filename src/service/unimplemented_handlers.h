#pragma once
#include "service/dispatcher.h"

namespace parley {

// Kinds whose upstream answer without a plugin is a fixed status: storage (6000), conference
// (8000) and message reactions (1102, unpublished upstream). Registered so clients get the same
// answer they would get from Turms.
void registerUnimplementedHandlers(Dispatcher& dispatcher);

}  // namespace parley
