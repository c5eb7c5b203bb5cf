#pragma once
// Private to src/admin: what every admin route file shares, so that each domain's routes read as
// their rules: the route table entry, answers in Turms' admin shape, and parsing of query
// parameters and JSON bodies (every parse failure is a kIllegalArgument naming the field).
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_routes.h"
#include "core/result.h"
#include "core/status_code.h"
#include "store/date_range.h"
#include "store/group_repository.h"

namespace parley {
class Store;
}  // namespace parley

namespace parley::admin {

namespace json = boost::json;

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr size_t kMaxIdsPerRequest = 1000;

using Handler = AdminResponse (*)(AdminRoutes&, const AdminRequest&);

struct Route {
  std::string_view method;
  std::string_view path;
  bool needs_auth;
  Handler handler;
};

// Each domain's table, next to its handlers; AdminRoutes dispatches over all of them.
std::span<const Route> relationshipRoutes();
std::span<const Route> relationshipGroupRoutes();
std::span<const Route> friendRequestRoutes();
std::span<const Route> groupTypeRoutes();
std::span<const Route> groupRoutes();
std::span<const Route> groupMemberRoutes();
std::span<const Route> groupBlocklistRoutes();
std::span<const Route> groupQuestionRoutes();
std::span<const Route> groupInvitationRoutes();
std::span<const Route> groupJoinRequestRoutes();
std::span<const Route> clientBlocklistRoutes();
std::span<const Route> clusterRoutes();
std::span<const Route> adminAccountRoutes();

// ---- answers ----

AdminResponse jsonResponse(int http_status, const json::value& body);
// {"code":1000,"data":...}
AdminResponse ok(json::value data);
// {"code":<code>,"reason":"..."}
AdminResponse fail(int http_status, StatusCode code, std::string_view reason);
// With the HTTP status that goes with status.code.
AdminResponse fail(const Status& status);
Status badArgument(std::string_view field, std::string_view problem);
// {"code":1000,"data":{"total":..,"records":[..]}}, Turms' PaginationDTO.
AdminResponse okPage(int64_t total, json::array records);
json::value optionalJson(const std::optional<int64_t>& value);
// {"deletedCount":n}, Turms' DeleteResultDTO, logging what went when anything did.
AdminResponse deletedAnswer(int64_t deleted_count, std::string_view what);

// A listing's answer: the records as to_json prints them, or for a /page form {total, records}
// with count()'s total.
template <typename Records, typename ToJson, typename Count>
AdminResponse listingAnswer(const Records& found, ToJson&& to_json, bool paged, Count&& count) {
  json::array records;
  for (const auto& record : found) records.push_back(to_json(record));
  if (!paged) return ok(std::move(records));
  const Result<int64_t> total = count();
  return total ? okPage(*total, std::move(records)) : fail(total.status());
}

// A listing's two routes, Turms' plain list and its /page form, from one function.
using Listing = AdminResponse (*)(AdminRoutes&, const AdminRequest&, bool paged);
template <Listing list>
AdminResponse unpaged(AdminRoutes& routes, const AdminRequest& request) {
  return list(routes, request, false);
}
template <Listing list>
AdminResponse paged(AdminRoutes& routes, const AdminRequest& request) {
  return list(routes, request, true);
}

// The store behind AdminDeps::store; kServerUnavailable when the admin API was built without one.
Result<Store*> requireStore(AdminRoutes& routes);
// 404 naming `field` when the user does not exist or was deleted (nullopt when it exists): the
// client handlers refuse relationships and friend requests with such users too.
std::optional<AdminResponse> refuseMissingUser(AdminRoutes& routes, int64_t user_id,
                                               std::string_view field);

// 404 naming groupId when the group does not exist or was deleted (nullopt when it is live, and
// the group in *live when given): members and blocked users belong to live groups only.
std::optional<AdminResponse> refuseMissingGroup(Store& store, int64_t group_id,
                                                std::optional<GroupRecord>* live = nullptr);

// ---- query parameters ----

std::optional<int64_t> parseInt64(std::string_view text);
std::optional<std::string_view> queryParam(const AdminRequest& request, const std::string& name);
// "1,2,3" (or the name repeated) as distinct values in the order given; empty when the parameter
// is absent or empty, unless `required`. At most kMaxIdsPerRequest.
Result<std::vector<int64_t>> parseIds(const AdminRequest& request, const std::string& name = "ids",
                                      bool required = true);
// The same, for 32-bit values (relationship group indexes).
Result<std::vector<int32_t>> parseInt32s(const AdminRequest& request, const std::string& name);
// Comma-separated texts (a value cannot itself hold a comma).
std::vector<std::string> parseStrings(const AdminRequest& request, const std::string& name);
Result<int64_t> parseIntParam(const AdminRequest& request, const std::string& name,
                              int64_t default_value, int64_t min, int64_t max);
Result<std::optional<bool>> parseBoolParam(const AdminRequest& request, const std::string& name);
// <prefix>Start and <prefix>End, Unix milliseconds: from start (inclusive) to end (exclusive).
Result<DateRange> parseDateRange(const AdminRequest& request, const std::string& prefix);

// Turms' composite keys: keys[0].ownerId=1&keys[0].relatedUserId=2&keys[1].ownerId=..., each key
// with exactly `fields`, as 64-bit integers. At least one, at most kMaxIdsPerRequest.
Result<std::vector<std::map<std::string, int64_t>>> parseKeys(
    const AdminRequest& request, std::span<const std::string_view> fields);

// ---- JSON bodies ----

// Integers may also come as decimal strings: JavaScript admin tools cannot hold 64-bit ids in a
// number without losing digits.
std::optional<int64_t> jsonInt64(const json::value& value);

// The body as a JSON object, or kIllegalArgument saying why it is not one.
Result<json::object> parseJsonObject(std::string_view body);

// A JSON object body read field by field, as Turms' DTOs: null means "not given", and a field no
// reader took is unknown. Readers note the first problem; status() reports it.
class JsonBody {
 public:
  static Result<JsonBody> parse(std::string_view body);

  // The raw value (nullptr when absent or null), for fields with rules of their own.
  const json::value* take(std::string_view key);
  std::optional<int64_t> int64(std::string_view key);
  std::optional<int32_t> int32(std::string_view key);
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  // An enum by its upstream name or its number (enumValue below); problem names the values.
  template <size_t N>
  std::optional<int32_t> enumeration(std::string_view key,
                                     const std::array<std::string_view, N>& names);
  // Unix milliseconds, not after now_millis (upstream's @PastOrPresent).
  std::optional<int64_t> pastDate(std::string_view key, int64_t now_millis);

  void refuse(std::string_view key, std::string_view problem);
  // The first problem, or an unknown field.
  VoidResult status() const;

 private:
  json::object object_;
  std::vector<std::string> taken_;
  std::optional<Status> problem_;
};

// Turms' enum names as its admin API (Jackson) prints them, indexed by the proto value.
template <size_t N>
std::string enumName(const std::array<std::string_view, N>& names, int32_t value) {
  if (value >= 0 && static_cast<size_t>(value) < N) {
    return std::string(names[static_cast<size_t>(value)]);
  }
  return std::to_string(value);  // a value newer than the table still shows up
}

// The value of an enum name, or of its number.
template <size_t N>
std::optional<int32_t> enumValue(const std::array<std::string_view, N>& names,
                                 const json::value& value) {
  if (value.is_string()) {
    for (size_t i = 0; i < N; ++i) {
      if (value.get_string() == names[i]) return static_cast<int32_t>(i);
    }
    return std::nullopt;
  }
  const std::optional<int64_t> number = jsonInt64(value);
  if (number && *number >= 0 && *number < static_cast<int64_t>(N)) {
    return static_cast<int32_t>(*number);
  }
  return std::nullopt;
}

template <size_t N>
std::optional<int32_t> JsonBody::enumeration(std::string_view key,
                                             const std::array<std::string_view, N>& names) {
  const json::value* value = take(key);
  if (!value) return std::nullopt;
  const std::optional<int32_t> parsed = enumValue(names, *value);
  if (!parsed) {
    std::string problem = "must be one of";
    for (size_t i = 0; i < N; ++i) problem += (i == 0 ? " " : ", ") + std::string(names[i]);
    refuse(key, problem);
  }
  return parsed;
}

// ---- listings ----

// Turms' listings: `size` (1..kMaxPageSize, default kDefaultPageSize) and, for the /page forms,
// `page` counted from 0.
struct PageRequest {
  int64_t skip = 0;
  int64_t limit = kDefaultPageSize;
};
Result<PageRequest> parsePageRequest(const AdminRequest& request, bool paged);

// A listing over a repository's search(search, skip, limit) and count(search), for unpaged<> and
// paged<>: the search parsed from the query by `parse`, the repository Store's member function
// `repository` returns, each record printed by `to_json`.
template <auto parse, auto repository, auto to_json>
AdminResponse searchListing(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto search = parse(request);
  if (!search) return fail(search.status());
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  auto& records = ((**store).*repository)();
  auto found = records.search(*search, page->skip, page->limit);
  if (!found) return fail(found.status());
  return listingAnswer(*found, to_json, paged, [&] { return records.count(*search); });
}

}  // namespace parley::admin
