#pragma once
// Accounts of the admin API and the console (upstream's `admin` collection): a login name, a
// password hash, a display name and one role. The configured admin password is not stored here:
// it is the bootstrap owner "admin", always there, so a fresh deployment can create the others.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley {

// What an account may do with the admin API (admin/admin_permissions.h). The values are what
// the stores keep; a higher one never grants more.
enum class AdminRole : int32_t {
  kOwner = 0,     // everything, accounts included
  kOperator = 1,  // reads and changes business data and sessions; no accounts
  kReadOnly = 2,  // reads only
};
inline constexpr int32_t kAdminRoleCount = 3;

// A role as a store keeps it; a value this version does not know (written by hand, or by a
// newer version) may only read.
inline AdminRole adminRoleFromStored(int64_t value) {
  return value >= 0 && value < kAdminRoleCount ? static_cast<AdminRole>(value)
                                               : AdminRole::kReadOnly;
}

struct AdminAccount {
  int64_t id = 0;
  std::string login_name;
  // PasswordHasher's self-describing hash, never the password.
  std::string password_hash;
  std::string display_name;
  AdminRole role = AdminRole::kReadOnly;
  int64_t registration_date_millis = 0;

  bool operator==(const AdminAccount&) const = default;
};

// Fields to change; unset ones stay as they are.
struct AdminAccountUpdate {
  std::optional<std::string> password_hash;
  std::optional<std::string> display_name;
  std::optional<AdminRole> role;

  bool empty() const { return !password_hash && !display_name && !role; }
};

class AdminAccountRepository {
 public:
  virtual ~AdminAccountRepository() = default;
  // kRecordContainsDuplicateKey when the login name (or the id) is taken.
  virtual VoidResult insert(const AdminAccount& account) = 0;
  virtual Result<std::optional<AdminAccount>> findByLoginName(std::string_view login_name) = 0;
  // Ordered by login name: the first `skip` skipped, at most `limit` of the rest.
  virtual Result<std::vector<AdminAccount>> findAll(int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count() = 0;
  // Returns how many of the accounts exist, changed or not.
  virtual Result<int64_t> update(std::span<const std::string> login_names,
                                 const AdminAccountUpdate& update) = 0;
  // Returns how many were deleted.
  virtual Result<int64_t> remove(std::span<const std::string> login_names) = 0;
};

}  // namespace parley
