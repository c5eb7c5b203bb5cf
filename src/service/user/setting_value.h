#pragma once
// Checks a client's value for a configured setting (core/custom_setting.h) the way upstream's
// CustomValueService does, and gives the value to store: of the setting's own type, converted
// where upstream converts (a number given as text for a number setting, "true"/"false" for a
// bool, any number or bool for a string setting).
#include <map>
#include <string>
#include <vector>

#include "core/custom_setting.h"
#include "core/result.h"
#include "service/dispatcher.h"

namespace parley {

// kIllegalArgument with upstream's wording ("The value of the setting \"x\" must be ...") when
// the value does not fit.
Result<im::turms::proto::Value> checkSettingValue(const CustomSetting& setting,
                                                  const im::turms::proto::Value& value);

// A client's values for a set of allowed settings (or user-defined attributes), checked: what to
// store (name → serialized Value) and which of those names are immutable.
struct CheckedValues {
  std::map<std::string, std::string> values;
  std::vector<std::string> immutable;
};
// Names not allowed are refused ("Unknown <what>s: [a, b]", kIllegalArgument), or skipped when
// ignore_unknown; a value that does not fit is refused with its reason.
Result<CheckedValues> checkNamedValues(
    const std::vector<CustomSetting>& allowed, bool ignore_unknown, const char* what,
    const google::protobuf::Map<std::string, im::turms::proto::Value>& values);

// "[a, b]": upstream lists names sorted, in brackets.
std::string listedNames(std::vector<std::string> names);

}  // namespace parley
