#pragma once
// Unique 64-bit ids for messages, groups and requests: time-ordered, with the node's worker id
// inside so that nodes never collide. Layout (high to low): 1 sign bit (0), 41 bits of
// milliseconds since 2024-01-01 UTC (good until 2093), 10 bits worker id, 12 bits sequence.
// Unlike upstream's "large gap" ids, these sort by creation time, which keeps B-tree inserts
// appending; sharded MongoDB collections use a conversation-based shard key instead.
#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/clock.h"

namespace parley {

class SnowflakeIdGenerator {
 public:
  static constexpr int64_t kEpochMillis = 1704067200000;  // 2024-01-01T00:00:00Z
  static constexpr int kWorkerBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr int64_t kMaxWorkerId = (1 << kWorkerBits) - 1;

  // worker_id in [0, 1023]; throws std::invalid_argument otherwise (start-up only).
  SnowflakeIdGenerator(int64_t worker_id, const Clock& clock);

  // Thread-safe and lock-free. Strictly increasing per generator: when the clock goes backwards
  // or 4096 ids are taken within one millisecond, the generator runs ahead of the clock instead
  // of waiting or repeating an id.
  int64_t next();

  static int64_t workerIdOf(int64_t id) { return (id >> kSequenceBits) & kMaxWorkerId; }
  static int64_t millisOf(int64_t id) {
    return (id >> (kWorkerBits + kSequenceBits)) + kEpochMillis;
  }
  // A stable worker id from a node name, for single-node setups that do not configure one.
  static int64_t workerIdFromName(std::string_view node_id);

 private:
  const int64_t worker_id_;
  const Clock& clock_;
  // (milliseconds since epoch << kSequenceBits) | sequence of the last id handed out.
  std::atomic<int64_t> last_{0};
};

}  // namespace parley
