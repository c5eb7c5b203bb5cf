#pragma once
// What GET /config shows of a configuration value: secrets never leave the node.
#include <string>
#include <string_view>

namespace parley {

// The value as shown for `key`: "********" for passwords and secrets (admin.password,
// cluster.secret, password.verification-cache-secret, ...; a secret's file name is shown), and
// for URIs (mongo.uri, redis.*.uris, comma-separated) the same URIs with the password of their
// userinfo and any password= or secret= parameter replaced by "****". Empty stays empty, so that
// an unset secret reads as unset.
std::string maskConfigValue(std::string_view key, std::string_view value);

}  // namespace parley
