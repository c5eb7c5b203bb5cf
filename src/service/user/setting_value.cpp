#include "service/user/setting_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "core/utf8.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

Status refused(const CustomSetting& setting, const std::string& problem) {
  return error(StatusCode::kIllegalArgument,
               "The value of the setting \"" + setting.name + "\" " + problem);
}

// A whole number of the value, if it is one (int32, int64, or text holding one).
std::optional<int64_t> wholeNumber(const pb::Value& value) {
  switch (value.kind_case()) {
    case pb::Value::kInt32Value:
      return value.int32_value();
    case pb::Value::kInt64Value:
      return value.int64_value();
    case pb::Value::kStringValue: {
      const std::string& text = value.string_value();
      int64_t parsed = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return parsed;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> realNumber(const pb::Value& value) {
  switch (value.kind_case()) {
    case pb::Value::kFloatValue:
      return value.float_value();
    case pb::Value::kDoubleValue:
      return value.double_value();
    case pb::Value::kStringValue: {
      const std::string& text = value.string_value();
      double parsed = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return parsed;
      return std::nullopt;
    }
    default:
      if (auto whole = wholeNumber(value)) return static_cast<double>(*whole);
      return std::nullopt;
  }
}

std::string rangeText(const CustomSetting& setting) {
  const auto bound = [](double b) {
    if (b == std::floor(b) && std::fabs(b) < 1e18) return std::to_string(static_cast<int64_t>(b));
    return std::to_string(b);
  };
  return "[" + bound(setting.min) + ", " + bound(setting.max) + "]";
}

// The text of a scalar value for a string setting, as upstream: numbers and bools become text.
std::optional<std::string> textOf(const pb::Value& value) {
  switch (value.kind_case()) {
    case pb::Value::kStringValue:
      return value.string_value();
    case pb::Value::kInt32Value:
      return std::to_string(value.int32_value());
    case pb::Value::kInt64Value:
      return std::to_string(value.int64_value());
    case pb::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case pb::Value::kFloatValue:
    case pb::Value::kDoubleValue: {
      const double number =
          value.kind_case() == pb::Value::kFloatValue ? value.float_value() : value.double_value();
      char buffer[64];
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
      return std::string(buffer, end);
    }
    default:
      return std::nullopt;
  }
}

Result<pb::Value> checkScalar(const CustomSetting& setting, const pb::Value& value) {
  pb::Value checked;
  switch (setting.type) {
    case CustomValueType::kInt:
    case CustomValueType::kLong: {
      const bool is_int = setting.type == CustomValueType::kInt;
      const std::optional<int64_t> number = wholeNumber(value);
      const double low = std::max(setting.min, is_int ? double{INT32_MIN} : -9.2e18);
      const double high = std::min(setting.max, is_int ? double{INT32_MAX} : 9.2e18);
      if (!number) return refused(setting, is_int ? "must be an int32" : "must be an int64");
      if (static_cast<double>(*number) < low || static_cast<double>(*number) > high) {
        return refused(setting, "must be in " + rangeText(setting));
      }
      if (is_int) {
        checked.set_int32_value(static_cast<int32_t>(*number));
      } else {
        checked.set_int64_value(*number);
      }
      return checked;
    }
    case CustomValueType::kDouble: {
      const std::optional<double> number = realNumber(value);
      if (!number || !std::isfinite(*number)) return refused(setting, "must be a double");
      if (*number < setting.min || *number > setting.max) {
        return refused(setting, "must be in " + rangeText(setting));
      }
      checked.set_double_value(*number);
      return checked;
    }
    case CustomValueType::kBool: {
      if (value.kind_case() == pb::Value::kBoolValue) {
        checked.set_bool_value(value.bool_value());
        return checked;
      }
      if (value.kind_case() == pb::Value::kStringValue) {
        std::string text = value.string_value();
        for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (text == "true" || text == "false") {
          checked.set_bool_value(text == "true");
          return checked;
        }
      }
      return refused(setting, "must be a bool, or a string of \"true\" or \"false\"");
    }
    case CustomValueType::kString: {
      const std::optional<std::string> text = textOf(value);
      if (!text) return refused(setting, "must be an int32, int64, float, double, bool or string");
      if (!setting.one_of.empty()) {
        if (std::find(setting.one_of.begin(), setting.one_of.end(), *text) ==
            setting.one_of.end()) {
          std::string allowed;
          for (const std::string& one : setting.one_of) {
            allowed += (allowed.empty() ? "" : ", ") + one;
          }
          return refused(setting, "must be one of [" + allowed + "]");
        }
      } else {
        const size_t length = codePoints(*text);
        if (length < static_cast<size_t>(setting.min_length) ||
            length > static_cast<size_t>(setting.max_length)) {
          return error(StatusCode::kIllegalArgument, "The string value length of the setting \"" +
                                                         setting.name + "\" must be in [" +
                                                         std::to_string(setting.min_length) + ", " +
                                                         std::to_string(setting.max_length) + "]");
        }
      }
      checked.set_string_value(*text);
      return checked;
    }
    case CustomValueType::kLanguage: {
      // An ISO 639 code: two or three lowercase letters.
      const std::string& text = value.string_value();
      const bool valid =
          value.kind_case() == pb::Value::kStringValue && text.size() >= 2 && text.size() <= 3 &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
      if (!valid) return refused(setting, "must be a valid language ID");
      checked.set_string_value(text);
      return checked;
    }
  }
  return refused(setting, "has an unknown type");
}

}  // namespace

std::string listedNames(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return "[" + text + "]";
}

Result<CheckedValues> checkNamedValues(
    const std::vector<CustomSetting>& allowed, bool ignore_unknown, const char* what,
    const google::protobuf::Map<std::string, pb::Value>& values) {
  CheckedValues checked;
  std::vector<std::string> unknown;
  for (const auto& [name, value] : values) {
    const CustomSetting* setting = findCustomSetting(allowed, name);
    if (setting == nullptr) {
      unknown.push_back(name);
      continue;
    }
    Result<pb::Value> one = checkSettingValue(*setting, value);
    if (!one.ok()) return one.status();
    checked.values[name] = one->SerializeAsString();
    if (setting->immutable) checked.immutable.push_back(name);
  }
  if (!unknown.empty() && !ignore_unknown) {
    return error(StatusCode::kIllegalArgument,
                 std::string("Unknown ") + what + "s: " + listedNames(unknown));
  }
  return checked;
}

Result<pb::Value> checkSettingValue(const CustomSetting& setting, const pb::Value& value) {
  if (!setting.is_array) {
    if (value.list_value_size() > 0) return refused(setting, "must not be an array");
    return checkScalar(setting, value);
  }
  if (value.kind_case() != pb::Value::KIND_NOT_SET) {
    return refused(setting, "must be an array");
  }
  const int count = value.list_value_size();
  if (count < setting.min_count || count > setting.max_count) {
    return error(StatusCode::kIllegalArgument,
                 "The array value of the setting \"" + setting.name + "\" must have [" +
                     std::to_string(setting.min_count) + ", " + std::to_string(setting.max_count) +
                     "] elements");
  }
  pb::Value checked;
  std::set<std::string> seen;
  for (const pb::Value& element : value.list_value()) {
    Result<pb::Value> one = checkScalar(setting, element);
    if (!one.ok()) return one.status();
    if (setting.unique && !seen.insert(one->SerializeAsString()).second) {
      return error(StatusCode::kIllegalArgument, "The array value of the setting \"" +
                                                     setting.name + "\" must have unique elements");
    }
    *checked.add_list_value() = std::move(one).value();
  }
  return checked;
}

}  // namespace parley
