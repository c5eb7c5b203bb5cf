#include "core/json_log_formatter.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>

#include "core/utf8.h"

namespace parley {
namespace {

void append(spdlog::memory_buf_t& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

// The names log.level takes, so a filter reads the same words as the config.
std::string_view levelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

}  // namespace

void appendJsonEscaped(std::string_view text, spdlog::memory_buf_t& out) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t start = i;
      decodeUtf8(text, i);
      // A well-formed sequence is two bytes or more; one byte consumed is one that starts none.
      append(out, i - start > 1 ? text.substr(start, i - start) : "\xEF\xBF\xBD");
      continue;
    }
    switch (c) {
      case '"':
        append(out, "\\\"");
        break;
      case '\\':
        append(out, "\\\\");
        break;
      case '\n':
        append(out, "\\n");
        break;
      case '\r':
        append(out, "\\r");
        break;
      case '\t':
        append(out, "\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
  const std::chrono::sys_seconds seconds{std::chrono::seconds(millis / 1000)};
  fmt::format_to(std::back_inserter(dest), R"({{"time":"{:%Y-%m-%dT%H:%M:%S}.{:03}Z","level":")",
                 seconds, millis % 1000);
  append(dest, levelName(msg.level));
  append(dest, R"(","node":")");
  appendJsonEscaped(node_id_, dest);
  fmt::format_to(std::back_inserter(dest), R"(","thread":{},"message":")", msg.thread_id);
  appendJsonEscaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  append(dest, "\"}\n");
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>(node_id_);
}

}  // namespace parley
