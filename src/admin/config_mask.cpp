#include "admin/config_mask.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace parley {
namespace {

constexpr std::string_view kMasked = "********";
constexpr std::string_view kMaskedPart = "****";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isSecretKey(std::string_view key) {
  const std::string name = lower(key.substr(key.rfind('.') + 1));
  if (name.ends_with("-file")) {
    return false;  // where the secret is, not the secret
  }
  for (const std::string_view word : {"password", "secret", "token", "key"}) {
    if (name.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool isUriKey(std::string_view key) {
  const std::string name = lower(key.substr(key.rfind('.') + 1));
  return name == "uri" || name == "uris" || name.ends_with("-uri") || name.ends_with("-uris");
}

// scheme://user:password@host/...?password=x -> scheme://user:****@host/...?password=****
std::string maskUri(std::string_view uri) {
  std::string out(uri);
  const size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const size_t authority = scheme_end + 3;
    const size_t authority_end = std::min(out.find_first_of("/?#", authority), out.size());
    // The last '@' of the authority: a password may itself hold an unescaped '@'.
    const size_t at = out.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    if (at != std::string::npos && at >= authority) {
      const size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, kMaskedPart);
      } else {
        // redis://token@host: the whole userinfo is the credential.
        out.replace(authority, at - authority, kMaskedPart);
      }
    }
  }
  const size_t query = out.find('?');
  if (query == std::string::npos) {
    return out;
  }
  size_t start = query + 1;
  while (start < out.size()) {
    size_t end = out.find('&', start);
    if (end == std::string::npos) end = out.size();
    const size_t equals = out.find('=', start);
    if (equals != std::string::npos && equals < end &&
        isSecretKey(out.substr(start, equals - start))) {
      out.replace(equals + 1, end - equals - 1, kMaskedPart);
      end = equals + 1 + kMaskedPart.size();
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string maskConfigValue(std::string_view key, std::string_view value) {
  if (value.empty()) {
    return "";
  }
  if (isSecretKey(key)) {
    return std::string(kMasked);
  }
  if (!isUriKey(key)) {
    return std::string(value);
  }
  std::string out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    out += (start == 0 ? "" : ",") + maskUri(value.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace parley
