#pragma once
// The behaviour every SharedVerificationCache must have, as one value-parameterized suite that
// each implementation instantiates with an environment of its own: Redis on each topology
// (online/redis_verification_cache_redistest.cpp), the embedded node's SQLite store
// (store/sqlite/sqlite_verification_cache_test.cpp).
//
// Writes may land behind remember(), so "found" is polled (bounded). No timing is asserted:
// environments that cannot move time (Redis) let it pass for real, and only in the tests where a
// late check can only make an entry look more expired, never less.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/verification_cache.h"
#include "testing/eventually.h"

namespace parley::contract {

// One implementation over a place of its own (servers, a temp dir), removed by the destructor.
class SharedVerificationCacheEnv {
 public:
  virtual ~SharedVerificationCacheEnv() = default;
  virtual SharedVerificationCache& cache() = 0;
  // Lets millis of time pass for the cache: an injected clock moves, or the test waits.
  virtual void letTimePass(int64_t millis) = 0;
  // True when letTimePass moves a clock exactly (the renewal test needs that).
  virtual bool timeIsSimulated() const = 0;
  // Replaces cache() by a new instance over the same storage, as another node (Redis) or the same
  // node after a restart (SQLite) would open it. Writes queued before are not lost by this.
  virtual void reopen() = 0;
};

struct SharedVerificationCacheParam {
  std::string name;
  // A fresh, empty environment whose cache keeps entries ttl_millis.
  std::function<std::unique_ptr<SharedVerificationCacheEnv>(int64_t ttl_millis)> make_env;
};

inline void PrintTo(const SharedVerificationCacheParam& param, std::ostream* os) {
  *os << param.name;
}

inline std::string sharedVerificationCacheName(
    const ::testing::TestParamInfo<SharedVerificationCacheParam>& info) {
  return info.param.name;
}

class SharedVerificationCacheContractTest
    : public ::testing::TestWithParam<SharedVerificationCacheParam> {
 protected:
  static constexpr int64_t kLongTtlMillis = 600'000;

  void open(int64_t ttl_millis = kLongTtlMillis) {
    env_ = GetParam().make_env(ttl_millis);
    ASSERT_NE(env_, nullptr);
  }
  void TearDown() override { env_.reset(); }

  SharedVerificationCache& cache() { return env_->cache(); }

  static VerificationDigest digest(int seed) {
    VerificationDigest digest{};
    for (size_t i = 0; i < digest.size(); ++i) {
      digest[i] = static_cast<unsigned char>(seed * 131 + static_cast<int>(i) * 7 + 1);
    }
    digest[0] = static_cast<unsigned char>(seed);
    digest[1] = static_cast<unsigned char>(seed >> 8);
    return digest;
  }

  bool eventuallyFound(const VerificationDigest& d) {
    return testing::eventually([&] { return cache().lookup(d) == SharedLookup::kFound; });
  }
  bool eventuallyAbsent(const VerificationDigest& d) {
    return testing::eventually([&] { return cache().lookup(d) == SharedLookup::kAbsent; });
  }

  std::unique_ptr<SharedVerificationCacheEnv> env_;
};

TEST_P(SharedVerificationCacheContractTest, UnknownDigestIsAbsent) {
  open();
  EXPECT_EQ(cache().lookup(digest(1)), SharedLookup::kAbsent);
  EXPECT_EQ(cache().failedWrites(), 0u);
  EXPECT_EQ(cache().ttlMillis(), kLongTtlMillis);
}

TEST_P(SharedVerificationCacheContractTest, RememberedDigestIsFoundAndOnlyIt) {
  open();
  const VerificationDigest remembered = digest(1);
  cache().remember(std::span(&remembered, 1));
  EXPECT_TRUE(eventuallyFound(remembered));
  EXPECT_EQ(cache().lookup(digest(2)), SharedLookup::kAbsent);
  // A digest one bit away is another entry: nothing is matched by prefix or tag.
  VerificationDigest close = remembered;
  close[31] ^= 1;
  EXPECT_EQ(cache().lookup(close), SharedLookup::kAbsent);
  EXPECT_EQ(cache().failedWrites(), 0u);
}

TEST_P(SharedVerificationCacheContractTest, RemembersManyAtOnce) {
  open();
  std::vector<VerificationDigest> digests;
  for (int i = 0; i < 300; ++i) digests.push_back(digest(i));
  cache().remember(digests);
  for (const VerificationDigest& d : digests) EXPECT_TRUE(eventuallyFound(d));
}

TEST_P(SharedVerificationCacheContractTest, AnotherInstanceFindsWhatOneRemembered) {
  open();
  const VerificationDigest d = digest(7);
  cache().remember(std::span(&d, 1));
  EXPECT_TRUE(eventuallyFound(d));
  env_->reopen();
  EXPECT_EQ(cache().lookup(d), SharedLookup::kFound);
  EXPECT_EQ(cache().lookup(digest(8)), SharedLookup::kAbsent);
}

TEST_P(SharedVerificationCacheContractTest, EntriesExpireAfterTheirTtl) {
  open(/*ttl_millis=*/300);
  const VerificationDigest d = digest(3);
  cache().remember(std::span(&d, 1));
  env_->letTimePass(300);
  EXPECT_TRUE(eventuallyAbsent(d));
}

TEST_P(SharedVerificationCacheContractTest, ExpiredEntriesDoNotComeBackAfterReopening) {
  open(/*ttl_millis=*/300);
  const VerificationDigest d = digest(4);
  cache().remember(std::span(&d, 1));
  EXPECT_TRUE(eventuallyFound(d));
  env_->letTimePass(300);
  env_->reopen();
  EXPECT_TRUE(eventuallyAbsent(d));
}

TEST_P(SharedVerificationCacheContractTest, RememberingAgainRenewsTheTtl) {
  open(/*ttl_millis=*/1000);
  if (!env_->timeIsSimulated()) {
    GTEST_SKIP() << "needs exact time; the implementation's own tests check its renewal";
  }
  const VerificationDigest d = digest(5);
  cache().remember(std::span(&d, 1));
  env_->letTimePass(750);
  cache().remember(std::span(&d, 1));
  env_->letTimePass(750);
  EXPECT_EQ(cache().lookup(d), SharedLookup::kFound);
  env_->letTimePass(250);
  EXPECT_EQ(cache().lookup(d), SharedLookup::kAbsent);
}

}  // namespace parley::contract
