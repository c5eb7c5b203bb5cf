#pragma once
// A function run every interval on a thread of its own, for upkeep that must not wait behind
// client work (and that clients must not wait behind): stops, and waits for a run under way, when
// destroyed.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace parley {

class PeriodicJob {
 public:
  // The first run comes one interval after construction.
  PeriodicJob(std::string thread_name, std::chrono::milliseconds interval,
              std::function<void()> run);
  ~PeriodicJob();
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: it uses the members above
};

}  // namespace parley
