#pragma once
// Upstream's versioned queries: a client sends the last_updated_date of the copy it holds, and
// when nothing changed since (the data's version is not newer, or there is none: it never
// changed), the answer is ALREADY_UP_TO_DATE (1002) instead of the data.
#include <cstdint>
#include <optional>

namespace parley {

// Request: any query with `optional int64 last_updated_date`.
template <typename Request>
bool isUpToDate(const Request& request, std::optional<int64_t> version) {
  return request.has_last_updated_date() && (!version || request.last_updated_date() >= *version);
}

}  // namespace parley
