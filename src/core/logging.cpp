#include "core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace parley {

void setupLogging(const std::string& level, const std::string& node_id) {
  auto logger = spdlog::stderr_color_mt("parley");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [" + node_id + "] [%t] %v");
  spdlog::flush_on(spdlog::level::warn);
}

}  // namespace parley
