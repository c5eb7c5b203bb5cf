#pragma once
// Injected time source, so tests can move time without sleeping.
#include <chrono>
#include <cstdint>

namespace parley {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch (what Turms puts in timestamps).
  virtual int64_t nowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t nowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

}  // namespace parley
