#include "service/stored_values.h"

#include <spdlog/spdlog.h>

namespace parley {

google::protobuf::Map<std::string, im::turms::proto::Value> parseStoredValues(
    const std::map<std::string, std::string>& stored,
    const std::function<bool(const std::string& name)>& keep, std::string_view owner) {
  google::protobuf::Map<std::string, im::turms::proto::Value> values;
  for (const auto& [name, bytes] : stored) {
    if (!keep(name)) continue;
    im::turms::proto::Value value;
    if (!value.ParseFromString(bytes)) {
      spdlog::error("stored value \"{}\" of {} is not a valid Value; skipped", name, owner);
      continue;
    }
    values[name] = std::move(value);
  }
  return values;
}

}  // namespace parley
