#include "core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json_log_formatter.h"

namespace parley {

void setupLogging(const std::string& level, const std::string& node_id, const std::string& format) {
  if (format == "json") {
    // No colour codes: a shipper reads the lines as they are.
    spdlog::set_default_logger(spdlog::stderr_logger_mt("parley"));
    spdlog::set_formatter(std::make_unique<JsonLogFormatter>(node_id));
  } else {
    spdlog::set_default_logger(spdlog::stderr_color_mt("parley"));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [" + node_id + "] [%t] %v");
  }
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::warn);
}

}  // namespace parley
