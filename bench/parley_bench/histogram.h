#pragma once
// A log-linear ("HDR-style") histogram of non-negative integers, used for latencies in
// nanoseconds. Values below 2^kPrecisionBits are exact; above, each power of two is split into
// 2^(kPrecisionBits-1) equal buckets, so a reported value is at most 1/128 above the true one.
// Fixed size, no allocation while recording, mergeable across worker processes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace parley::bench {

class Histogram {
 public:
  static constexpr int kPrecisionBits = 8;
  // Values at or above 2^kMaxBits (about 4.9 hours in nanoseconds) land in the last bucket.
  static constexpr int kMaxBits = 44;
  static constexpr uint64_t kMaxTrackable = (uint64_t{1} << kMaxBits) - 1;
  static constexpr size_t kBucketCount =
      (size_t{1} << kPrecisionBits) +
      size_t{kMaxBits - kPrecisionBits} * (1 << (kPrecisionBits - 1));

  void record(uint64_t value);
  void merge(const Histogram& other);
  void clear();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
  // The smallest recorded-value upper bound v such that at least `percent`% of the values are
  // <= v (HdrHistogram's valueAtPercentile): the highest value of the bucket holding that rank,
  // never above max(). 0 when empty. percent is clamped to [0, 100].
  uint64_t percentile(double percent) const;

  // Sparse form for moving a histogram between processes: (bucket index, count) pairs.
  std::vector<std::pair<uint32_t, uint64_t>> nonZeroBuckets() const;
  // Rebuilds from nonZeroBuckets() plus the exact extremes and sum. Out-of-range indexes are
  // ignored (returns false).
  bool restore(const std::vector<std::pair<uint32_t, uint64_t>>& buckets, uint64_t min,
               uint64_t max, uint64_t sum);
  uint64_t sum() const { return sum_; }

  static size_t bucketOf(uint64_t value);
  static uint64_t bucketLowest(size_t index);
  static uint64_t bucketHighest(size_t index);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace parley::bench
