#include "parley_bench/histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

namespace parley::bench {
namespace {

TEST(HistogramTest, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.count(), 256u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 255u);
  EXPECT_EQ(h.percentile(50), 127u);  // rank 128 of 0..255
  EXPECT_EQ(h.percentile(100), 255u);
  EXPECT_EQ(h.percentile(0), 0u);
}

TEST(HistogramTest, BucketsTileTheRangeWithoutGapsOrOverlap) {
  for (size_t i = 1; i < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::bucketLowest(i), Histogram::bucketHighest(i - 1) + 1) << "bucket " << i;
  }
  EXPECT_EQ(Histogram::bucketOf(Histogram::kMaxTrackable), Histogram::kBucketCount - 1);
  EXPECT_EQ(Histogram::bucketHighest(Histogram::kBucketCount - 1), Histogram::kMaxTrackable);
}

TEST(HistogramTest, EveryValueFallsInItsBucketWithinOnePercent) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t value = random() >> (20 + random() % 44);
    const size_t bucket = Histogram::bucketOf(value);
    ASSERT_LE(Histogram::bucketLowest(bucket), value);
    ASSERT_GE(Histogram::bucketHighest(bucket), value);
    const double width =
        static_cast<double>(Histogram::bucketHighest(bucket) - Histogram::bucketLowest(bucket));
    ASSERT_LE(width, static_cast<double>(value) / 128.0) << value;
  }
}

TEST(HistogramTest, HugeValuesClampToTheLastBucketButKeepTheExactMax) {
  Histogram h;
  h.record(UINT64_MAX / 2);
  EXPECT_EQ(h.max(), UINT64_MAX / 2);
  EXPECT_EQ(h.percentile(99), UINT64_MAX / 2);  // never above max, here equal to it
}

TEST(HistogramTest, PercentilesOfAUniformRangeAreWithinPrecision) {
  Histogram h;
  for (uint64_t v = 1; v <= 1'000'000; ++v) h.record(v * 1000);  // 1 us .. 1 s in ns
  auto near = [](uint64_t got, double want) {
    return static_cast<double>(got) >= want && static_cast<double>(got) <= want * (1 + 1.0 / 128);
  };
  EXPECT_TRUE(near(h.percentile(50), 500'000'000.0)) << h.percentile(50);
  EXPECT_TRUE(near(h.percentile(90), 900'000'000.0)) << h.percentile(90);
  EXPECT_TRUE(near(h.percentile(99), 990'000'000.0)) << h.percentile(99);
  EXPECT_TRUE(near(h.percentile(99.9), 999'000'000.0)) << h.percentile(99.9);
  EXPECT_EQ(h.percentile(100), 1'000'000'000u);
  EXPECT_DOUBLE_EQ(h.mean(), 500'000.5 * 1000);
}

TEST(HistogramTest, ATailIsSeenByHighPercentilesOnly) {
  Histogram h;
  for (int i = 0; i < 990; ++i) h.record(1'000'000);  // 1 ms
  for (int i = 0; i < 10; ++i) h.record(50'000'000);  // 50 ms
  EXPECT_LE(h.percentile(99), 1'000'000u * 129 / 128);
  EXPECT_GE(h.percentile(99.9), 50'000'000u);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  std::mt19937_64 random(7);
  for (int i = 0; i < 5000; ++i) {
    const uint64_t value = random() % 10'000'000;
    (i % 2 ? a : b).record(value);
    all.record(value);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.sum(), all.sum());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(a.percentile(p), all.percentile(p));
}

TEST(HistogramTest, MergingAnEmptyHistogramChangesNothing) {
  Histogram a, empty;
  a.record(5);
  a.merge(empty);
  EXPECT_EQ(a.count(), 1u);
  EXPECT_EQ(a.min(), 5u);
  EXPECT_EQ(a.max(), 5u);
}

TEST(HistogramTest, SparseFormRoundTrips) {
  Histogram h;
  for (uint64_t v : {3u, 300u, 30000u, 3000000u, 3000000u}) h.record(v);
  Histogram copy;
  ASSERT_TRUE(copy.restore(h.nonZeroBuckets(), h.min(), h.max(), h.sum()));
  EXPECT_EQ(copy.count(), h.count());
  EXPECT_EQ(copy.min(), 3u);
  EXPECT_EQ(copy.max(), 3000000u);
  EXPECT_EQ(copy.percentile(50), h.percentile(50));
  EXPECT_FALSE(copy.restore({{static_cast<uint32_t>(Histogram::kBucketCount), 1}}, 0, 0, 0));
}

}  // namespace
}  // namespace parley::bench
