#include "admin/admin_route_util.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <utility>

#include "store/store.h"
#include "store/user_repository.h"

namespace parley::admin {
namespace {

int httpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidRequest:
    case StatusCode::kIllegalArgument:
    case StatusCode::kRequestedRecordsTooMany:
      return 400;
    case StatusCode::kUnauthorizedRequest:
      return 401;
    case StatusCode::kIpBlocklistIsDisabled:
    case StatusCode::kUserIdBlocklistIsDisabled:
      return 403;
    case StatusCode::kUpdateInfoOfNonexistentUser:
      return 404;
    case StatusCode::kRecordContainsDuplicateKey:
      return 409;
    case StatusCode::kServerUnavailable:
      return 503;
    default:
      return 500;
  }
}

// Splits "a,b,c"; an empty text has no items.
std::vector<std::string_view> splitCommas(std::string_view text) {
  std::vector<std::string_view> items;
  if (text.empty()) return items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace

AdminResponse jsonResponse(int http_status, const json::value& body) {
  AdminResponse response;
  response.status = http_status;
  response.body = json::serialize(body);
  return response;
}

AdminResponse ok(json::value data) {
  return jsonResponse(200,
                      json::object{{"code", toInt(StatusCode::kOk)}, {"data", std::move(data)}});
}

AdminResponse fail(int http_status, StatusCode code, std::string_view reason) {
  return jsonResponse(http_status, json::object{{"code", toInt(code)}, {"reason", reason}});
}

AdminResponse fail(const Status& status) {
  return fail(httpStatusFor(status.code), status.code,
              status.reason.empty() ? statusName(status.code) : std::string_view(status.reason));
}

Status badArgument(std::string_view field, std::string_view problem) {
  return error(StatusCode::kIllegalArgument, std::string(field) + ": " + std::string(problem));
}

AdminResponse okPage(int64_t total, json::array records) {
  return ok(json::object{{"total", total}, {"records", std::move(records)}});
}

AdminResponse deletedAnswer(int64_t deleted_count, std::string_view what) {
  if (deleted_count > 0) spdlog::info("admin: deleted {} {}", deleted_count, what);
  return ok(json::object{{"deletedCount", deleted_count}});
}

json::value optionalJson(const std::optional<int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

Result<Store*> requireStore(AdminRoutes& routes) {
  if (!routes.deps().store) {
    return error(StatusCode::kServerUnavailable, "this admin API has no business store");
  }
  return routes.deps().store;
}

std::optional<AdminResponse> refuseMissingUser(AdminRoutes& routes, int64_t user_id,
                                               std::string_view field) {
  auto user = routes.deps().users.findById(user_id);
  if (!user) return fail(user.status());
  if (*user && !(*user)->deletion_date) return std::nullopt;
  return fail(404, StatusCode::kIllegalArgument,
              std::string(field) + ": user " + std::to_string(user_id) + " does not exist");
}

std::optional<AdminResponse> refuseMissingGroup(Store& store, int64_t group_id,
                                                std::optional<GroupRecord>* live) {
  auto group = store.groups().findById(group_id);
  if (!group) return fail(group.status());
  if (*group && !(*group)->deletion_date) {
    if (live) *live = std::move(*group);
    return std::nullopt;
  }
  return fail(404, StatusCode::kIllegalArgument,
              "groupId: group " + std::to_string(group_id) + " does not exist");
}

std::optional<int64_t> parseInt64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string_view> queryParam(const AdminRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end()) {
    return std::nullopt;
  }
  return std::string_view(it->second);
}

Result<std::vector<int64_t>> parseIds(const AdminRequest& request, const std::string& name,
                                      bool required) {
  const std::string_view text = queryParam(request, name).value_or("");
  if (text.empty() && required) {
    return badArgument(name, "required");
  }
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  for (const std::string_view item : splitCommas(text)) {
    const auto id = parseInt64(item);
    if (!id) {
      return badArgument(name, "must be a comma-separated list of integers");
    }
    if (seen.insert(*id).second) {
      ids.push_back(*id);
    }
  }
  if (ids.size() > kMaxIdsPerRequest) {
    return error(StatusCode::kRequestedRecordsTooMany,
                 name + ": at most " + std::to_string(kMaxIdsPerRequest));
  }
  return ids;
}

Result<std::vector<int32_t>> parseInt32s(const AdminRequest& request, const std::string& name) {
  auto values = parseIds(request, name, /*required=*/false);
  if (!values) return values.status();
  std::vector<int32_t> narrowed;
  for (const int64_t value : *values) {
    if (value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max()) {
      return badArgument(name, "must be 32-bit integers");
    }
    narrowed.push_back(static_cast<int32_t>(value));
  }
  return narrowed;
}

std::vector<std::string> parseStrings(const AdminRequest& request, const std::string& name) {
  std::vector<std::string> values;
  for (const std::string_view item : splitCommas(queryParam(request, name).value_or(""))) {
    if (std::find(values.begin(), values.end(), item) == values.end()) values.emplace_back(item);
  }
  return values;
}

Result<int64_t> parseIntParam(const AdminRequest& request, const std::string& name,
                              int64_t default_value, int64_t min, int64_t max) {
  const auto text = queryParam(request, name);
  if (!text) {
    return default_value;
  }
  const auto value = parseInt64(*text);
  if (!value || *value < min || *value > max) {
    return badArgument(
        name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return *value;
}

Result<std::optional<bool>> parseBoolParam(const AdminRequest& request, const std::string& name) {
  const auto text = queryParam(request, name);
  if (!text) return std::optional<bool>();
  if (*text == "true") return std::optional<bool>(true);
  if (*text == "false") return std::optional<bool>(false);
  return badArgument(name, "must be true or false");
}

Result<DateRange> parseDateRange(const AdminRequest& request, const std::string& prefix) {
  DateRange range;
  for (auto [suffix, side] : {std::pair{"Start", &range.start}, std::pair{"End", &range.end}}) {
    const std::string name = prefix + suffix;
    if (const auto text = queryParam(request, name)) {
      *side = parseInt64(*text);
      if (!*side) return badArgument(name, "must be a date in Unix milliseconds");
    }
  }
  return range;
}

Result<PageRequest> parsePageRequest(const AdminRequest& request, bool paged) {
  auto size = parseIntParam(request, "size", kDefaultPageSize, 1, kMaxPageSize);
  if (!size) return size.status();
  int64_t page = 0;
  if (paged) {
    // The largest page whose first record is still addressable.
    auto parsed = parseIntParam(request, "page", 0, 0, std::numeric_limits<int64_t>::max() / *size);
    if (!parsed) return parsed.status();
    page = *parsed;
  }
  return PageRequest{page * *size, *size};
}

Result<std::vector<std::map<std::string, int64_t>>> parseKeys(
    const AdminRequest& request, std::span<const std::string_view> fields) {
  constexpr std::string_view kPrefix = "keys[";
  std::map<int64_t, std::map<std::string, int64_t>> by_position;
  std::string expected;
  for (const std::string_view field : fields) {
    expected += expected.empty() ? "keys[0]." : ", keys[0].";
    expected += field;
  }
  for (const auto& [name, value] : request.query) {
    if (!name.starts_with(kPrefix)) continue;
    const size_t close = name.find("].", kPrefix.size());
    const auto position =
        close == std::string::npos
            ? std::nullopt
            : parseInt64(std::string_view(name).substr(kPrefix.size(), close - kPrefix.size()));
    const std::string field = close == std::string::npos ? "" : name.substr(close + 2);
    if (!position || *position < 0 ||
        std::find(fields.begin(), fields.end(), field) == fields.end()) {
      return badArgument(name, "unknown key parameter; send " + expected);
    }
    const auto number = parseInt64(value);
    if (!number) return badArgument(name, "must be an integer");
    by_position[*position][field] = *number;
  }
  if (by_position.empty()) return badArgument("keys", "required, as " + expected);
  if (by_position.size() > kMaxIdsPerRequest) {
    return error(StatusCode::kRequestedRecordsTooMany,
                 "keys: at most " + std::to_string(kMaxIdsPerRequest));
  }
  std::vector<std::map<std::string, int64_t>> keys;
  for (auto& [position, key] : by_position) {
    if (key.size() != fields.size()) {
      return badArgument("keys[" + std::to_string(position) + "]", "needs " + expected);
    }
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

std::optional<int64_t> jsonInt64(const json::value& value) {
  if (value.is_int64()) {
    return value.get_int64();
  }
  if (value.is_uint64() &&
      value.get_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(value.get_uint64());
  }
  if (value.is_string()) {
    return parseInt64(value.get_string());
  }
  return std::nullopt;
}

Result<json::object> parseJsonObject(std::string_view body) {
  std::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) {
    return badArgument("body", "not valid JSON (" + ec.message() + ")");
  }
  if (!parsed.is_object()) {
    return badArgument("body", "must be a JSON object");
  }
  return std::move(parsed.get_object());
}

Result<JsonBody> JsonBody::parse(std::string_view body) {
  Result<json::object> object = parseJsonObject(body);
  if (!object) return object.status();
  JsonBody fields;
  fields.object_ = std::move(*object);
  return fields;
}

const json::value* JsonBody::take(std::string_view key) {
  taken_.emplace_back(key);
  const json::value* value = object_.if_contains(key);
  return value && !value->is_null() ? value : nullptr;
}

std::optional<int64_t> JsonBody::int64(std::string_view key) {
  const json::value* value = take(key);
  if (!value) return std::nullopt;
  const std::optional<int64_t> number = jsonInt64(*value);
  if (!number) refuse(key, "must be a 64-bit integer");
  return number;
}

std::optional<int32_t> JsonBody::int32(std::string_view key) {
  const std::optional<int64_t> number = int64(key);
  if (number && (*number < std::numeric_limits<int32_t>::min() ||
                 *number > std::numeric_limits<int32_t>::max())) {
    refuse(key, "must be a 32-bit integer");
    return std::nullopt;
  }
  return number ? std::optional<int32_t>(static_cast<int32_t>(*number)) : std::nullopt;
}

std::optional<std::string> JsonBody::string(std::string_view key) {
  const json::value* value = take(key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    refuse(key, "must be a string");
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<bool> JsonBody::boolean(std::string_view key) {
  const json::value* value = take(key);
  if (!value) return std::nullopt;
  if (!value->is_bool()) {
    refuse(key, "must be true or false");
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<int64_t> JsonBody::pastDate(std::string_view key, int64_t now_millis) {
  const std::optional<int64_t> date = int64(key);
  if (date && *date > now_millis) {
    refuse(key, "must not be in the future");
    return std::nullopt;
  }
  return date;
}

void JsonBody::refuse(std::string_view key, std::string_view problem) {
  if (!problem_) problem_ = badArgument(key, problem);
}

VoidResult JsonBody::status() const {
  if (problem_) return *problem_;
  for (const auto& member : object_) {
    if (std::find(taken_.begin(), taken_.end(), member.key()) == taken_.end()) {
      return badArgument(member.key(), "unknown field");
    }
  }
  return {};
}

}  // namespace parley::admin
