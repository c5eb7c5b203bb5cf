#include "service/demo_data.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <vector>

#include "core/clock.h"
#include "core/password_hasher.h"
#include "store/store.h"

namespace parley {

int64_t seedDemoData(Store& store, const PasswordHasher& hasher, const Clock& clock,
                     int user_count) {
  auto empty = store.isEmpty();
  if (!empty)
    throw std::runtime_error("demo data: cannot read the store: " + empty.status().reason);
  if (!*empty) {
    spdlog::info("demo data: the store already has data; not seeding");
    return 0;
  }
  // Every demo user shares one password, so it is hashed once (seeding stays fast).
  const std::string password_hash = hasher.hash("123");
  const int64_t now = clock.nowMillis();
  std::vector<UserRecord> users;
  users.reserve(user_count);
  for (int id = 1; id <= user_count; ++id) {
    UserRecord user;
    user.id = id;
    user.password_hash = password_hash;
    user.name = "my-name";
    user.intro = "my-intro";
    user.registration_date = now;
    user.last_updated_date = now;
    users.push_back(std::move(user));
  }
  auto inserted = store.users().insertMany(users);
  if (!inserted) {
    throw std::runtime_error("demo data: cannot insert users: " + inserted.status().reason);
  }
  spdlog::info("demo data: seeded {} users (ids 1..{}, password \"123\")", *inserted, user_count);
  return *inserted;
}

}  // namespace parley
