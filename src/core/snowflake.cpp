#include "core/snowflake.h"

#include <stdexcept>
#include <string>

namespace parley {

SnowflakeIdGenerator::SnowflakeIdGenerator(int64_t worker_id, const Clock& clock)
    : worker_id_(worker_id), clock_(clock) {
  if (worker_id < 0 || worker_id > kMaxWorkerId) {
    throw std::invalid_argument("worker id " + std::to_string(worker_id) + " is outside [0, 1023]");
  }
}

int64_t SnowflakeIdGenerator::next() {
  const int64_t now = (clock_.nowMillis() - kEpochMillis) << kSequenceBits;
  int64_t last = last_.load(std::memory_order_relaxed);
  int64_t candidate;
  do {
    // A fresh millisecond starts its sequence at 0; otherwise take the next slot, which rolls
    // into the next millisecond after 4095.
    candidate = now > last ? now : last + 1;
  } while (!last_.compare_exchange_weak(last, candidate, std::memory_order_relaxed));
  const int64_t millis = candidate >> kSequenceBits;
  const int64_t sequence = candidate & ((1 << kSequenceBits) - 1);
  return (millis << (kWorkerBits + kSequenceBits)) | (worker_id_ << kSequenceBits) | sequence;
}

int64_t SnowflakeIdGenerator::workerIdFromName(std::string_view node_id) {
  // FNV-1a: stable across builds and platforms, unlike std::hash.
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : node_id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash % (kMaxWorkerId + 1));
}

}  // namespace parley
