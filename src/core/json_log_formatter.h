#pragma once
// log.format = json: one JSON object per line, for log shippers (Loki, Elasticsearch, Vector...)
// that would otherwise parse the text pattern with a regular expression:
//   {"time":"2026-12-07T13:30:00.123Z","level":"info","node":"a","thread":1234,"message":"..."}
// Time is UTC with milliseconds. The message is the text a text line would carry; bytes that are
// not UTF-8 become U+FFFD, so every line parses.
#include <spdlog/formatter.h>

#include <memory>
#include <string>

namespace parley {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  explicit JsonLogFormatter(std::string node_id) : node_id_(std::move(node_id)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::string node_id_;
};

// Appends text to out as the inside of a JSON string.
void appendJsonEscaped(std::string_view text, spdlog::memory_buf_t& out);

}  // namespace parley
