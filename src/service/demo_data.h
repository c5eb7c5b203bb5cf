#pragma once
// The upstream development data set (turms-service's MongoFakeDataGenerator), so that Turms
// clients' own test suites and examples run against Parley unchanged.
#include <cstdint>

namespace parley {

class Clock;
class PasswordHasher;
class Store;

// Seeds only when the store is empty, so a second start adds nothing. Returns users inserted.
int64_t seedDemoData(Store& store, const PasswordHasher& hasher, const Clock& clock,
                     int user_count);

}  // namespace parley
