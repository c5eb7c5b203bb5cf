// RedisVerificationCache against real redis-server processes (ctest label `redis`) on a single
// server, three standalone shards and a three-primary Redis Cluster: the shared level's contract,
// what Redis holds (digests only), a second node verifying without Argon2, and Redis outages.
#include "online/redis_verification_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/password_hasher.h"
#include "core/shared_verification_cache_contract_test.h"
#include "online/redis_keys.h"
#include "online/redis_test_deployment.h"
#include "testing/eventually.h"
#include "testing/fast_password_hasher.h"
#include "testing/manual_clock.h"

namespace parley {
namespace {

using contract::SharedVerificationCacheContractTest;

using testing::RedisTestDeployment;
using testing::TestTopology;

// Starting servers (a Cluster above all) takes seconds, so the tests of this file share one
// deployment per topology and begin with FLUSHALL instead. Stopped before the process exits, by
// gtest, while logging and everything else still works.
class SharedDeployments final : public ::testing::Environment {
 public:
  static RedisTestDeployment& fresh(TestTopology topology) {
    auto& deployment = all()[topology];
    if (!deployment) deployment = std::make_unique<RedisTestDeployment>(topology);
    // After a test that restarted the servers, connections may still be coming back.
    const bool flushed =
        deployment->ok() && testing::eventually([&] {
          for (const auto& server : deployment->redis().commandOnEveryServerSync({"FLUSHALL"})) {
            if (!server.reply.ok() || server.reply->isError()) return false;
          }
          return true;
        });
    EXPECT_TRUE(flushed) << "the shared deployment does not answer";
    return *deployment;
  }
  void TearDown() override { all().clear(); }

 private:
  static std::map<TestTopology, std::unique_ptr<RedisTestDeployment>>& all() {
    static std::map<TestTopology, std::unique_ptr<RedisTestDeployment>> deployments;
    return deployments;
  }
};
[[maybe_unused]] const ::testing::Environment* const kSharedDeployments =
    ::testing::AddGlobalTestEnvironment(new SharedDeployments);

// Redis keeps time itself: letTimePass waits for real. reopen() is another node's instance over
// the same servers.
class RedisCacheEnv final : public contract::SharedVerificationCacheEnv {
 public:
  RedisCacheEnv(TestTopology topology, int64_t ttl_millis)
      : deployment_(SharedDeployments::fresh(topology)), ttl_millis_(ttl_millis) {
    reopen();
  }

  SharedVerificationCache& cache() override { return *cache_; }
  void letTimePass(int64_t millis) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(millis));
  }
  bool timeIsSimulated() const override { return false; }
  void reopen() override {
    cache_ = std::make_unique<RedisVerificationCache>(deployment_.redis(), ttl_millis_);
  }

 private:
  RedisTestDeployment& deployment_;
  int64_t ttl_millis_;
  std::unique_ptr<RedisVerificationCache> cache_;
};

contract::SharedVerificationCacheParam redisParam(TestTopology topology, std::string name) {
  return {std::move(name),
          [topology](int64_t ttl) { return std::make_unique<RedisCacheEnv>(topology, ttl); }};
}

INSTANTIATE_TEST_SUITE_P(Redis, SharedVerificationCacheContractTest,
                         ::testing::Values(redisParam(TestTopology::kSingle, "single"),
                                           redisParam(TestTopology::kSharded, "sharded"),
                                           redisParam(TestTopology::kCluster, "cluster")),
                         contract::sharedVerificationCacheName);

constexpr int64_t kStartMillis = 1'800'000'000'000;
constexpr int64_t kHourMillis = 3'600'000;
const std::string kSecret(64, 's');

// Two "nodes": each its own PasswordHasher (as its own process would have) and its own
// RedisVerificationCache, over one Redis deployment.
class RedisVerificationCacheTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.ok()); }

  std::unique_ptr<PasswordHasher> node(SharedVerificationCache& cache,
                                       const std::string& secret = kSecret) {
    PasswordHasherOptions options = testing::fastPasswordHasherOptions();
    options.verification_cache_secret = secret;
    auto hasher = std::make_unique<PasswordHasher>(options, clock_);
    hasher->useSharedCache(cache);
    return hasher;
  }

  // Every key on every server (SCAN), with its value.
  std::vector<std::pair<std::string, std::string>> everything() {
    std::vector<std::pair<std::string, std::string>> entries;
    for (size_t server = 0; server < redis_.redis().serverCount(); ++server) {
      std::string cursor = "0";
      do {
        auto page = redis_.redis().commandOnServerSync(server, {"SCAN", cursor, "COUNT", "1000"});
        EXPECT_TRUE(page.ok() && page->type == redis::RespType::kArray);
        if (!page.ok() || page->elements.size() != 2) return entries;
        cursor = page->elements[0].str;
        for (const auto& key : page->elements[1].elements) {
          auto value = redis_.redis().commandOnServerSync(server, {"GET", key.str});
          entries.emplace_back(key.str, value.ok() ? value->str : "");
        }
      } while (cursor != "0");
    }
    return entries;
  }

  bool eventuallyKeys(size_t count) {
    return testing::eventually([&] { return everything().size() == count; });
  }

  testing::ManualClock clock_{kStartMillis};
  RedisTestDeployment& redis_ = SharedDeployments::fresh(GetParam());
  RedisVerificationCache cache_a_{redis_.redis(), kHourMillis};
  RedisVerificationCache cache_b_{redis_.redis(), kHourMillis};
};

INSTANTIATE_TEST_SUITE_P(Topologies, RedisVerificationCacheTest,
                         ::testing::ValuesIn(testing::testTopologies()), testing::topologyName);

TEST_P(RedisVerificationCacheTest, ASecondNodeVerifiesWhatTheFirstVerifiedWithoutArgon2) {
  auto a = node(cache_a_);
  auto b = node(cache_b_);
  const std::string stored = a->hash("correct horse");
  EXPECT_TRUE(a->verify("correct horse", stored));
  EXPECT_EQ(a->stats().full_verifications, 1u);
  EXPECT_EQ(a->stats().shared_misses, 1u);
  ASSERT_TRUE(eventuallyKeys(1));

  EXPECT_FALSE(b->verifiedRecently("correct horse", stored))
      << "Redis is not asked from an io thread";
  EXPECT_TRUE(b->verify("correct horse", stored));
  EXPECT_TRUE(b->verify("correct horse", stored));
  EXPECT_FALSE(b->verify("correct horsE", stored));
  const PasswordVerifyStats stats = b->stats();
  EXPECT_EQ(stats.shared_hits, 1u);
  EXPECT_EQ(stats.cache_hits, 1u) << "the second login found it in memory";
  EXPECT_EQ(stats.shared_misses, 1u) << "the wrong password";
  EXPECT_EQ(stats.full_verifications, 1u) << "only the wrong password ran Argon2";
  EXPECT_EQ(stats.shared_unavailable, 0u);
}

TEST_P(RedisVerificationCacheTest, RedisHoldsKeyedDigestsOnly) {
  auto a = node(cache_a_);
  const std::string password = "a password nobody may read 1234";
  const std::string stored = a->hash(password);
  ASSERT_TRUE(a->verify(password, stored));
  ASSERT_TRUE(eventuallyKeys(1));
  const auto entries = everything();
  ASSERT_EQ(entries.size(), 1u);
  const auto& [key, value] = entries[0];
  EXPECT_TRUE(key.starts_with("im:pwv:{v:")) << key;
  EXPECT_EQ(key.size(), std::string("im:pwv:{v:}").size() + 64) << key;
  EXPECT_EQ(value, "1");
  // Nothing of the password, nor of the stored hash (its parameters, salt or digest).
  const std::string salt_and_digest = stored.substr(stored.find("$", stored.find("p=")));
  for (const std::string& secret_text :
       {password, stored, salt_and_digest, std::string("argon2"), std::string("correct")}) {
    EXPECT_EQ(key.find(secret_text), std::string::npos) << secret_text;
    EXPECT_EQ(value.find(secret_text), std::string::npos) << secret_text;
  }
}

TEST_P(RedisVerificationCacheTest, TheDigestIsKeyedBySecret) {
  auto a = node(cache_a_, kSecret);
  auto other = node(cache_b_, std::string(64, 't'));
  const std::string stored = a->hash("pw");
  ASSERT_TRUE(a->verify("pw", stored));
  ASSERT_TRUE(eventuallyKeys(1));
  EXPECT_TRUE(other->verify("pw", stored));
  EXPECT_EQ(other->stats().shared_hits, 0u) << "another secret, another digest";
  EXPECT_EQ(other->stats().full_verifications, 1u);
  ASSERT_TRUE(eventuallyKeys(2));
}

TEST_P(RedisVerificationCacheTest, EntriesSpreadOverServers) {
  std::vector<VerificationDigest> digests;
  for (int i = 0; i < 200; ++i) {
    VerificationDigest digest{};
    digest[0] = static_cast<unsigned char>(i);
    digest[5] = static_cast<unsigned char>(i * 31);
    digests.push_back(digest);
  }
  cache_a_.remember(digests);
  ASSERT_TRUE(eventuallyKeys(digests.size()));
  size_t servers_used = 0;
  for (size_t server = 0; server < redis_.redis().serverCount(); ++server) {
    auto size = redis_.redis().commandOnServerSync(server, {"DBSIZE"});
    ASSERT_TRUE(size.ok());
    if (size->integer > 0) ++servers_used;
  }
  EXPECT_EQ(servers_used, redis_.redis().serverCount());
}

TEST_P(RedisVerificationCacheTest, RememberingAgainRenewsTheTtlAndWritesBackLostEntries) {
  VerificationDigest digest{};
  digest[0] = 42;
  const std::string key = redis_keys::verifiedPassword(digest);
  RedisVerificationCache short_lived(redis_.redis(), 60'000);
  short_lived.remember(std::span(&digest, 1));
  ASSERT_TRUE(
      testing::eventually([&] { return short_lived.lookup(digest) == SharedLookup::kFound; }));
  ASSERT_TRUE(redis_.redis().commandSync(key, {"PEXPIRE", key, "1000"}).ok());
  short_lived.remember(std::span(&digest, 1));
  EXPECT_TRUE(testing::eventually([&] {
    auto ttl = redis_.redis().commandSync(key, {"PTTL", key});
    return ttl.ok() && ttl->integer > 50'000;
  }));
  redis_.flushAll();
  EXPECT_EQ(short_lived.lookup(digest), SharedLookup::kAbsent);
  short_lived.remember(std::span(&digest, 1));
  EXPECT_TRUE(
      testing::eventually([&] { return short_lived.lookup(digest) == SharedLookup::kFound; }));
}

TEST_P(RedisVerificationCacheTest, LoginsVerifyInFullWhileRedisIsDownAndUseItAgainAfter) {
  auto a = node(cache_a_);
  auto b = node(cache_b_);
  const std::string stored = a->hash("pw");
  redis_.stopAll();
  EXPECT_TRUE(a->verify("pw", stored)) << "a Redis outage never fails a login";
  EXPECT_FALSE(a->verify("px", stored));
  EXPECT_TRUE(b->verify("pw", stored));
  EXPECT_EQ(b->stats().full_verifications, 1u);
  EXPECT_EQ(b->stats().shared_unavailable, 1u);
  EXPECT_EQ(a->stats().shared_unavailable, 2u);
  EXPECT_TRUE(testing::eventually([&] { return cache_a_.failedWrites() >= 1; }));

  redis_.startAll();
  ASSERT_TRUE(testing::eventually(
      [&] { return cache_a_.lookup(VerificationDigest{}) == SharedLookup::kAbsent; }));
  // What was written during the outage is lost: the next verification is full, and remembered.
  auto c = node(cache_a_);
  EXPECT_TRUE(c->verify("pw", stored));
  EXPECT_EQ(c->stats().full_verifications, 1u);
  // Another node finds it (a fresh one per attempt, so its memory is empty: the write is async).
  EXPECT_TRUE(testing::eventually([&] {
    auto fresh = node(cache_b_);
    return fresh->verify("pw", stored) && fresh->stats().shared_hits == 1;
  }));
}

}  // namespace
}  // namespace parley
