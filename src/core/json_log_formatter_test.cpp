#include "core/json_log_formatter.h"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

namespace parley {
namespace {

namespace json = boost::json;

// The line the formatter writes for one entry, and that line parsed.
std::string formatted(std::string_view payload, spdlog::level::level_enum level,
                      std::string node = "node-a") {
  const auto time =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'765'114'200'007));
  spdlog::details::log_msg msg(time, spdlog::source_loc{}, "parley", level,
                               spdlog::string_view_t(payload.data(), payload.size()));
  msg.thread_id = 4242;
  JsonLogFormatter formatter(std::move(node));
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return std::string(out.data(), out.size());
}

json::object parsed(const std::string& line) {
  std::error_code ec;
  json::value value = json::parse(line, ec);
  EXPECT_FALSE(ec) << line;
  return value.is_object() ? value.as_object() : json::object();
}

TEST(JsonLogFormatterTest, WritesOneObjectPerLineWithEveryField) {
  const std::string line = formatted("node b is gone", spdlog::level::warn);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(parsed(line), (json::object{{"time", "2025-12-07T13:30:00.007Z"},
                                        {"level", "warn"},
                                        {"node", "node-a"},
                                        {"thread", 4242},
                                        {"message", "node b is gone"}}));
}

TEST(JsonLogFormatterTest, MessagesWithQuotesNewlinesAndControlCharactersStayOneLine) {
  const std::string text = "user \"x\" said \\ hi\nsecond line\r\t\x01\x7f end";
  const std::string line = formatted(text, spdlog::level::info, "node \"q\"");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const json::object object = parsed(line);
  EXPECT_EQ(object.at("message"), json::value(text));
  EXPECT_EQ(object.at("node"), "node \"q\"");
}

TEST(JsonLogFormatterTest, KeepsUtf8AndReplacesBytesThatAreNot) {
  EXPECT_EQ(parsed(formatted("m\xC3\xBCnchen \xE2\x9C\x93 \xF0\x9F\x98\x80", spdlog::level::info))
                .at("message"),
            "m\xC3\xBCnchen \xE2\x9C\x93 \xF0\x9F\x98\x80");
  // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate.
  EXPECT_EQ(parsed(formatted("a\x80 b\xE2\x9C c\xC0\xAF d\xED\xA0\x80", spdlog::level::info))
                .at("message"),
            "a\xEF\xBF\xBD b\xEF\xBF\xBD\xEF\xBF\xBD c\xEF\xBF\xBD\xEF\xBF\xBD "
            "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace parley
