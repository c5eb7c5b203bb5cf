#pragma once
// Rules shared by the requests that wait for someone's answer (friend requests, group
// invitations): length limits on their texts, the refusal of a change to one that is no longer
// pending, and the reply a ResponseAction stands for.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "service/dispatcher.h"
#include "store/friend_request_repository.h"

namespace parley {

struct RequestExpiry;

// ILLEGAL_ARGUMENT when `text` has more than `limit` characters (code points); limit 0 = none.
std::optional<HandlerResult> checkLength(std::string_view text, int limit, const char* what);
// `code`, with upstream's reason naming the status the request is under.
HandlerResult notPending(RequestStatus status, StatusCode code);
// ACCEPT, DECLINE and IGNORE as the status they leave a request in; nullopt for anything else.
std::optional<RequestStatus> replyStatusOf(im::turms::proto::ResponseAction action);

// The hourly upkeep's deletion of the requests older than the expiry, whatever their status
// (upstream's cleanup, off by default): runs `remove(created_before)` when `delete_now` and
// `enabled` and the requests expire at all, and logs what it did as `what`.
void deleteExpiredRequests(const char* what, const RequestExpiry& expiry, bool enabled,
                           int64_t now_millis, bool delete_now,
                           const std::function<Result<int64_t>(int64_t created_before)>& remove);

}  // namespace parley
