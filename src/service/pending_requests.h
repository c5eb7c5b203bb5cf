#pragma once
// Rules shared by the requests that wait for someone's answer (friend requests, group
// invitations): length limits on their texts, the refusal of a change to one that is no longer
// pending, and the reply a ResponseAction stands for.
#include <optional>
#include <string_view>

#include "service/dispatcher.h"
#include "store/friend_request_repository.h"

namespace parley {

// ILLEGAL_ARGUMENT when `text` has more than `limit` characters (code points); limit 0 = none.
std::optional<HandlerResult> checkLength(std::string_view text, int limit, const char* what);
// `code`, with upstream's reason naming the status the request is under.
HandlerResult notPending(RequestStatus status, StatusCode code);
// ACCEPT, DECLINE and IGNORE as the status they leave a request in; nullopt for anything else.
std::optional<RequestStatus> replyStatusOf(im::turms::proto::ResponseAction action);

}  // namespace parley
