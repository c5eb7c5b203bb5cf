#pragma once
// Private to src/admin: what each admin role may do, decided by method and path alone so that a
// route cannot be added without being covered:
//   OWNER      everything, the accounts (/admins) included
//   OPERATOR   every read and change except the accounts
//   READ_ONLY  reads (GET, HEAD) except the accounts
#include <array>
#include <optional>
#include <string_view>

#include "store/admin_account_repository.h"

namespace parley::admin {

// The names the admin API prints and takes, indexed by AdminRole's value.
inline constexpr std::array<std::string_view, kAdminRoleCount> kAdminRoleNames = {
    "OWNER", "OPERATOR", "READ_ONLY"};

inline std::string_view adminRoleName(AdminRole role) {
  return kAdminRoleNames[static_cast<size_t>(role)];
}

// True when an account of `role` may send `method` to `path`.
bool roleAllows(AdminRole role, std::string_view method, std::string_view path);

// Where accounts are managed: owners only.
bool isAccountsPath(std::string_view path);

}  // namespace parley::admin
