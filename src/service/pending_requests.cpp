#include "service/pending_requests.h"

#include <string>

#include <spdlog/spdlog.h>

#include "core/config.h"
#include "core/utf8.h"

namespace parley {

std::optional<HandlerResult> checkLength(std::string_view text, int limit, const char* what) {
  if (limit > 0 && codePoints(text) > static_cast<size_t>(limit)) {
    return HandlerResult::failure(
        StatusCode::kIllegalArgument,
        std::string("The ") + what + " must have at most " + std::to_string(limit) + " characters");
  }
  return std::nullopt;
}

HandlerResult notPending(RequestStatus status, StatusCode code) {
  return HandlerResult::failure(
      code, "The request is under the status " +
                im::turms::proto::RequestStatus_Name(
                    static_cast<im::turms::proto::RequestStatus>(static_cast<int32_t>(status))));
}

std::optional<RequestStatus> replyStatusOf(im::turms::proto::ResponseAction action) {
  switch (action) {
    case im::turms::proto::ACCEPT:
      return RequestStatus::kAccepted;
    case im::turms::proto::DECLINE:
      return RequestStatus::kDeclined;
    case im::turms::proto::IGNORE:
      return RequestStatus::kIgnored;
    default:
      return std::nullopt;
  }
}

void deleteExpiredRequests(const char* what, const RequestExpiry& expiry, bool enabled,
                           int64_t now_millis, bool delete_now,
                           const std::function<Result<int64_t>(int64_t created_before)>& remove) {
  const int64_t before = expiry.expiredBefore(now_millis);
  if (!delete_now || !enabled || before == 0) return;
  if (auto removed = remove(before); !removed.ok()) {
    spdlog::warn("{}: deleting expired ones failed: {}", what, removed.status().reason);
  } else if (*removed > 0) {
    spdlog::info("{}: deleted {} expired", what, *removed);
  }
}

}  // namespace parley
