#pragma once
// A minimal blocking HTTP/1.1 client for the admin API tests (one request per connection).
#include <cstdint>
#include <map>
#include <string>

#include "testing/basic_auth.h"

namespace parley::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A blocking socket connected to 127.0.0.1:port whose reads give up after 10 s; the caller
// closes it. Throws std::runtime_error when the port cannot be reached.
int connectToLoopback(uint16_t port);

// Throws std::runtime_error when the server cannot be reached or the answer is not HTTP.
HttpResponse httpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

// The value of an unlabelled series (`name value`) in the /metrics of the admin server on port;
// -1 when the server cannot be reached or does not show the series.
int64_t metricValue(uint16_t port, const std::string& name);

}  // namespace parley::testing
