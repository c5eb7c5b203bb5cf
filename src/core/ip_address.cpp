#include "core/ip_address.h"

namespace parley {

std::string_view ipOfAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  return unmappedIp(colon == std::string_view::npos ? address : address.substr(0, colon));
}

std::string_view unmappedIp(std::string_view ip) {
  constexpr std::string_view kMapped = "::ffff:";
  if (ip.starts_with(kMapped) && ip.find('.') != std::string_view::npos) {
    ip.remove_prefix(kMapped.size());
  }
  return ip;
}

}  // namespace parley
