#include "admin/request_route_util.h"

#include <algorithm>
#include <climits>

#include "core/utf8.h"

namespace parley::admin {
namespace {

VoidResult checkLength(const std::optional<std::string>& text, int limit, std::string_view field) {
  if (text && limit > 0 && codePoints(*text) > static_cast<size_t>(limit)) {
    return badArgument(field, "at most " + std::to_string(limit) + " characters");
  }
  return {};
}

// Turms' expiration date is the creation date plus the expiry, so its range is a creation date
// range; false when it matches nothing (requests never expire, so none has one).
bool narrowByExpiration(const DateRange& expiration, int64_t expire_after, DateRange& creation) {
  if (!expiration.any()) return true;
  if (expire_after <= 0) return false;
  // Dates this far back would overflow; no request was created then anyway.
  const auto minus_expiry = [&](int64_t date) {
    return date < INT64_MIN + expire_after ? INT64_MIN : date - expire_after;
  };
  if (expiration.start) {
    creation.start = std::max(creation.start.value_or(INT64_MIN), minus_expiry(*expiration.start));
  }
  if (expiration.end) {
    creation.end = std::min(creation.end.value_or(INT64_MAX), minus_expiry(*expiration.end));
  }
  return true;
}

}  // namespace

bool isResponse(RequestStatus status) {
  return status == RequestStatus::kAccepted || status == RequestStatus::kAcceptedWithoutConfirm ||
         status == RequestStatus::kDeclined || status == RequestStatus::kIgnored;
}

RequestFields readRequestFields(JsonBody& body, int64_t now, std::string_view reason_key) {
  RequestFields fields;
  fields.content = body.string("content");
  if (const std::optional<int32_t> status = body.enumeration("status", kRequestStatuses)) {
    fields.status = static_cast<RequestStatus>(*status);
  }
  if (!reason_key.empty()) fields.reason = body.string(reason_key);
  fields.creation_date = body.pastDate("creationDate", now);
  fields.response_date = body.pastDate("responseDate", now);
  return fields;
}

VoidResult checkRequestBody(const JsonBody& body, const RequestFields& fields,
                            const RequestRules& rules, std::string_view reason_key) {
  if (const VoidResult parsed = body.status(); !parsed) return parsed;
  if (const VoidResult checked = checkLength(fields.content, rules.max_content_length, "content");
      !checked) {
    return checked;
  }
  return checkLength(fields.reason, rules.max_reason_length, reason_key);
}

Result<bool> parseRequestSearch(const AdminRequest& request, const RequestExpiry& expiry,
                                int64_t now, RequestSearch& search,
                                std::span<const IdParameter> id_parameters) {
  auto ids = parseIds(request, "ids", /*required=*/false);
  if (!ids) return ids.status();
  search.ids = std::move(*ids);
  for (const auto& [name, out] : id_parameters) {
    auto listed = parseIds(request, name, /*required=*/false);
    if (!listed) return listed.status();
    *out = std::move(*listed);
  }
  // By name or number, as in a body.
  for (const std::string& name : parseStrings(request, "statuses")) {
    const std::optional<int64_t> number = parseInt64(name);
    const std::optional<int32_t> value =
        enumValue(kRequestStatuses, number ? json::value(*number) : json::value(name));
    if (!value) return badArgument("statuses", "unknown status " + name);
    search.statuses.push_back(static_cast<RequestStatus>(*value));
  }
  auto created = parseDateRange(request, "creationDate");
  if (!created) return created.status();
  search.creation_date = *created;
  auto responded = parseDateRange(request, "responseDate");
  if (!responded) return responded.status();
  search.response_date = *responded;
  auto expiring = parseDateRange(request, "expirationDate");
  if (!expiring) return expiring.status();
  search.expired_before = expiry.expiredBefore(now);
  return narrowByExpiration(*expiring, expiry.expireAfterMillis(), search.creation_date);
}

json::object requestJson(int64_t id, const std::string& content, RequestStatus status,
                         const std::optional<std::string>& reason, int64_t creation_date,
                         const std::optional<int64_t>& response_date, const RequestExpiry& expiry) {
  const int64_t expire_after = expiry.expireAfterMillis();
  json::object object;
  object["id"] = id;
  object["content"] = content;
  object["status"] = enumName(kRequestStatuses, static_cast<int32_t>(status));
  object["reason"] = reason ? json::value(*reason) : json::value(nullptr);
  object["creationDate"] = creation_date;
  object["responseDate"] = optionalJson(response_date);
  object["expirationDate"] =
      expire_after > 0 ? json::value(creation_date + expire_after) : json::value(nullptr);
  return object;
}

std::string_view roleOf(std::string_view key) {
  return key.ends_with("Id") ? key.substr(0, key.size() - 2) : key;
}

}  // namespace parley::admin
