#include "admin/admin_permissions.h"

namespace parley::admin {

bool isAccountsPath(std::string_view path) {
  return path == "/admins" || path.starts_with("/admins/");
}

bool roleAllows(AdminRole role, std::string_view method, std::string_view path) {
  if (role == AdminRole::kOwner) return true;
  if (isAccountsPath(path)) return false;
  if (role == AdminRole::kOperator) return true;
  return method == "GET" || method == "HEAD";
}

}  // namespace parley::admin
