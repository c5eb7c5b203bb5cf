#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace parley::testing {

int connectToLoopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval tv{10, 0};  // a bound on each read, never a timing assert
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  return fd;
}

HttpResponse httpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  const int fd = connectToLoopback(port);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Connection: close\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + body;
  // A server may answer and stop reading before the whole body is sent (413): stop sending then
  // and read its answer, as a browser does.
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) raw.append(buffer, n);
  close(fd);
  if (raw.empty()) throw std::runtime_error("no answer from port " + std::to_string(port));
  auto header_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || header_end == std::string::npos) {
    throw std::runtime_error("not an HTTP response: " + raw.substr(0, 200));
  }
  HttpResponse response;
  response.status = std::stoi(raw.substr(9, 3));
  size_t line_start = raw.find("\r\n") + 2;
  while (line_start < header_end) {
    size_t line_end = raw.find("\r\n", line_start);
    std::string line = raw.substr(line_start, line_end - line_start);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      response.headers[name] = value;
    }
    line_start = line_end + 2;
  }
  response.body = raw.substr(header_end + 4);
  if (response.headers["transfer-encoding"] == "chunked") {
    std::string decoded;
    size_t pos = 0;
    const std::string& chunked = response.body;
    while (pos < chunked.size()) {
      size_t line_end = chunked.find("\r\n", pos);
      size_t size = std::stoul(chunked.substr(pos, line_end - pos), nullptr, 16);
      if (size == 0) break;
      decoded += chunked.substr(line_end + 2, size);
      pos = line_end + 2 + size + 2;
    }
    response.body = decoded;
  }
  return response;
}

int64_t metricValue(uint16_t port, const std::string& name) {
  try {
    const HttpResponse response = httpRequest(port, "GET", "/metrics");
    const std::string line_start = "\n" + name + " ";
    const auto at = ("\n" + response.body).find(line_start);
    if (response.status != 200 || at == std::string::npos) return -1;
    return std::stoll(response.body.substr(at + line_start.size() - 1));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace parley::testing
