#pragma once
// A Clock that moves only when the test moves it, so time-dependent behaviour is tested without
// sleeping. Atomic, so a test may read it from several threads.
#include <atomic>
#include <cstdint>

#include "core/clock.h"

namespace parley::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis) : now_millis_(now_millis) {}

  int64_t nowMillis() const override { return now_millis_.load(); }
  // Negative millis move the clock backwards, as a stepped system clock would.
  void advance(int64_t millis) { now_millis_ += millis; }
  void set(int64_t now_millis) { now_millis_ = now_millis; }

 private:
  std::atomic<int64_t> now_millis_;
};

}  // namespace parley::testing
