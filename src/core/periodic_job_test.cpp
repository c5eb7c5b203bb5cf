#include "core/periodic_job.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace parley {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicJob, RunsRepeatedlyUntilDestroyed) {
  std::atomic<int> runs{0};
  {
    PeriodicJob job("test-job", 1ms, [&runs] { ++runs; });
    for (int i = 0; i < 10000 && runs.load() < 3; ++i) std::this_thread::sleep_for(1ms);
  }
  const int after_destruction = runs.load();
  EXPECT_GE(after_destruction, 3);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(runs.load(), after_destruction);
}

TEST(PeriodicJob, DestructionDoesNotWaitForTheNextInterval) {
  std::atomic<int> runs{0};
  {
    PeriodicJob job("test-job", 1h, [&runs] { ++runs; });
  }
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace parley
