#include "parley_bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::bench {

namespace {
constexpr uint64_t kLinearLimit = uint64_t{1} << Histogram::kPrecisionBits;
constexpr uint64_t kHalf = kLinearLimit / 2;
}  // namespace

size_t Histogram::bucketOf(uint64_t value) {
  if (value < kLinearLimit) return static_cast<size_t>(value);
  value = std::min(value, kMaxTrackable);
  const int msb = 63 - std::countl_zero(value);
  // shift >= 1 so that value >> shift lies in [kHalf, kLinearLimit).
  const int shift = msb - kPrecisionBits + 1;
  return static_cast<size_t>(kLinearLimit + static_cast<uint64_t>(shift - 1) * kHalf +
                             ((value >> shift) - kHalf));
}

uint64_t Histogram::bucketLowest(size_t index) {
  if (index < kLinearLimit) return index;
  const uint64_t k = index - kLinearLimit;
  const int shift = static_cast<int>(k / kHalf) + 1;
  return (k % kHalf + kHalf) << shift;
}

uint64_t Histogram::bucketHighest(size_t index) {
  if (index < kLinearLimit) return index;
  const uint64_t k = index - kLinearLimit;
  const int shift = static_cast<int>(k / kHalf) + 1;
  return bucketLowest(index) + (uint64_t{1} << shift) - 1;
}

void Histogram::record(uint64_t value) {
  ++counts_[bucketOf(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::clear() { *this = Histogram(); }

uint64_t Histogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // Rank of the wanted value, 1-based; at least the first value.
  auto rank = static_cast<uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    // The last bucket also holds everything above the trackable range: its bound is max_.
    if (seen >= rank) return i + 1 == kBucketCount ? max_ : std::min(bucketHighest(i), max_);
  }
  return max_;
}

std::vector<std::pair<uint32_t, uint64_t>> Histogram::nonZeroBuckets() const {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) out.emplace_back(static_cast<uint32_t>(i), counts_[i]);
  }
  return out;
}

bool Histogram::restore(const std::vector<std::pair<uint32_t, uint64_t>>& buckets, uint64_t min,
                        uint64_t max, uint64_t sum) {
  clear();
  bool valid = true;
  for (const auto& [index, count] : buckets) {
    if (index >= kBucketCount) {
      valid = false;
      continue;
    }
    counts_[index] += count;
    count_ += count;
  }
  if (count_ > 0) {
    min_ = min;
    max_ = max;
    sum_ = sum;
  }
  return valid;
}

}  // namespace parley::bench
