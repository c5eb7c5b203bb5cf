#pragma once
// Values Parley stores as serialized turms Value messages (conversation settings, user
// settings, user-defined attributes), read back for an answer.
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "service/dispatcher.h"

namespace parley {

// The stored values `keep` accepts, parsed. One that does not parse is damage in the store (only
// Parley writes these bytes): it is logged, naming `owner` (e.g. "user 7"), and left out rather
// than failing the whole answer.
google::protobuf::Map<std::string, im::turms::proto::Value> parseStoredValues(
    const std::map<std::string, std::string>& stored,
    const std::function<bool(const std::string& name)>& keep, std::string_view owner);

}  // namespace parley
