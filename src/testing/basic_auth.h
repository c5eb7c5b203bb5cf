#pragma once
// The Authorization header value of HTTP Basic authentication, for tests of the admin API.
#include <string>

namespace parley::testing {

// "Basic " + base64(user:password).
std::string basicAuth(const std::string& user, const std::string& password);

}  // namespace parley::testing
