#pragma once
// A setting clients may store (upstream's allowed-settings, CustomSettingProperties): its name,
// the type and bounds of its value, and whether it may change once set or be deleted. Written in
// configuration as one line per setting (see parseCustomSetting).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

// Upstream's CustomValueType. LANGUAGE is an ISO 639-1 code (two lowercase letters).
enum class CustomValueType { kInt, kLong, kDouble, kBool, kString, kLanguage };

struct CustomSetting {
  std::string name;
  CustomValueType type = CustomValueType::kString;
  bool is_array = false;
  bool immutable = false;  // may be set once, then not changed (deleting is `deletable`'s)
  bool deletable = true;
  // int, long and double values: inclusive bounds (upstream's defaults: the type's range).
  double min = std::numeric_limits<double>::lowest();
  double max = std::numeric_limits<double>::max();
  // string values, in characters (upstream's defaults: 0..100).
  int min_length = 0;
  int max_length = 100;
  std::vector<std::string> one_of;  // string values: empty = any
  // array values (upstream's defaults: 0..10 elements).
  int min_count = 0;
  int max_count = 10;
  bool unique = false;

  bool operator==(const CustomSetting&) const = default;
};

// Parses "NAME:TYPE[:OPTION]...", e.g. "theme:string:one-of=light|dark",
// "pinCode:int:min=0:max=9999:immutable", "tags:string[]:max-count=5:max-length=20".
// NAME: letters, digits, '_' and '-' (it is a field name in MongoDB). TYPE: int, long, double,
// bool, string or language, with [] for an array of them. OPTIONs: min=, max= (numbers),
// min-length=, max-length=, one-of=a|b (strings), min-count=, max-count=, unique (arrays),
// immutable, undeletable. Throws ConfigError naming the problem.
CustomSetting parseCustomSetting(std::string_view text);

// The setting of `allowed` named `name`; nullptr when the name is not allowed.
const CustomSetting* findCustomSetting(const std::vector<CustomSetting>& allowed,
                                       std::string_view name);

}  // namespace parley
