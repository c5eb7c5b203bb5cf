#include "net/stream_connection.h"

#include <spdlog/spdlog.h>

namespace parley::net {

void logTlsFailure(std::string_view transport, const std::string& remote_address,
                   const std::string& error) {
  // At debug: anyone can send a port bytes that are not TLS. A certificate the clients refuse
  // shows in their errors and in the login rate.
  spdlog::debug("{} {}: TLS failed: {}", transport, remote_address, error);
}

}  // namespace parley::net
