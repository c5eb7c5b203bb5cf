#include "admin/admin_credentials.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace parley::admin {
namespace {

std::optional<std::string> decodeBase64(std::string_view text) {
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = sextet(c);
    if (value < 0) {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

bool constantTimeEquals(std::string_view given, std::string_view secret) {
  unsigned char diff = given.size() == secret.size() ? 0 : 1;
  for (size_t i = 0; i < secret.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(secret[i]));
  }
  return diff == 0;
}

std::optional<AdminCredentials> parseCredentials(const AdminRequest& request) {
  auto header = request.headers.find("authorization");
  if (header == request.headers.end()) {
    return std::nullopt;
  }
  std::string_view value = header->second;
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view scheme = value.substr(0, space);
  std::string_view credentials = value.substr(space + 1);
  while (!credentials.empty() && credentials.front() == ' ') {
    credentials.remove_prefix(1);
  }
  if (equalsIgnoreCase(scheme, "Bearer")) {
    return AdminCredentials{std::string(kBootstrapLoginName), std::string(credentials)};
  }
  if (!equalsIgnoreCase(scheme, "Basic")) {
    return std::nullopt;
  }
  const auto decoded = decodeBase64(credentials);
  if (!decoded) {
    return std::nullopt;
  }
  // RFC 7617: the user id ends at the first colon; the password may hold more.
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  return AdminCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace parley::admin
