#pragma once
// Private to src/admin: the credentials of an admin request, read from its Authorization header.
// "Basic base64(login:password)" names an account; "Bearer <password>" is the bootstrap owner's
// password alone (scripts and the first console login).
#include <optional>
#include <string>
#include <string_view>

#include "admin/admin_routes.h"

namespace parley::admin {

// The account the configured admin.password logs in as. Stored accounts cannot take this name.
inline constexpr std::string_view kBootstrapLoginName = "admin";

struct AdminCredentials {
  std::string login_name;
  std::string password;
};

// nullopt when the header is absent or malformed (unknown scheme, bad base64, no colon).
std::optional<AdminCredentials> parseCredentials(const AdminRequest& request);

// Compares without an early exit, so the time taken does not reveal how much of a guess matched.
// Only the length of the secret can leak.
bool constantTimeEquals(std::string_view given, std::string_view secret);

}  // namespace parley::admin
