#include "core/token_bucket.h"

#include <gtest/gtest.h>

#include "core/keyed_rate_limiter.h"

namespace parley {
namespace {

int acquireAll(TokenBucket& bucket, const TokenBucketConfig& config, int64_t now) {
  int acquired = 0;
  while (acquired < 1000 && bucket.tryAcquire(config, now)) ++acquired;
  return acquired;
}

TEST(TokenBucket, StartsFullAndRefusesOnceEmpty) {
  const TokenBucketConfig config{3, 1, 1000};
  TokenBucket bucket(config, 0);
  EXPECT_EQ(acquireAll(bucket, config, 0), 3);
  EXPECT_FALSE(bucket.tryAcquire(config, 999));
}

TEST(TokenBucket, AddsTokensPerPeriodEachInterval) {
  const TokenBucketConfig config{10, 2, 1000};
  TokenBucket bucket(config, 0);
  acquireAll(bucket, config, 0);
  EXPECT_EQ(acquireAll(bucket, config, 999), 0);
  EXPECT_EQ(acquireAll(bucket, config, 1000), 2);
  EXPECT_EQ(acquireAll(bucket, config, 3000), 4);
}

TEST(TokenBucket, KeepsThePartOfAnIntervalAlreadyWaited) {
  const TokenBucketConfig config{5, 1, 1000};
  TokenBucket bucket(config, 0);
  acquireAll(bucket, config, 0);
  EXPECT_EQ(acquireAll(bucket, config, 1500), 1);
  // 500 ms of the next interval had passed at 1500: one more token at 2000, not at 2500.
  EXPECT_EQ(acquireAll(bucket, config, 2000), 1);
}

TEST(TokenBucket, NeverHoldsMoreThanItsCapacity) {
  const TokenBucketConfig config{4, 3, 100};
  TokenBucket bucket(config, 0);
  acquireAll(bucket, config, 0);
  EXPECT_EQ(acquireAll(bucket, config, 1'000'000'000), 4);
}

TEST(TokenBucket, AFullBucketStartsItsIntervalWhenFirstUsed) {
  const TokenBucketConfig config{2, 1, 1000};
  TokenBucket bucket(config, 0);
  // Idle and full for a long time, then emptied: the idle time buys nothing extra.
  EXPECT_EQ(acquireAll(bucket, config, 50'000), 2);
  EXPECT_EQ(acquireAll(bucket, config, 50'999), 0);
  EXPECT_EQ(acquireAll(bucket, config, 51'000), 1);
}

TEST(TokenBucket, ZeroIntervalNeverRefills) {
  const TokenBucketConfig config{2, 1, 0};
  TokenBucket bucket(config, 0);
  acquireAll(bucket, config, 0);
  EXPECT_FALSE(bucket.tryAcquire(config, 1'000'000));
  EXPECT_FALSE(bucket.isFull(config, 1'000'000));
}

TEST(KeyedRateLimiter, KeysHaveTheirOwnBuckets) {
  IpRateLimiter limiter({1, 1, 1000});
  EXPECT_TRUE(limiter.tryAcquire(std::string_view("10.0.0.1"), 0));
  EXPECT_FALSE(limiter.tryAcquire(std::string_view("10.0.0.1"), 0));
  EXPECT_TRUE(limiter.tryAcquire(std::string_view("10.0.0.2"), 0));
  EXPECT_TRUE(limiter.tryAcquire(std::string_view("10.0.0.1"), 1000));
}

TEST(KeyedRateLimiter, PruneForgetsOnlyBucketsThatAreFullAgain) {
  UserRateLimiter limiter({2, 1, 1000});
  limiter.tryAcquire(int64_t{1}, 0);
  limiter.tryAcquire(int64_t{2}, 0);
  limiter.tryAcquire(int64_t{2}, 0);
  // At 1000 user 1 is full again and user 2 still lacks a token.
  EXPECT_EQ(limiter.prune(1000), 1u);
  EXPECT_TRUE(limiter.tryAcquire(int64_t{2}, 1000));
  EXPECT_FALSE(limiter.tryAcquire(int64_t{2}, 1000));
  EXPECT_EQ(limiter.prune(3000), 0u);
}

}  // namespace
}  // namespace parley
