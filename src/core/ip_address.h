#pragma once
// Client addresses as the throttles and blocklists key them.
#include <string_view>

namespace parley {

// The IP part of a connection's "address:port" (IPv6 addresses print without brackets), with an
// IPv4-mapped IPv6 address written as the IPv4 address: a listener on "::" sees IPv4 clients
// that way, and they are counted and blocked as the IPv4 address they are.
std::string_view ipOfAddress(std::string_view address);
// An IP as printed (inet_ntop), with an IPv4-mapped IPv6 address written as the IPv4 address.
std::string_view unmappedIp(std::string_view ip);

}  // namespace parley
