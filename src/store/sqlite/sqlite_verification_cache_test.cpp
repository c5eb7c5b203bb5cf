#include "store/sqlite/sqlite_verification_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/password_hasher.h"
#include "core/shared_verification_cache_contract_test.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/fast_password_hasher.h"
#include "testing/manual_clock.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::SharedVerificationCacheContractTest;

constexpr int64_t kStartMillis = 1'800'000'000'000;
constexpr size_t kCapacity = 1000;

// The embedded node's store in a temp dir, closed and opened again by reopen() as a restart
// would, with a clock the test moves.
class SqliteCacheEnv final : public contract::SharedVerificationCacheEnv {
 public:
  explicit SqliteCacheEnv(int64_t ttl_millis, size_t capacity = kCapacity)
      : ttl_millis_(ttl_millis), capacity_(capacity) {
    open();
  }
  ~SqliteCacheEnv() override { close(); }

  SharedVerificationCache& cache() override { return *cache_; }
  void letTimePass(int64_t millis) override { clock_.advance(millis); }
  bool timeIsSimulated() const override { return true; }
  void reopen() override {
    close();
    open();
  }

  testing::ManualClock& clock() { return clock_; }
  Store& store() { return *store_; }
  sqlite::SqliteVerificationCache& sqliteCache() {
    return static_cast<sqlite::SqliteVerificationCache&>(*cache_);
  }
  // Rows in verified_password, read through the store's own connection.
  int64_t rows() {
    auto& db = static_cast<sqlite::SqliteStore&>(*store_).db();
    db.waitForQueuedWrites();
    auto lock = db.lock();
    auto count = db.prepare("SELECT count(*) FROM verified_password");
    EXPECT_TRUE(count.ok());
    EXPECT_TRUE(count->step().value());
    return count->columnInt64(0);
  }

 private:
  void open() {
    store_ = env_.open();
    cache_ = store_->openVerificationCache(clock_, ttl_millis_, capacity_);
  }
  void close() {
    cache_.reset();
    store_.reset();
  }

  const int64_t ttl_millis_;
  const size_t capacity_;
  testing::ManualClock clock_{kStartMillis};
  testing::SqliteStoreTestEnv env_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SharedVerificationCache> cache_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, SharedVerificationCacheContractTest,
                         ::testing::Values(contract::SharedVerificationCacheParam{
                             "sqlite",
                             [](int64_t ttl) { return std::make_unique<SqliteCacheEnv>(ttl); }}),
                         contract::sharedVerificationCacheName);

VerificationDigest digestOf(int seed) {
  VerificationDigest digest{};
  digest[0] = static_cast<unsigned char>(seed);
  digest[1] = static_cast<unsigned char>(seed >> 8);
  digest[31] = 0x5A;
  return digest;
}

TEST(SqliteVerificationCacheTest, LookupsAnswerFromMemory) {
  SqliteCacheEnv env(60'000);
  EXPECT_TRUE(env.cache().answersFromMemory());
}

TEST(SqliteVerificationCacheTest, RowsHoldHexDigestsOnly) {
  SqliteCacheEnv env(60'000);
  const VerificationDigest d = digestOf(1);
  env.cache().remember(std::span(&d, 1));
  EXPECT_EQ(env.rows(), 1);
  auto& db = static_cast<sqlite::SqliteStore&>(env.store()).db();
  auto lock = db.lock();
  auto row = db.prepare("SELECT digest, expires_at FROM verified_password");
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->step().value());
  EXPECT_EQ(row->columnText(0), toHex(d));
  EXPECT_EQ(row->columnInt64(1), kStartMillis + 60'000);
}

TEST(SqliteVerificationCacheTest, RenewingMovesTheRowsExpiry) {
  SqliteCacheEnv env(60'000);
  const VerificationDigest d = digestOf(1);
  env.cache().remember(std::span(&d, 1));
  env.letTimePass(50'000);
  env.cache().remember(std::span(&d, 1));
  EXPECT_EQ(env.rows(), 1);
  env.letTimePass(50'000);
  env.reopen();
  EXPECT_EQ(env.cache().lookup(d), SharedLookup::kFound) << "renewed 50 s ago, TTL 60 s";
}

TEST(SqliteVerificationCacheTest, ExpiredRowsAreDeletedAtStartAndByLaterWrites) {
  SqliteCacheEnv env(60'000);
  const VerificationDigest old_entry = digestOf(1);
  env.cache().remember(std::span(&old_entry, 1));
  env.letTimePass(61'000);
  env.reopen();
  EXPECT_EQ(env.rows(), 0) << "deleted when the store was opened";

  const VerificationDigest second = digestOf(2);
  env.cache().remember(std::span(&second, 1));
  env.letTimePass(61'000);
  // A write a quarter TTL after the last purge deletes what has expired since.
  const VerificationDigest third = digestOf(3);
  env.cache().remember(std::span(&third, 1));
  EXPECT_EQ(env.rows(), 1);
}

TEST(SqliteVerificationCacheTest, RestartKeepsTheNewestEntriesWithinCapacity) {
  SqliteCacheEnv env(600'000, /*capacity=*/3);
  for (int i = 0; i < 5; ++i) {
    const VerificationDigest d = digestOf(i);
    env.cache().remember(std::span(&d, 1));
    env.letTimePass(1000);
  }
  env.reopen();
  EXPECT_EQ(env.sqliteCache().size(), 3u);
  EXPECT_EQ(env.cache().lookup(digestOf(0)), SharedLookup::kAbsent);
  EXPECT_EQ(env.cache().lookup(digestOf(1)), SharedLookup::kAbsent);
  for (int i = 2; i < 5; ++i) EXPECT_EQ(env.cache().lookup(digestOf(i)), SharedLookup::kFound);
}

TEST(SqliteVerificationCacheTest, AClockThatWentBackDoesNotStretchRestoredEntries) {
  SqliteCacheEnv env(60'000);
  const VerificationDigest d = digestOf(1);
  env.cache().remember(std::span(&d, 1));
  env.letTimePass(-3'600'000);
  env.reopen();
  // The row says it expires 61 min from this clock's now; it counts as at most the TTL.
  env.letTimePass(60'000);
  EXPECT_EQ(env.cache().lookup(d), SharedLookup::kAbsent);
}

// What a restart means for logins: the next run's hasher, keyed with the same secret, lets a
// returning user in without Argon2.
TEST(SqliteVerificationCacheTest, ARestartedNodeVerifiesAReturningUserWithoutArgon2) {
  SqliteCacheEnv env(3'600'000);
  PasswordHasherOptions options = testing::fastPasswordHasherOptions();
  options.verification_cache_secret = std::string(64, 'k');
  std::string stored;
  {
    PasswordHasher first_run(options, env.clock());
    first_run.useSharedCache(env.cache());
    stored = first_run.hash("pw");
    EXPECT_TRUE(first_run.verify("pw", stored));
    EXPECT_EQ(first_run.stats().full_verifications, 1u);
  }
  env.reopen();
  PasswordHasher second_run(options, env.clock());
  second_run.useSharedCache(env.cache());
  EXPECT_TRUE(second_run.verifiedRecently("pw", stored)) << "answered on the io thread";
  EXPECT_TRUE(second_run.verify("pw", stored));
  EXPECT_FALSE(second_run.verify("pW", stored));
  const PasswordVerifyStats stats = second_run.stats();
  EXPECT_EQ(stats.shared_hits, 1u);
  EXPECT_EQ(stats.cache_hits, 1u) << "the shared hit was copied to memory";
  EXPECT_EQ(stats.full_verifications, 1u) << "only the wrong password";
}

TEST(SqliteVerificationCacheTest, ADifferentSecretFindsNothing) {
  SqliteCacheEnv env(3'600'000);
  PasswordHasherOptions options = testing::fastPasswordHasherOptions();
  options.verification_cache_secret = std::string(64, 'k');
  PasswordHasher first(options, env.clock());
  first.useSharedCache(env.cache());
  const std::string stored = first.hash("pw");
  EXPECT_TRUE(first.verify("pw", stored));

  options.verification_cache_secret = std::string(64, 'j');
  PasswordHasher other(options, env.clock());
  other.useSharedCache(env.cache());
  EXPECT_TRUE(other.verify("pw", stored));
  EXPECT_EQ(other.stats().full_verifications, 1u);
  EXPECT_EQ(other.stats().shared_misses, 1u);
  EXPECT_EQ(env.rows(), 2) << "two keys, two digests";
}

}  // namespace
}  // namespace parley
