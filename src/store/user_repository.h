#pragma once
// Users of the business store. Implemented by SQLite (embedded default) and MongoDB (clusters);
// one contract test suite runs against both.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

// The exclusive upper bound of the strings that start with `prefix`: prefix followed by the
// highest code point, which no valid UTF-8 string goes past.
inline std::string namePrefixEnd(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

// Mirrors Turms' user document; dates are Unix milliseconds.
struct UserRecord {
  int64_t id = 0;
  std::string password_hash;  // see PasswordHasher; empty = no password login
  std::string name;
  std::string intro;
  std::string profile_picture;
  int32_t profile_access_strategy = 0;  // im.turms.proto.ProfileAccessStrategy (0 = ALL)
  int64_t permission_group_id = 0;      // Turms "role id"
  int64_t registration_date = 0;
  std::optional<int64_t> deletion_date;
  int64_t last_updated_date = 0;
  bool is_active = true;
};

// Fields to change; unset ones stay as they are.
struct UserUpdate {
  std::optional<std::string> password_hash;
  std::optional<std::string> name;
  std::optional<std::string> intro;
  std::optional<std::string> profile_picture;
  std::optional<int32_t> profile_access_strategy;
  std::optional<int64_t> permission_group_id;
  std::optional<bool> is_active;
  int64_t last_updated_date = 0;  // required: the caller's clock
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;

  // kRecordContainsDuplicateKey when the id exists (even if soft-deleted).
  virtual VoidResult insert(const UserRecord& user) = 0;
  // Inserts many in one transaction; existing ids are skipped. Returns how many were inserted.
  virtual Result<int64_t> insertMany(std::span<const UserRecord> users) = 0;
  // Soft-deleted users are returned too (deletion_date set); callers decide.
  virtual Result<std::optional<UserRecord>> findById(int64_t id) = 0;
  virtual Result<std::vector<UserRecord>> findByIds(std::span<const int64_t> ids) = 0;
  // Whether the user exists, is active and is not deleted: what every private message asks of
  // its recipient. The default reads the whole record; a store may answer from the row alone.
  virtual Result<bool> isActive(int64_t id) {
    Result<std::optional<UserRecord>> user = findById(id);
    if (!user.ok()) return user.status();
    return user.value() && !user.value()->deletion_date && user.value()->is_active;
  }
  // Users whose name starts with `prefix` (case-sensitive, compared as UTF-8 bytes), not
  // deleted, ordered by name then id, `skip` of them skipped; only among `within_ids` when it is
  // not empty. Served by an index on the name.
  virtual Result<std::vector<UserRecord>> searchByName(const std::string& prefix,
                                                       std::span<const int64_t> within_ids,
                                                       int skip, int limit) = 0;
  // Ordered by id, skipping soft-deleted users, for the admin API.
  virtual Result<std::vector<UserRecord>> list(int64_t after_id, int limit) = 0;
  virtual Result<int64_t> countActive() = 0;
  // false when no (non-deleted) user has that id.
  virtual Result<bool> update(int64_t id, const UserUpdate& update) = 0;
  // Soft delete: sets deletion_date and is_active = false. false when no such user.
  virtual Result<bool> softDelete(int64_t id, int64_t now_millis) = 0;
};

}  // namespace parley
