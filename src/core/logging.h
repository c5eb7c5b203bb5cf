#pragma once
// Logging setup. Code logs through spdlog directly (spdlog::info(...)); this only configures it.
#include <string>

namespace parley {

// Sets the default logger's level and format ("text" or "json", LogConfig::format); the node id
// is part of every line so that logs from several nodes can be merged.
void setupLogging(const std::string& level, const std::string& node_id,
                  const std::string& format = "text");

}  // namespace parley
