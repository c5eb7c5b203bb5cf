#pragma once
// Decides when misbehaviour blocks a client by itself (upstream: AutoBlockManager), per client
// key (an IP, a user id) and per kind of misbehaviour, through growing levels. By default
// (upstream's): 5 offences, with one forgiven per minute, block for 10 minutes; one more offence
// while that level is remembered blocks for 30, then 60 minutes. A level is remembered for an
// hour after its block ends, so a client that offends again soon after gets the next one.
// Thread-safe (StripedMap).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/rate_limit_config.h"
#include "core/striped_map.h"

namespace parley {

struct AutoBlockState {
  int level = -1;  // index into the levels; -1 = not blocked yet
  int offences = 0;
  int64_t last_offence_millis = 0;
};

template <typename Map>
class AutoBlocker {
 public:
  static constexpr int64_t kRememberLevelMillis = 60 * 60 * 1000;

  explicit AutoBlocker(std::vector<AutoBlockLevel> levels) : levels_(std::move(levels)) {}

  // Counts an offence; returns how long to block the client for, if it must be (again).
  template <typename LookupKey>
  std::optional<int64_t> offend(LookupKey key, int64_t now_millis) {
    if (levels_.empty()) return std::nullopt;
    return states_.update(
        key, [] { return AutoBlockState{}; },
        [&](AutoBlockState& state) -> std::optional<int64_t> {
          if (forgotten(state, now_millis)) state = AutoBlockState{};
          const int last = static_cast<int>(levels_.size()) - 1;
          const int64_t quiet = now_millis - state.last_offence_millis;
          state.last_offence_millis = now_millis;
          if (state.level == last) return levels_[last].block_millis;  // renewed
          const AutoBlockLevel& next = levels_[state.level + 1];
          if (next.forgive_one_after_millis > 0 && state.offences > 0) {
            state.offences =
                std::max<int64_t>(0, state.offences - quiet / next.forgive_one_after_millis);
          }
          if (++state.offences >= next.offences) {
            ++state.level;
            state.offences = 0;
            return levels_[state.level].block_millis;
          }
          if (state.level >= 0) return levels_[state.level].block_millis;  // still offending
          return std::nullopt;
        });
  }

  // Forgets clients whose counts decayed or whose level is no longer remembered.
  size_t prune(int64_t now_millis) {
    return states_.eraseIf(
        [&](const AutoBlockState& state) { return forgotten(state, now_millis); });
  }

 private:
  bool forgotten(const AutoBlockState& state, int64_t now_millis) const {
    const int64_t quiet = now_millis - state.last_offence_millis;
    if (state.level >= 0) return quiet > levels_[state.level].block_millis + kRememberLevelMillis;
    const int64_t forgive = levels_.front().forgive_one_after_millis;
    return forgive > 0 && quiet >= forgive * state.offences;
  }

  const std::vector<AutoBlockLevel> levels_;
  Map states_;
};

using IpAutoBlocker = AutoBlocker<IpMap<AutoBlockState>>;
using UserAutoBlocker = AutoBlocker<UserIdMap<AutoBlockState>>;

}  // namespace parley
