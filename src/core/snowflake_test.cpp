#include "core/snowflake.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

namespace parley {
namespace {

class FixedClock : public Clock {
 public:
  explicit FixedClock(int64_t now) : now_(now) {}
  int64_t nowMillis() const override { return now_; }
  void set(int64_t now) { now_ = now; }

 private:
  std::atomic<int64_t> now_;
};

constexpr int64_t k2026 = 1767225600000;  // 2026-01-01

TEST(Snowflake, CarriesWorkerIdAndTime) {
  FixedClock clock(k2026);
  SnowflakeIdGenerator ids(517, clock);
  const int64_t id = ids.next();
  EXPECT_GT(id, 0);
  EXPECT_EQ(SnowflakeIdGenerator::workerIdOf(id), 517);
  EXPECT_EQ(SnowflakeIdGenerator::millisOf(id), k2026);
}

TEST(Snowflake, StrictlyIncreasingEvenWhenTheClockStandsStillOrGoesBack) {
  FixedClock clock(k2026);
  SnowflakeIdGenerator ids(1, clock);
  int64_t previous = ids.next();
  for (int i = 0; i < 10000; ++i) {           // more than 4096 within one millisecond
    if (i == 5000) clock.set(k2026 - 60000);  // a clock step backwards
    const int64_t id = ids.next();
    ASSERT_GT(id, previous);
    ASSERT_EQ(SnowflakeIdGenerator::workerIdOf(id), 1);
    previous = id;
  }
}

TEST(Snowflake, UniqueAcrossThreads) {
  SnowflakeIdGenerator ids(3, SystemClock::instance());
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::vector<int64_t>> taken(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      taken[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) taken[t].push_back(ids.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> all;
  for (const auto& list : taken) {
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));  // monotonic per thread
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
}

TEST(Snowflake, DifferentWorkersNeverCollide) {
  FixedClock clock(k2026);
  SnowflakeIdGenerator a(1, clock), b(2, clock);
  std::set<int64_t> all;
  for (int i = 0; i < 5000; ++i) {
    all.insert(a.next());
    all.insert(b.next());
  }
  EXPECT_EQ(all.size(), 10000u);
}

TEST(Snowflake, RejectsOutOfRangeWorkerIds) {
  FixedClock clock(k2026);
  EXPECT_THROW(SnowflakeIdGenerator(-1, clock), std::invalid_argument);
  EXPECT_THROW(SnowflakeIdGenerator(1024, clock), std::invalid_argument);
}

TEST(Snowflake, WorkerIdFromNameIsStableAndInRange) {
  EXPECT_EQ(SnowflakeIdGenerator::workerIdFromName("parley-1"),
            SnowflakeIdGenerator::workerIdFromName("parley-1"));
  EXPECT_NE(SnowflakeIdGenerator::workerIdFromName("parley-1"),
            SnowflakeIdGenerator::workerIdFromName("parley-2"));
  for (const char* name : {"", "a", "node-with-a-long-name-0123456789"}) {
    auto id = SnowflakeIdGenerator::workerIdFromName(name);
    EXPECT_GE(id, 0);
    EXPECT_LE(id, SnowflakeIdGenerator::kMaxWorkerId);
  }
}

}  // namespace
}  // namespace parley
