#include "core/password_hasher.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <utility>

#include "core/digest_lru.h"
#include "core/utf8.h"

namespace parley {
namespace {

// Turms' "salted-sha256" (turms-server-common, infra/security/password/
// SaltedSha256PasswordEncoder.java and PasswordManager.java):
//   salt   = 8 random bytes (SALT_SIZE_BYTES)
//   digest = SHA-256(salt || password bytes)      -- salt first, then the password
//   stored = salt || digest (40 raw bytes, a BSON binary in MongoDB's user.pw)
// Our string form hex-encodes the two parts: "$sha256$<16 hex>$<64 hex>", so a Turms record
// converts by hex-encoding bytes [0, 8) and [8, 40).
//
// "Password bytes" are not UTF-8: PasswordManager takes them with StringUtil.getBytes(), which
// is the Java String's internal array. With compact strings (the JVM default) that is Latin-1
// when every char is <= U+00FF, otherwise UTF-16 in the JVM's native byte order (little-endian
// on the x86-64 and aarch64 hosts Turms runs on). ASCII passwords are therefore plain bytes;
// javaStringBytes() reproduces the rest so non-ASCII Turms passwords verify, and new hashes can go
// back to Turms.
constexpr std::string_view kSha256Prefix = "$sha256$";
constexpr size_t kTurmsSaltBytes = 8;
constexpr size_t kMaxSaltBytes = 64;
constexpr size_t kSha256Bytes = crypto_hash_sha256_BYTES;

// Holds a copy of password material and wipes it on destruction.
class SecretBytes {
 public:
  SecretBytes() = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

void appendUtf16Le(char16_t unit, std::string& out) {
  out.push_back(static_cast<char>(unit & 0xFF));
  out.push_back(static_cast<char>(unit >> 8));
}

// The bytes Turms hashes for a password (see the scheme above).
void javaStringBytes(std::string_view utf8, std::string& out) {
  bool ascii = true;
  bool latin1 = true;
  for (size_t pos = 0; pos < utf8.size();) {
    const char32_t cp = decodeUtf8(utf8, pos);
    ascii = ascii && cp < 0x80;
    latin1 = latin1 && cp <= 0xFF;
  }
  out.clear();
  if (ascii) {
    out.assign(utf8);
    return;
  }
  // Enough for any input (UTF-16 never needs more than 2 bytes per UTF-8 byte), so the buffer
  // never reallocates and leaves an unwiped copy of the password behind.
  out.reserve(utf8.size() * 2);
  for (size_t pos = 0; pos < utf8.size();) {
    const char32_t cp = decodeUtf8(utf8, pos);
    if (latin1) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x10000) {
      appendUtf16Le(static_cast<char16_t>(cp), out);
    } else {
      const char32_t v = cp - 0x10000;
      appendUtf16Le(static_cast<char16_t>(0xD800 + (v >> 10)), out);
      appendUtf16Le(static_cast<char16_t>(0xDC00 + (v & 0x3FF)), out);
    }
  }
}

std::array<unsigned char, kSha256Bytes> saltedSha256(std::span<const unsigned char> salt,
                                                     std::string_view password) {
  SecretBytes bytes;
  javaStringBytes(password, bytes.bytes());
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, salt.data(), salt.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(bytes.bytes().data()),
                            bytes.bytes().size());
  std::array<unsigned char, kSha256Bytes> digest;
  crypto_hash_sha256_final(&state, digest.data());
  sodium_memzero(&state, sizeof(state));
  return digest;
}

std::string toHex(std::span<const unsigned char> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

// Strict: all of hex must decode, and fit in out.
bool fromHex(std::string_view hex, std::span<unsigned char> out, size_t& out_len) {
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &out_len, &end) ==
             0 &&
         end == hex.data() + hex.size();
}

bool verifySaltedSha256(std::string_view password, std::string_view stored) {
  const std::string_view rest = stored.substr(kSha256Prefix.size());
  const size_t separator = rest.find('$');
  if (separator == std::string_view::npos) return false;
  const std::string_view salt_hex = rest.substr(0, separator);
  const std::string_view digest_hex = rest.substr(separator + 1);
  // Turms always uses 8 bytes; longer salts are accepted in case hashes come from elsewhere.
  if (salt_hex.size() < kTurmsSaltBytes * 2 || salt_hex.size() > kMaxSaltBytes * 2 ||
      digest_hex.size() != kSha256Bytes * 2) {
    return false;
  }
  std::array<unsigned char, kMaxSaltBytes> salt;
  std::array<unsigned char, kSha256Bytes> expected;
  size_t salt_len = 0;
  size_t digest_len = 0;
  if (!fromHex(salt_hex, salt, salt_len) || !fromHex(digest_hex, expected, digest_len) ||
      digest_len != kSha256Bytes) {
    return false;
  }
  const auto actual = saltedSha256(std::span(salt.data(), salt_len), password);
  return sodium_memcmp(actual.data(), expected.data(), kSha256Bytes) == 0;
}

bool verifyArgon2(std::string_view password, std::string_view stored) {
  if (stored.size() >= crypto_pwhash_STRBYTES) return false;
  // libsodium wants a NUL-terminated string; verify() already refused embedded NULs.
  const std::string terminated(stored);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

// At most `count` holders at once; the others sleep until one leaves. A mutex and a condition
// variable rather than std::counting_semaphore: libstdc++'s semaphore wakes every waiter on each
// release, and they spin (sched_yield) before sleeping again. With the blocking pool's 128
// threads queued for two Argon2id slots in a cold login storm on a Redis-backed node, about 40
// of them were runnable at any moment (load average 60 on two cores), so the node's io threads,
// and a Redis on the same host, waited in a run queue that long.
class Slots {
 public:
  explicit Slots(unsigned count) : free_(count) {}

  void acquire() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    freed_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  unsigned free_;  // guarded by mutex_
};

static_assert(std::tuple_size_v<VerificationDigest> == crypto_generichash_BYTES);
using CacheKey = std::array<unsigned char, crypto_generichash_KEYBYTES>;

// The secret is text (a configured value, or one a store generated): it is hashed to the key
// under a domain label, so the same text used elsewhere yields an unrelated key.
constexpr std::string_view kSecretDomain = "parley password verification cache key v1";
constexpr size_t kMinSecretChars = 32;

CacheKey keyFromSecret(std::string_view secret) {
  CacheKey key;
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), reinterpret_cast<const unsigned char*>(kSecretDomain.data()),
                     kSecretDomain.size());
  return key;
}

}  // namespace

struct PasswordHasher::Impl {
  PasswordHasherOptions options;
  const Clock& clock;
  CacheKey cache_key;
  DigestLru memory;
  SharedVerificationCache* shared = nullptr;

  std::atomic<uint64_t> cache_hits{0};
  std::atomic<uint64_t> full_verifications{0};
  std::atomic<uint64_t> shared_hits{0};
  std::atomic<uint64_t> shared_misses{0};
  std::atomic<uint64_t> shared_unavailable{0};

  // Argon2id computations at once. Each takes argon2_mem_limit_kib of memory (19 MiB by
  // default) and a core; the blocking pool has far more threads than cores (they mostly wait on
  // storage), so without this gate a login storm would allocate gigabytes for no extra speed.
  Slots argon2_slots{std::clamp(std::thread::hardware_concurrency(), 2u, 1024u)};

  Impl(PasswordHasherOptions opts, const Clock& c)
      : options(std::move(opts)),
        clock(c),
        memory(int64_t{std::max(options.verification_cache_seconds, 1)} * 1000,
               std::max<size_t>(options.verification_cache_capacity, 1)) {
    if (options.verification_cache_secret.empty()) {
      randombytes_buf(cache_key.data(), cache_key.size());
    } else {
      cache_key = keyFromSecret(options.verification_cache_secret);
      // Only the key is needed from here on.
      sodium_memzero(options.verification_cache_secret.data(),
                     options.verification_cache_secret.size());
      options.verification_cache_secret.clear();
    }
  }
  ~Impl() { sodium_memzero(cache_key.data(), cache_key.size()); }

  bool cacheEnabled() const {
    return options.verification_cache_seconds > 0 && options.verification_cache_capacity > 0;
  }

  // Keyed, so the digests are useless without the key: with a random key, without this
  // process's memory; with a configured or stored secret, without that secret. Whoever has the
  // key and the stored hashes can test guesses for the users whose digests they also hold at
  // BLAKE2b speed instead of Argon2id speed: the price of not re-hashing on reconnect storms, and
  // why entries expire (README, "Password verification cache").
  VerificationDigest digestOf(std::string_view password, std::string_view stored) const {
    crypto_generichash_state state;
    crypto_generichash_init(&state, cache_key.data(), cache_key.size(), sizeof(VerificationDigest));
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(stored.data()),
                              stored.size());
    const unsigned char separator = 0;
    crypto_generichash_update(&state, &separator, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(password.data()),
                              password.size());
    VerificationDigest digest;
    crypto_generichash_final(&state, digest.data(), digest.size());
    sodium_memzero(&state, sizeof(state));
    return digest;
  }

  bool inMemory(const VerificationDigest& digest) {
    if (!memory.contains(digest, clock.nowMillis())) return false;
    cache_hits.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // Asks the shared level; a hit is remembered in memory, so the user's next login here does not
  // ask again. count_misses: only verify() counts misses (and outages), since on the embedded
  // node a login asks verifiedRecently() first and then verify(), which would count them twice.
  bool inShared(const VerificationDigest& digest, bool count_misses) {
    switch (shared->lookup(digest)) {
      case SharedLookup::kFound:
        shared_hits.fetch_add(1, std::memory_order_relaxed);
        memory.add(digest, clock.nowMillis());
        return true;
      case SharedLookup::kAbsent:
        if (count_misses) shared_misses.fetch_add(1, std::memory_order_relaxed);
        return false;
      case SharedLookup::kUnavailable:
        if (count_misses) shared_unavailable.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    return false;
  }

  void remember(const VerificationDigest& digest) {
    memory.add(digest, clock.nowMillis());
    if (shared) shared->remember(std::span(&digest, 1));
  }
};

PasswordHasher::PasswordHasher(PasswordHasherOptions options, const Clock& clock) {
  if (sodium_init() < 0) throw std::runtime_error("password hasher: libsodium failed to start");
  if (options.argon2_ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      options.argon2_ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    throw std::invalid_argument("password hasher: argon2 ops limit " +
                                std::to_string(options.argon2_ops_limit) + " is out of range");
  }
  if (options.argon2_mem_limit_kib < crypto_pwhash_argon2id_MEMLIMIT_MIN / 1024 ||
      options.argon2_mem_limit_kib > crypto_pwhash_argon2id_MEMLIMIT_MAX / 1024) {
    throw std::invalid_argument("password hasher: argon2 memory limit " +
                                std::to_string(options.argon2_mem_limit_kib) +
                                " KiB is out of range (minimum 8)");
  }
  if (!options.verification_cache_secret.empty() &&
      options.verification_cache_secret.size() < kMinSecretChars) {
    throw std::invalid_argument(
        "password hasher: the verification cache secret must have at least " +
        std::to_string(kMinSecretChars) + " characters");
  }
  impl_ = std::make_unique<Impl>(std::move(options), clock);
}

PasswordHasher::~PasswordHasher() = default;

std::string PasswordHasher::hash(std::string_view password) const {
  if (impl_->options.algorithm == PasswordAlgorithm::kSaltedSha256) {
    // Turms' salt size, so the hash can be handed back to a Turms deployment unchanged.
    std::array<unsigned char, kTurmsSaltBytes> salt;
    randombytes_buf(salt.data(), salt.size());
    const auto digest = saltedSha256(salt, password);
    return std::string(kSha256Prefix) + toHex(salt) + "$" + toHex(digest);
  }
  std::array<char, crypto_pwhash_argon2id_STRBYTES> out;
  impl_->argon2_slots.acquire();
  const int hashed = crypto_pwhash_argon2id_str(out.data(), password.data(), password.size(),
                                                impl_->options.argon2_ops_limit,
                                                impl_->options.argon2_mem_limit_kib * 1024);
  impl_->argon2_slots.release();
  if (hashed != 0) {
    // The limits were validated at construction, so the only failure left is that the
    // memory limit could not be allocated: the same condition as any other failed allocation.
    // Returning a string here would create an account nobody can log into.
    spdlog::error("argon2id hashing failed: could not allocate {} KiB",
                  impl_->options.argon2_mem_limit_kib);
    throw std::bad_alloc();
  }
  return std::string(out.data());
}

void PasswordHasher::useSharedCache(SharedVerificationCache& cache) {
  if (impl_->cacheEnabled()) impl_->shared = &cache;
}

bool PasswordHasher::verify(std::string_view password, std::string_view stored_hash,
                            VerificationDigest* digest_out) const {
  // No valid hash contains NUL; refusing it keeps the cache key's "\0" separator unambiguous
  // and stops libsodium from verifying a truncated copy.
  if (stored_hash.find('\0') != std::string_view::npos) return false;
  const bool is_sha256 = stored_hash.starts_with(kSha256Prefix);
  const bool is_argon2 = stored_hash.starts_with(crypto_pwhash_argon2id_STRPREFIX) ||
                         stored_hash.starts_with(crypto_pwhash_argon2i_STRPREFIX);
  if (!is_sha256 && !is_argon2) return false;

  auto& impl = *impl_;
  std::optional<VerificationDigest> digest;
  if (impl.cacheEnabled()) {
    digest = impl.digestOf(password, stored_hash);
    if (digest_out) *digest_out = *digest;
    if (impl.inMemory(*digest)) return true;
    if (impl.shared && impl.inShared(*digest, /*count_misses=*/true)) return true;
  }
  impl.full_verifications.fetch_add(1, std::memory_order_relaxed);
  const bool ok = is_sha256 ? verifySaltedSha256(password, stored_hash) : [&] {
    impl.argon2_slots.acquire();
    const bool verified = verifyArgon2(password, stored_hash);
    impl.argon2_slots.release();
    return verified;
  }();
  if (ok && digest) impl.remember(*digest);
  return ok;
}

bool PasswordHasher::verifiedRecently(std::string_view password, std::string_view stored_hash,
                                      VerificationDigest* digest_out) const {
  auto& impl = *impl_;
  if (!impl.cacheEnabled() || stored_hash.find('\0') != std::string_view::npos) return false;
  const VerificationDigest digest = impl.digestOf(password, stored_hash);
  const bool hit = impl.inMemory(digest) || (impl.shared && impl.shared->answersFromMemory() &&
                                             impl.inShared(digest, /*count_misses=*/false));
  if (hit && digest_out) *digest_out = digest;
  return hit;
}

void PasswordHasher::keepAlive(std::span<const VerificationDigest> digests) const {
  if (impl_->shared && !digests.empty()) impl_->shared->remember(digests);
}

int64_t PasswordHasher::keepAliveIntervalMillis() const {
  return impl_->shared ? std::max<int64_t>(impl_->shared->ttlMillis() / 4, 1) : 0;
}

std::string PasswordHasher::newVerificationCacheSecret() {
  if (sodium_init() < 0) throw std::runtime_error("password hasher: libsodium failed to start");
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::string secret = toHex(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return secret;
}

PasswordVerifyStats PasswordHasher::stats() const {
  const auto& impl = *impl_;
  PasswordVerifyStats stats;
  stats.cache_hits = impl.cache_hits.load(std::memory_order_relaxed);
  stats.full_verifications = impl.full_verifications.load(std::memory_order_relaxed);
  stats.shared_hits = impl.shared_hits.load(std::memory_order_relaxed);
  stats.shared_misses = impl.shared_misses.load(std::memory_order_relaxed);
  stats.shared_unavailable = impl.shared_unavailable.load(std::memory_order_relaxed);
  stats.shared_write_failures = impl.shared ? impl.shared->failedWrites() : 0;
  return stats;
}

}  // namespace parley
