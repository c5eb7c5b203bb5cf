#include "core/periodic_job.h"

#include <utility>

#include "core/thread_name.h"

namespace parley {

PeriodicJob::PeriodicJob(std::string thread_name, std::chrono::milliseconds interval,
                         std::function<void()> run)
    : thread_([this, thread_name = std::move(thread_name), interval,
               run = std::move(run)](std::stop_token stop) {
        nameThisThread(thread_name);
        std::unique_lock lock(mutex_);
        while (true) {
          // Wakes at the interval or at once when stop is requested (the predicate never holds).
          wake_.wait_for(lock, stop, interval, [] { return false; });
          if (stop.stop_requested()) return;
          lock.unlock();
          run();
          lock.lock();
        }
      }) {}

PeriodicJob::~PeriodicJob() {
  thread_.request_stop();
  thread_.join();
}

}  // namespace parley
