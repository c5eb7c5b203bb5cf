#include "core/custom_setting.h"

#include <charconv>
#include <cmath>
#include <string>

#include "core/config.h"

namespace parley {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

[[noreturn]] void fail(std::string_view text, const std::string& problem) {
  throw ConfigError("setting '" + std::string(text) + "': " + problem);
}

double number(std::string_view text, std::string_view option, std::string_view value) {
  double parsed = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(parsed)) {
    fail(text, std::string(option) + " needs a number, not '" + std::string(value) + "'");
  }
  return parsed;
}

int count(std::string_view text, std::string_view option, std::string_view value) {
  int parsed = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || parsed < 0) {
    fail(text,
         std::string(option) + " needs a count (0 or more), not '" + std::string(value) + "'");
  }
  return parsed;
}

CustomValueType typeOf(std::string_view text, std::string_view type) {
  if (type == "int") return CustomValueType::kInt;
  if (type == "long") return CustomValueType::kLong;
  if (type == "double") return CustomValueType::kDouble;
  if (type == "bool") return CustomValueType::kBool;
  if (type == "string") return CustomValueType::kString;
  if (type == "language") return CustomValueType::kLanguage;
  fail(text, "unknown type '" + std::string(type) +
                 "' (int, long, double, bool, string, language; [] for an array)");
}

bool isNumeric(CustomValueType type) {
  return type == CustomValueType::kInt || type == CustomValueType::kLong ||
         type == CustomValueType::kDouble;
}

}  // namespace

const CustomSetting* findCustomSetting(const std::vector<CustomSetting>& allowed,
                                       std::string_view name) {
  for (const CustomSetting& setting : allowed) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

CustomSetting parseCustomSetting(std::string_view text) {
  const std::vector<std::string_view> parts = split(text, ':');
  if (parts.size() < 2) fail(text, "write NAME:TYPE[:OPTION]...");
  CustomSetting setting;
  setting.name = std::string(parts[0]);
  if (setting.name.empty() || setting.name.size() > 64) fail(text, "a name has 1 to 64 characters");
  for (const char c : setting.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      fail(text, "a name has only letters, digits, '_' and '-'");
    }
  }
  std::string_view type = parts[1];
  if (type.ends_with("[]")) {
    setting.is_array = true;
    type.remove_suffix(2);
  }
  setting.type = typeOf(text, type);
  for (size_t i = 2; i < parts.size(); ++i) {
    const std::string_view option = parts[i];
    const size_t equals = option.find('=');
    const std::string_view key = option.substr(0, equals);
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : option.substr(equals + 1);
    const bool numeric = isNumeric(setting.type);
    const bool textual = setting.type == CustomValueType::kString;
    if (key == "immutable" && equals == std::string_view::npos) {
      setting.immutable = true;
    } else if (key == "undeletable" && equals == std::string_view::npos) {
      setting.deletable = false;
    } else if (key == "unique" && equals == std::string_view::npos && setting.is_array) {
      setting.unique = true;
    } else if (key == "min" && numeric) {
      setting.min = number(text, key, value);
    } else if (key == "max" && numeric) {
      setting.max = number(text, key, value);
    } else if (key == "min-length" && textual) {
      setting.min_length = count(text, key, value);
    } else if (key == "max-length" && textual) {
      setting.max_length = count(text, key, value);
    } else if (key == "one-of" && textual && !value.empty()) {
      for (const std::string_view allowed : split(value, '|')) {
        setting.one_of.emplace_back(allowed);
      }
    } else if (key == "min-count" && setting.is_array) {
      setting.min_count = count(text, key, value);
    } else if (key == "max-count" && setting.is_array) {
      setting.max_count = count(text, key, value);
    } else {
      fail(text, "option '" + std::string(option) + "' does not apply to this type");
    }
  }
  if (setting.min > setting.max) fail(text, "min is above max");
  if (setting.min_length > setting.max_length) fail(text, "min-length is above max-length");
  if (setting.min_count > setting.max_count) fail(text, "min-count is above max-count");
  return setting;
}

}  // namespace parley
