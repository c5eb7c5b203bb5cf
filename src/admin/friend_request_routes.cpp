// /users/relationships/friend-requests: upstream's UserFriendRequestController. Requests are
// checked like a client's (different users who exist, content and reason within the configured
// lengths), and every write moves the users' friend-request versions, so versioned client
// queries see admin changes. Statuses read as clients see them: a PENDING request past the
// configured expiry is EXPIRED. An admin write never makes friends (an ACCEPTED request stored
// here is a record only) and pushes nothing, as upstream's admin path.
#include <spdlog/spdlog.h>

#include <array>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "store/store.h"

namespace parley::admin {
namespace {

// Turms' RequestStatus names, indexed by value.
constexpr std::array<std::string_view, 7> kStatuses = {
    "PENDING", "ACCEPTED", "ACCEPTED_WITHOUT_CONFIRM", "DECLINED", "IGNORED",
    "EXPIRED", "CANCELED"};

// Upstream's UserFriendRequestDTO.
json::object requestJson(const FriendRequestRecord& request, const FriendRequestConfig& config,
                         int64_t now) {
  const int64_t expire_after = config.expireAfterMillis();
  json::object object;
  object["id"] = request.id;
  object["content"] = request.content;
  object["status"] = enumName(
      kStatuses, static_cast<int32_t>(effectiveStatus(request, config.expiredBefore(now))));
  object["reason"] = request.reason ? json::value(*request.reason) : json::value(nullptr);
  object["creationDate"] = request.creation_date;
  object["responseDate"] = optionalJson(request.response_date);
  object["requesterId"] = request.requester_id;
  object["recipientId"] = request.recipient_id;
  object["expirationDate"] =
      expire_after > 0 ? json::value(request.creation_date + expire_after) : json::value(nullptr);
  return object;
}

// Upstream answers a request with these statuses at its response date.
bool isResponse(RequestStatus status) {
  return status == RequestStatus::kAccepted || status == RequestStatus::kAcceptedWithoutConfirm ||
         status == RequestStatus::kDeclined || status == RequestStatus::kIgnored;
}

// The fields of AddFriendRequestDTO and UpdateFriendRequestDTO.
struct RequestFields {
  std::optional<int64_t> id;
  std::optional<int64_t> requester_id;
  std::optional<int64_t> recipient_id;
  std::optional<std::string> content;
  std::optional<RequestStatus> status;
  std::optional<std::string> reason;
  std::optional<int64_t> creation_date;
  std::optional<int64_t> response_date;
};

enum class Body { kCreate, kUpdate };

Result<RequestFields> parseFields(std::string_view text, Body kind,
                                  const FriendRequestConfig& config, int64_t now) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  RequestFields fields;
  if (kind == Body::kCreate) fields.id = body->int64("id");
  fields.requester_id = body->int64("requesterId");
  fields.recipient_id = body->int64("recipientId");
  fields.content = body->string("content");
  if (const json::value* status = body->take("status")) {
    if (const std::optional<int32_t> value = enumValue(kStatuses, *status)) {
      fields.status = static_cast<RequestStatus>(*value);
    } else {
      body->refuse("status",
                   "must be one of PENDING, ACCEPTED, ACCEPTED_WITHOUT_CONFIRM, "
                   "DECLINED, IGNORED, EXPIRED, CANCELED");
    }
  }
  fields.reason = body->string("reason");
  fields.creation_date = body->pastDate("creationDate", now);
  fields.response_date = body->pastDate("responseDate", now);
  if (const VoidResult parsed = body->status(); !parsed) return parsed.status();
  const auto tooLong = [](const std::optional<std::string>& text, int limit) {
    return text && limit > 0 && codePoints(*text) > static_cast<size_t>(limit);
  };
  if (tooLong(fields.content, config.max_content_length)) {
    return badArgument("content",
                       "at most " + std::to_string(config.max_content_length) + " characters");
  }
  if (tooLong(fields.reason, config.max_reason_length)) {
    return badArgument("reason",
                       "at most " + std::to_string(config.max_reason_length) + " characters");
  }
  if (fields.requester_id && fields.recipient_id && *fields.requester_id == *fields.recipient_id) {
    return badArgument("recipientId", "must not be equal to the requester ID");
  }
  return fields;
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

Result<std::optional<FriendRequestSearch>> parseSearch(const AdminRequest& request,
                                                       const FriendRequestConfig& config,
                                                       int64_t now) {
  FriendRequestSearch search;
  for (auto [name, out] :
       {std::pair{"ids", &search.ids}, std::pair{"requesterIds", &search.requester_ids},
        std::pair{"recipientIds", &search.recipient_ids}}) {
    auto ids = parseIds(request, name, /*required=*/false);
    if (!ids) return ids.status();
    *out = std::move(*ids);
  }
  for (const std::string& name : parseStrings(request, "statuses")) {
    const std::optional<int32_t> value = enumValue(kStatuses, json::value(name));
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
  search.expired_before = config.expiredBefore(now);
  if (!narrowByExpiration(*expiring, config.expireAfterMillis(), search.creation_date)) {
    return std::optional<FriendRequestSearch>();
  }
  return std::optional<FriendRequestSearch>(std::move(search));
}

AdminResponse listRequests(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  const FriendRequestConfig& config = routes.deps().friend_requests;
  const int64_t now = routes.deps().clock.nowMillis();
  auto search = parseSearch(request, config, now);
  if (!search) return fail(search.status());
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  if (!*search) return paged ? okPage(0, json::array()) : ok(json::array());
  FriendRequestRepository& requests = (*store)->friendRequests();
  auto found = requests.search(**search, page->skip, page->limit);
  if (!found) return fail(found.status());
  return listingAnswer(
      *found, [&](const FriendRequestRecord& stored) { return requestJson(stored, config, now); },
      paged, [&] { return requests.count(**search); });
}

AdminResponse createRequest(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  const FriendRequestConfig& config = routes.deps().friend_requests;
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields(request.body, Body::kCreate, config, now);
  if (!fields) return fail(fields.status());
  if (!fields->requester_id) return fail(badArgument("requesterId", "required"));
  if (!fields->recipient_id) return fail(badArgument("recipientId", "required"));
  if (!fields->content) return fail(badArgument("content", "required"));
  if (fields->id && *fields->id <= 0) return fail(badArgument("id", "must be positive"));
  if (auto refused = refuseMissingUser(routes, *fields->requester_id, "requesterId")) {
    return *refused;
  }
  if (auto refused = refuseMissingUser(routes, *fields->recipient_id, "recipientId")) {
    return *refused;
  }
  FriendRequestRecord created;
  created.id = fields->id ? *fields->id : routes.nextId();
  created.requester_id = *fields->requester_id;
  created.recipient_id = *fields->recipient_id;
  created.content = *fields->content;
  created.status = fields->status.value_or(RequestStatus::kPending);
  created.reason = fields->reason;
  created.creation_date = fields->creation_date.value_or(now);
  if (isResponse(created.status)) created.response_date = fields->response_date.value_or(now);
  if (const VoidResult inserted = (*store)->friendRequests().insert(created, now); !inserted) {
    if (inserted.status().code == StatusCode::kRecordContainsDuplicateKey) {
      return fail(409, StatusCode::kRecordContainsDuplicateKey,
                  "id: friend request " + std::to_string(created.id) + " already exists");
    }
    return fail(inserted.status());
  }
  spdlog::info("admin: created friend request {} ({} -> {})", created.id, created.requester_id,
               created.recipient_id);
  return ok(requestJson(created, config, now));
}

// Only the fields given change. Every request is read and checked before the first is written,
// so a refused update writes nothing.
AdminResponse updateRequests(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields(request.body, Body::kUpdate, routes.deps().friend_requests, now);
  if (!fields) return fail(fields.status());
  if (!fields->requester_id && !fields->recipient_id && !fields->content && !fields->status &&
      !fields->reason && !fields->creation_date && !fields->response_date) {
    return fail(badArgument("body", "no field to update"));
  }
  if (fields->requester_id) {
    if (auto refused = refuseMissingUser(routes, *fields->requester_id, "requesterId")) {
      return *refused;
    }
  }
  if (fields->recipient_id) {
    if (auto refused = refuseMissingUser(routes, *fields->recipient_id, "recipientId")) {
      return *refused;
    }
  }
  FriendRequestRepository& requests = (*store)->friendRequests();
  std::vector<FriendRequestRecord> edited;
  for (const int64_t id : *ids) {
    auto found = requests.findById(id);
    if (!found) return fail(found.status());
    if (!*found) continue;
    FriendRequestRecord changed = std::move(**found);
    if (fields->requester_id) changed.requester_id = *fields->requester_id;
    if (fields->recipient_id) changed.recipient_id = *fields->recipient_id;
    if (fields->content) changed.content = *fields->content;
    if (fields->status) changed.status = *fields->status;
    if (fields->reason) changed.reason = *fields->reason;
    if (fields->creation_date) changed.creation_date = *fields->creation_date;
    if (fields->response_date) changed.response_date = *fields->response_date;
    if (changed.requester_id == changed.recipient_id) {
      return fail(badArgument("body", "request " + std::to_string(id) +
                                          " would have the same requester and recipient"));
    }
    edited.push_back(std::move(changed));
  }
  int64_t updated_count = 0;
  for (const FriendRequestRecord& changed : edited) {
    auto replaced = requests.replace(changed, now);
    if (!replaced) {
      spdlog::warn("admin: updating friend request {} failed after {} updates: {}", changed.id,
                   updated_count, replaced.status().reason);
      return fail(replaced.status());
    }
    updated_count += *replaced ? 1 : 0;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

AdminResponse deleteRequests(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  // Upstream deletes every request when no id is given; Parley requires ids.
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const int64_t id : *ids) {
    auto removed = (*store)->friendRequests().remove(id, now);
    if (!removed) {
      spdlog::warn("admin: deleting friend request {} failed after {} deletions: {}", id,
                   deleted_count, removed.status().reason);
      return fail(removed.status());
    }
    deleted_count += *removed ? 1 : 0;
  }
  return deletedAnswer(deleted_count, "friend requests");
}

constexpr Route kFriendRequestRoutes[] = {
    {"POST", "/users/relationships/friend-requests", true, createRequest},
    {"GET", "/users/relationships/friend-requests", true, unpaged<listRequests>},
    {"GET", "/users/relationships/friend-requests/page", true, paged<listRequests>},
    {"PUT", "/users/relationships/friend-requests", true, updateRequests},
    {"DELETE", "/users/relationships/friend-requests", true, deleteRequests},
};

}  // namespace

std::span<const Route> friendRequestRoutes() { return kFriendRequestRoutes; }

}  // namespace parley::admin
