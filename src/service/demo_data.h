#pragma once
// The upstream development data set (turms-service's MongoFakeDataGenerator), so that Turms
// clients' own test suites and examples run against Parley unchanged.
#include <cstdint>

namespace parley {

class Clock;
class PasswordHasher;
class Store;

// Seeds only when the store is empty, so a second start adds nothing. Returns users inserted.
// distinct_password_hashes: every user's "123" gets a hash of its own, as real users' passwords
// have (one Argon2id run per user, on every core); otherwise one hash serves them all.
int64_t seedDemoData(Store& store, const PasswordHasher& hasher, const Clock& clock, int user_count,
                     bool distinct_password_hashes = false);

}  // namespace parley
