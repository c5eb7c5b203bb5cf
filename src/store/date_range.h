#pragma once
// A filter on a date field, as upstream's DateRange: from `start` (inclusive) to `end`
// (exclusive), a side left unset is open.
#include <cstdint>
#include <optional>

namespace parley {

struct DateRange {
  std::optional<int64_t> start;
  std::optional<int64_t> end;

  bool any() const { return start || end; }
  bool contains(int64_t millis) const {
    return (!start || millis >= *start) && (!end || millis < *end);
  }
};

}  // namespace parley
