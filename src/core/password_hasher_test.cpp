#include "core/password_hasher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "testing/fast_password_hasher.h"
#include "testing/manual_clock.h"

namespace parley {
namespace {

using testing::fastPasswordHasherOptions;

constexpr int64_t kStartMillis = 1'700'000'000'000;

// Turms keeps salt || digest as 40 raw bytes; our form hex-encodes the two parts.
std::string fromTurmsBytesHex(const std::string& raw_hex) {
  return "$sha256$" + raw_hex.substr(0, 16) + "$" + raw_hex.substr(16);
}

class PasswordHasherTest : public ::testing::Test {
 protected:
  testing::ManualClock clock_{kStartMillis};
  PasswordHasher argon2_{fastPasswordHasherOptions(PasswordAlgorithm::kArgon2id), clock_};
  PasswordHasher sha256_{fastPasswordHasherOptions(PasswordAlgorithm::kSaltedSha256), clock_};
};

TEST_F(PasswordHasherTest, Argon2idRoundTrip) {
  const std::string hash = argon2_.hash("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(argon2_.verify("correct horse", hash));
  EXPECT_FALSE(argon2_.verify("correct horse ", hash));
  EXPECT_FALSE(argon2_.verify("", hash));
}

TEST_F(PasswordHasherTest, SaltedSha256RoundTrip) {
  const std::string hash = sha256_.hash("correct horse");
  ASSERT_TRUE(hash.starts_with("$sha256$")) << hash;
  // Turms' 8-byte salt and a SHA-256 digest, hex.
  EXPECT_EQ(hash.size(), 8 + 16 + 1 + 64) << hash;
  EXPECT_TRUE(sha256_.verify("correct horse", hash));
  EXPECT_FALSE(sha256_.verify("correct horsf", hash));
  EXPECT_FALSE(sha256_.verify("", hash));
}

TEST_F(PasswordHasherTest, SaltsDiffer) {
  EXPECT_NE(sha256_.hash("123"), sha256_.hash("123"));
  EXPECT_NE(argon2_.hash("123"), argon2_.hash("123"));
}

TEST_F(PasswordHasherTest, EmptyPasswordRoundTrips) {
  EXPECT_TRUE(sha256_.verify("", sha256_.hash("")));
  EXPECT_TRUE(argon2_.verify("", argon2_.hash("")));
}

TEST_F(PasswordHasherTest, EitherHasherVerifiesEitherAlgorithm) {
  const std::string argon2_hash = argon2_.hash("pw");
  const std::string sha256_hash = sha256_.hash("pw");
  EXPECT_TRUE(sha256_.verify("pw", argon2_hash));
  EXPECT_TRUE(argon2_.verify("pw", sha256_hash));
  EXPECT_FALSE(sha256_.verify("px", argon2_hash));
  EXPECT_FALSE(argon2_.verify("px", sha256_hash));
}

TEST_F(PasswordHasherTest, GarbageStoredHashFails) {
  const std::string good_sha = sha256_.hash("pw");
  const std::string good_argon = argon2_.hash("pw");
  const std::vector<std::string> garbage = {
      "",
      "pw",
      "$",
      "$sha256$",
      "$sha256$$",
      "$sha256$0011223344556677",
      "$sha256$0011223344556677$",
      "$sha256$zz11223344556677$" + std::string(64, '0'),
      "$sha256$001122334455667$" + std::string(64, '0'),   // odd salt length
      "$sha256$00112233$" + std::string(64, '0'),          // salt too short
      "$sha256$0011223344556677$" + std::string(62, '0'),  // digest too short
      "$sha256$0011223344556677$" + std::string(66, '0'),  // digest too long
      "$sha256$0011223344556677$" + std::string(64, 'g'),  // not hex
      "$sha256$" + std::string(200, 'a') + "$" + std::string(64, '0'),
      good_sha.substr(0, good_sha.size() - 1),
      good_sha + "0",
      good_sha + std::string(1, '\0'),
      "$argon2id$",
      "$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA",
      "$argon2i$garbage",
      good_argon.substr(0, good_argon.size() - 4),
      good_argon + std::string(1, '\0') + "trailing",
      good_argon + std::string(200, 'A'),
      "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",  // bcrypt: unsupported
      std::string(10000, '$'),
  };
  for (const std::string& stored : garbage) {
    EXPECT_FALSE(sha256_.verify("pw", stored)) << stored;
    EXPECT_FALSE(argon2_.verify("pw", stored)) << stored;
  }
}

// Vectors computed independently with Python:
//   salt = bytes.fromhex(...); raw = salt + hashlib.sha256(salt + password_bytes).digest()
// where password_bytes is what Java's String holds (see password_hasher.cpp).
TEST_F(PasswordHasherTest, VerifiesTurmsAsciiVector) {
  // password_bytes = b"123" (the Turms demo users' password)
  const std::string stored = fromTurmsBytesHex(
      "8f3a5c7e19b2d460686028abfb75d4139922ddaaf6c8567b70297c13b8aaf7862b7377db445d9d88");
  EXPECT_TRUE(sha256_.verify("123", stored));
  EXPECT_TRUE(argon2_.verify("123", stored));
  EXPECT_FALSE(sha256_.verify("1234", stored));
  EXPECT_FALSE(sha256_.verify("12", stored));
}

TEST_F(PasswordHasherTest, VerifiesTurmsLatin1Vector) {
  // password_bytes = "pässwörd".encode("latin-1"); the client sends it as UTF-8.
  const std::string stored =
      "$sha256$0123456789abcdef$5021712917aef74330d74e88e925cad1d7de47206735f36d1c34a37f0098de7f";
  EXPECT_TRUE(sha256_.verify("p\xC3\xA4ssw\xC3\xB6rd", stored));
  EXPECT_FALSE(sha256_.verify("p\xE4ssw\xF6rd", stored));  // Latin-1 on the wire is not UTF-8
  EXPECT_FALSE(sha256_.verify("passwoerd", stored));
}

TEST_F(PasswordHasherTest, VerifiesTurmsUtf16Vector) {
  // password_bytes = "密码🔑x".encode("utf-16-le"), with a surrogate pair for the key emoji.
  const std::string stored =
      "$sha256$fedcba9876543210$e102ba17d1b4027d1450cee9f52ce3f2f20157a546e727211556758b1b97ade9";
  EXPECT_TRUE(sha256_.verify("\xE5\xAF\x86\xE7\xA0\x81\xF0\x9F\x94\x91x", stored));
  EXPECT_FALSE(sha256_.verify("\xE5\xAF\x86\xE7\xA0\x81\xF0\x9F\x94\x91y", stored));
}

TEST_F(PasswordHasherTest, NonAsciiAndInvalidUtf8RoundTrip) {
  for (const std::string password :
       {"p\xC3\xA4ssw\xC3\xB6rd", "\xE5\xAF\x86\xE7\xA0\x81", "\xFF\xFE", "a\xE2\x82"}) {
    EXPECT_TRUE(sha256_.verify(password, sha256_.hash(password))) << password;
    EXPECT_TRUE(argon2_.verify(password, argon2_.hash(password))) << password;
  }
}

TEST_F(PasswordHasherTest, ConstructorRejectsOutOfRangeLimits) {
  PasswordHasherOptions options = fastPasswordHasherOptions(PasswordAlgorithm::kArgon2id);
  options.argon2_ops_limit = 0;
  EXPECT_THROW(PasswordHasher(options, clock_), std::invalid_argument);
  options = fastPasswordHasherOptions(PasswordAlgorithm::kArgon2id);
  options.argon2_mem_limit_kib = 7;
  EXPECT_THROW(PasswordHasher(options, clock_), std::invalid_argument);
  options.argon2_mem_limit_kib = UINT64_MAX / 512;
  EXPECT_THROW(PasswordHasher(options, clock_), std::invalid_argument);
}

// A fast hasher whose verification cache keeps an entry for 60 s of clock.
PasswordHasher oneMinuteCacheHasher(const Clock& clock, PasswordAlgorithm algorithm) {
  PasswordHasherOptions options = fastPasswordHasherOptions(algorithm);
  options.verification_cache_seconds = 60;
  return PasswordHasher(options, clock);
}

TEST(PasswordHasherCacheTest, HitThenExpiresAfterTtl) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasher hasher = oneMinuteCacheHasher(clock, PasswordAlgorithm::kArgon2id);
  const std::string stored = hasher.hash("pw");

  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_EQ(hasher.stats().full_verifications, 1u);
  EXPECT_EQ(hasher.stats().cache_hits, 0u);

  clock.advance(59'999);
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_EQ(hasher.stats().full_verifications, 1u);
  EXPECT_EQ(hasher.stats().cache_hits, 1u);

  clock.advance(1);
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_EQ(hasher.stats().full_verifications, 2u);
  EXPECT_EQ(hasher.stats().cache_hits, 1u);
}

// What a login may check on an io thread: only the cache's answer, never Argon2.
TEST(PasswordHasherCacheTest, VerifiedRecentlyAnswersFromTheCacheAlone) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasher hasher = oneMinuteCacheHasher(clock, PasswordAlgorithm::kArgon2id);
  const std::string stored = hasher.hash("pw");

  EXPECT_FALSE(hasher.verifiedRecently("pw", stored)) << "right, but not verified yet";
  EXPECT_EQ(hasher.stats().full_verifications, 0u) << "no Argon2 for it";
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_TRUE(hasher.verifiedRecently("pw", stored));
  EXPECT_FALSE(hasher.verifiedRecently("pW", stored));
  EXPECT_FALSE(hasher.verifiedRecently("pw", hasher.hash("pw"))) << "another hash";
  EXPECT_EQ(hasher.stats().full_verifications, 1u);
  EXPECT_EQ(hasher.stats().cache_hits, 1u);
  clock.advance(60'000);
  EXPECT_FALSE(hasher.verifiedRecently("pw", stored)) << "expired";
}

TEST(PasswordHasherCacheTest, ClockGoingBackwardsDoesNotExtendEntries) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasher hasher = oneMinuteCacheHasher(clock, PasswordAlgorithm::kSaltedSha256);
  const std::string stored = hasher.hash("pw");
  EXPECT_TRUE(hasher.verify("pw", stored));
  clock.advance(-1000);
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_EQ(hasher.stats().full_verifications, 2u);
}

TEST(PasswordHasherCacheTest, WrongPasswordIsNeverAccepted) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasher hasher(fastPasswordHasherOptions(PasswordAlgorithm::kArgon2id), clock);
  const std::string stored = hasher.hash("pw");
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_FALSE(hasher.verify("pW", stored));
  EXPECT_FALSE(hasher.verify(std::string_view("pw\0", 3), stored));
  EXPECT_FALSE(hasher.verify("", stored));
  // Failures are not remembered: each one costs a full verification.
  EXPECT_FALSE(hasher.verify("pW", stored));
  EXPECT_EQ(hasher.stats().cache_hits, 0u);
  EXPECT_EQ(hasher.stats().full_verifications, 5u);
}

TEST(PasswordHasherCacheTest, ChangedStoredHashMisses) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasher hasher(fastPasswordHasherOptions(PasswordAlgorithm::kArgon2id), clock);
  const std::string old_hash = hasher.hash("old");
  EXPECT_TRUE(hasher.verify("old", old_hash));
  const std::string new_hash = hasher.hash("new");
  EXPECT_FALSE(hasher.verify("old", new_hash));
  EXPECT_TRUE(hasher.verify("new", new_hash));
  EXPECT_EQ(hasher.stats().cache_hits, 0u);
}

TEST(PasswordHasherCacheTest, EvictsOldestWhenFull) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasherOptions options = fastPasswordHasherOptions(PasswordAlgorithm::kSaltedSha256);
  options.verification_cache_capacity = 2;
  PasswordHasher hasher(options, clock);
  const std::string a = hasher.hash("a");
  const std::string b = hasher.hash("b");
  const std::string c = hasher.hash("c");
  EXPECT_TRUE(hasher.verify("a", a));
  EXPECT_TRUE(hasher.verify("b", b));
  EXPECT_TRUE(hasher.verify("c", c));  // evicts a
  EXPECT_EQ(hasher.stats().full_verifications, 3u);
  EXPECT_TRUE(hasher.verify("c", c));
  EXPECT_TRUE(hasher.verify("b", b));
  EXPECT_EQ(hasher.stats().cache_hits, 2u);
  EXPECT_TRUE(hasher.verify("a", a));
  EXPECT_EQ(hasher.stats().full_verifications, 4u);
}

TEST(PasswordHasherCacheTest, ZeroSecondsDisablesCache) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasherOptions options = fastPasswordHasherOptions(PasswordAlgorithm::kSaltedSha256);
  options.verification_cache_seconds = 0;
  PasswordHasher hasher(options, clock);
  const std::string stored = hasher.hash("pw");
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_TRUE(hasher.verify("pw", stored));
  EXPECT_EQ(hasher.stats().cache_hits, 0u);
  EXPECT_EQ(hasher.stats().full_verifications, 2u);
}

TEST(PasswordHasherCacheTest, ConcurrentVerificationsAgree) {
  testing::ManualClock clock(kStartMillis);
  PasswordHasherOptions options = fastPasswordHasherOptions(PasswordAlgorithm::kSaltedSha256);
  options.verification_cache_capacity = 8;  // small, so eviction runs concurrently too
  PasswordHasher hasher(options, clock);
  std::vector<std::string> hashes;
  for (int i = 0; i < 16; ++i) hashes.push_back(hasher.hash(std::to_string(i)));

  std::atomic<int> wrong_results{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 500; ++round) {
        const int i = (round + t) % 16;
        if (!hasher.verify(std::to_string(i), hashes[i])) ++wrong_results;
        if (hasher.verify(std::to_string(i + 1), hashes[i])) ++wrong_results;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong_results.load(), 0);
}

}  // namespace
}  // namespace parley
