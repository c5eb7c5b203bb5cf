#pragma once
// Polls for state that changes in the background (clients reconnecting, io threads delivering),
// so that every wait in a test is bounded and none is a fixed sleep.
#include <chrono>
#include <functional>
#include <thread>

namespace parley::testing {

// Calls condition until it returns true, then returns true; false once limit has passed. The
// default limit is generous for a loaded two-core machine.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace parley::testing
