#include "net/ws_handshake.h"

#include <algorithm>

#include "net/sha1.h"

namespace parley::net {

namespace {

using State = WsUpgradeRequest::State;

constexpr std::string_view kCrlf = "\r\n";

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value (Connection, Upgrade) lists token.
bool listsToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (equalsIgnoreCase(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

WsUpgradeRequest reject(std::string_view error) {
  WsUpgradeRequest result;
  result.state = State::kReject;
  result.error = error;
  return result;
}

}  // namespace

WsUpgradeRequest parseWsUpgradeRequest(std::string_view bytes, size_t max_request_bytes) {
  constexpr std::string_view kMethod = "GET ";
  const size_t prefix = std::min(bytes.size(), kMethod.size());
  if (bytes.substr(0, prefix) != kMethod.substr(0, prefix)) return reject("not a GET request");
  const size_t end = bytes.substr(0, max_request_bytes).find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() >= max_request_bytes) return reject("request header too large");
    return {};
  }
  std::string_view head = bytes.substr(0, end + kCrlf.size());  // every line ends with CRLF

  const size_t line_end = head.find(kCrlf);
  const std::string_view request_line = head.substr(kMethod.size(), line_end - kMethod.size());
  head.remove_prefix(line_end + kCrlf.size());
  const size_t space = request_line.find(' ');
  if (space == 0 || space == std::string_view::npos) return reject("bad request line");
  const std::string_view target = request_line.substr(0, space);
  const std::string_view version = request_line.substr(space + 1);
  if (target.find_first_of(" \t") != std::string_view::npos) return reject("bad request line");
  if (version != "HTTP/1.1") return reject("not HTTP/1.1");

  bool host = false, connection_upgrade = false, upgrade_websocket = false;
  std::string_view key, ws_version;
  bool has_key = false, has_version = false;
  while (!head.empty()) {
    const size_t eol = head.find(kCrlf);
    const std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + kCrlf.size());
    const size_t colon = line.find(':');
    // Obsolete line folding (a line starting with whitespace) is not accepted (RFC 9112 §5.2).
    if (colon == 0 || colon == std::string_view::npos ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      return reject("bad header line");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (equalsIgnoreCase(name, "host")) {
      host = true;
    } else if (equalsIgnoreCase(name, "connection")) {
      connection_upgrade = connection_upgrade || listsToken(value, "upgrade");
    } else if (equalsIgnoreCase(name, "upgrade")) {
      upgrade_websocket = upgrade_websocket || listsToken(value, "websocket");
    } else if (equalsIgnoreCase(name, "sec-websocket-key")) {
      if (!has_key) key = value;
      has_key = true;
    } else if (equalsIgnoreCase(name, "sec-websocket-version")) {
      if (!has_version) ws_version = value;
      has_version = true;
    }
  }
  if (!host) return reject("missing Host");
  if (!connection_upgrade) return reject("missing Connection: upgrade");
  if (!upgrade_websocket) return reject("missing Upgrade: websocket");
  // A key is base64 of 16 bytes: 24 characters.
  if (!has_key || key.empty()) return reject("missing Sec-WebSocket-Key");
  if (key.size() > 24) return reject("bad Sec-WebSocket-Key");
  if (!has_version) return reject("missing Sec-WebSocket-Version");
  if (ws_version != "13") {
    auto result = reject("unsupported Sec-WebSocket-Version");
    result.unsupported_version = true;
    return result;
  }
  WsUpgradeRequest result;
  result.state = State::kAccept;
  result.request_bytes = end + 4;
  result.key = key;
  return result;
}

std::string wsAcceptValue(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  const auto digest = sha1(input);
  return base64Encode(digest.data(), digest.size());
}

std::string wsAcceptResponse(std::string_view key) {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  response += wsAcceptValue(key);
  response += "\r\nServer: parley\r\n\r\n";
  return response;
}

std::string wsRejectResponse(const WsUpgradeRequest& request) {
  std::string response = request.unsupported_version
                             ? "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                             : "HTTP/1.1 400 Bad Request\r\n";
  response += "Server: parley\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ";
  response += std::to_string(request.error.size());
  response += "\r\n\r\n";
  response += request.error;
  return response;
}

}  // namespace parley::net
