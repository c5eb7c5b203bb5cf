#pragma once
// Private to src/admin: the routes of friend requests, group invitations and group join requests.
// Upstream's three controllers have one shape (create, list, page, update, delete of records with
// a status, content, a reason, creation and response dates) and differ only in whom a request
// names, so each kind is a RequestKind below and these handlers serve all three:
//   - bodies as the Add and Update DTOs: unknown fields refused, statuses by name or number, dates
//     not in the future, content and reason within the kind's configured lengths, the parties
//     named existing (groups live), the two the kind keeps apart different, an id made when none
//     is given;
//   - answers as upstream's DTOs, the record plus expirationDate (creation plus the expiry), with
//     statuses read as clients see them: a PENDING request past the expiry is EXPIRED;
//   - listings filtered by ids, each party's ids, statuses (as read), creation and response dates
//     and expirationDate (a creation date range);
//   - every write through the repository, which moves the versions of the group and users a
//     request names (before and after an edit), so versioned client queries see admin changes.
// An admin write never makes friends or members (an ACCEPTED request stored here is a record
// only) and pushes nothing, as upstream's admin path.
#include <spdlog/spdlog.h>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "core/config.h"
#include "store/request_record.h"
#include "store/store.h"

namespace parley::admin {

// Turms' RequestStatus names, indexed by value.
inline constexpr std::array<std::string_view, 7> kRequestStatuses = {
    "PENDING", "ACCEPTED", "ACCEPTED_WITHOUT_CONFIRM", "DECLINED", "IGNORED",
    "EXPIRED", "CANCELED"};

// Upstream answers a request with these statuses at its response date.
bool isResponse(RequestStatus status);

// A kind's configured expiry and length limits (0 = no limit), the ones its client handlers apply.
struct RequestRules {
  const RequestExpiry& expiry;
  int max_content_length;
  int max_reason_length;
};
template <typename Config>
RequestRules rulesOf(const Config& config) {
  return {config, config.max_content_length, config.max_reason_length};
}

// Someone a request names: a group or a user, under `key` in bodies and answers and key + "s" in
// filters. Stored in `id` (required when a request is created) or `optional_id` (which may be
// absent), and searched by `ids`.
template <typename Record, typename Search>
struct RequestParty {
  std::string_view key;
  bool is_group = false;
  int64_t Record::*id = nullptr;
  std::optional<int64_t> Record::*optional_id = nullptr;
  std::vector<int64_t> Search::*ids = nullptr;
};

template <typename Repository, typename RecordType, typename SearchType, size_t N>
struct RequestKind {
  using Record = RecordType;
  using Search = SearchType;

  std::string_view what;  // "friend request", in errors and logs
  Repository& (Store::*repository)();
  RequestRules (*rules)(const AdminDeps& deps);
  std::array<RequestParty<Record, Search>, N> parties;
  // Where the Add and the Update DTO have the reason; empty where one has none.
  std::string_view create_reason_key;
  std::string_view update_reason_key;
  bool content_required = false;
  // The two parties (indexes into parties, both stored in `id`) that must differ, when there are
  // such.
  std::optional<std::pair<size_t, size_t>> distinct;
};

// The fields that every kind's Add and Update DTOs have (the reason only where the DTO has one).
struct RequestFields {
  std::optional<std::string> content;
  std::optional<RequestStatus> status;
  std::optional<std::string> reason;
  std::optional<int64_t> creation_date;
  std::optional<int64_t> response_date;

  bool any() const { return content || status || reason || creation_date || response_date; }
};

// Takes them from body: content, status, creationDate and responseDate (not after now) and, unless
// reason_key is empty, the reason under that key.
RequestFields readRequestFields(JsonBody& body, int64_t now, std::string_view reason_key);
// body.status() (the first problem, or an unknown field), then the lengths of content and reason.
VoidResult checkRequestBody(const JsonBody& body, const RequestFields& fields,
                            const RequestRules& rules, std::string_view reason_key);

// A kind's query parameter of ids and the search's list it fills.
using IdParameter = std::pair<std::string, std::vector<int64_t>*>;
// Fills search from the query: ids, statuses, creationDate, responseDate and expirationDate (a
// creation date range), then id_parameters. False when the search matches nothing (an expiration
// range when requests never expire).
Result<bool> parseRequestSearch(const AdminRequest& request, const RequestExpiry& expiry,
                                int64_t now, RequestSearch& search,
                                std::span<const IdParameter> id_parameters);

// An answer's fields (upstream's DTOs are the record plus expirationDate).
json::object requestJson(int64_t id, const std::string& content, RequestStatus status,
                         const std::optional<std::string>& reason, int64_t creation_date,
                         const std::optional<int64_t>& response_date, const RequestExpiry& expiry);

// "requester" of "requesterId", in messages about two parties.
std::string_view roleOf(std::string_view key);

// ---- the handlers, for a kind defined with static storage (template <const auto& kind>) ----

namespace request_routes {

template <const auto& kind>
using RecordOf = typename std::remove_cvref_t<decltype(kind)>::Record;
template <const auto& kind>
using SearchOf = typename std::remove_cvref_t<decltype(kind)>::Search;

template <const auto& kind>
json::object toJson(const RecordOf<kind>& record, const RequestExpiry& expiry, int64_t now) {
  json::object object =
      requestJson(record.id, record.content, effectiveStatus(record, expiry.expiredBefore(now)),
                  record.reason, record.creation_date, record.response_date, expiry);
  for (const auto& party : kind.parties) {
    object[party.key] =
        party.id ? json::value(record.*party.id) : optionalJson(record.*party.optional_id);
  }
  return object;
}

// A body's fields: the id (on create), each party's (in kind.parties' order) and the common ones.
template <const auto& kind>
struct Fields {
  std::optional<int64_t> id;
  std::array<std::optional<int64_t>, kind.parties.size()> parties;
  RequestFields request;
};

template <const auto& kind>
Result<Fields<kind>> parseFields(std::string_view text, bool create, const RequestRules& rules,
                                 int64_t now) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  Fields<kind> fields;
  if (create) fields.id = body->int64("id");
  for (size_t i = 0; i < kind.parties.size(); ++i) {
    fields.parties[i] = body->int64(kind.parties[i].key);
  }
  const std::string_view reason_key = create ? kind.create_reason_key : kind.update_reason_key;
  fields.request = readRequestFields(*body, now, reason_key);
  if (const VoidResult checked = checkRequestBody(*body, fields.request, rules, reason_key);
      !checked) {
    return checked.status();
  }
  if (kind.distinct) {
    const auto [first, second] = *kind.distinct;
    if (fields.parties[first] && fields.parties[second] &&
        *fields.parties[first] == *fields.parties[second]) {
      return badArgument(
          kind.parties[second].key,
          "must not be equal to the " + std::string(roleOf(kind.parties[first].key)) + " ID");
    }
  }
  return fields;
}

// 404 naming the first party given that does not exist (a group that is not live).
template <const auto& kind>
std::optional<AdminResponse> refuseMissingParties(AdminRoutes& routes, Store& store,
                                                  const Fields<kind>& fields) {
  for (size_t i = 0; i < kind.parties.size(); ++i) {
    const std::optional<int64_t>& given = fields.parties[i];
    if (!given) continue;
    auto refused = kind.parties[i].is_group
                       ? refuseMissingGroup(store, *given)
                       : refuseMissingUser(routes, *given, kind.parties[i].key);
    if (refused) return refused;
  }
  return std::nullopt;
}

// Sets the parties given (all of them, on create).
template <const auto& kind>
void setParties(RecordOf<kind>& record, const Fields<kind>& fields) {
  for (size_t i = 0; i < kind.parties.size(); ++i) {
    const auto& party = kind.parties[i];
    if (!fields.parties[i]) continue;
    if (party.id) {
      record.*party.id = *fields.parties[i];
    } else {
      record.*party.optional_id = fields.parties[i];
    }
  }
}

template <const auto& kind>
AdminResponse create(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  const int64_t now = routes.deps().clock.nowMillis();
  const RequestRules rules = kind.rules(routes.deps());
  auto fields = parseFields<kind>(request.body, /*create=*/true, rules, now);
  if (!fields) return fail(fields.status());
  for (size_t i = 0; i < kind.parties.size(); ++i) {
    if (kind.parties[i].id && !fields->parties[i]) {
      return fail(badArgument(kind.parties[i].key, "required"));
    }
  }
  if (kind.content_required && !fields->request.content) {
    return fail(badArgument("content", "required"));
  }
  if (fields->id && *fields->id <= 0) return fail(badArgument("id", "must be positive"));
  if (auto refused = refuseMissingParties<kind>(routes, **store, *fields)) return *refused;
  // As upstream fills a new request: content "" and PENDING unless given, created now unless
  // given, and a response date (given, or now) only for an answer.
  RecordOf<kind> created;
  created.id = fields->id ? *fields->id : routes.nextId();
  setParties<kind>(created, *fields);
  created.content = fields->request.content.value_or("");
  created.status = fields->request.status.value_or(RequestStatus::kPending);
  created.reason = fields->request.reason;
  created.creation_date = fields->request.creation_date.value_or(now);
  if (isResponse(created.status)) {
    created.response_date = fields->request.response_date.value_or(now);
  }
  if (const VoidResult inserted = ((**store).*kind.repository)().insert(created, now); !inserted) {
    if (inserted.status().code == StatusCode::kRecordContainsDuplicateKey) {
      return fail(
          409, StatusCode::kRecordContainsDuplicateKey,
          "id: " + std::string(kind.what) + " " + std::to_string(created.id) + " already exists");
    }
    return fail(inserted.status());
  }
  spdlog::info("admin: created {} {}", kind.what, created.id);
  return ok(toJson<kind>(created, rules.expiry, now));
}

template <const auto& kind>
AdminResponse list(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  const int64_t now = routes.deps().clock.nowMillis();
  const RequestExpiry& expiry = kind.rules(routes.deps()).expiry;
  SearchOf<kind> search;
  std::vector<IdParameter> id_parameters;
  for (const auto& party : kind.parties) {
    id_parameters.emplace_back(std::string(party.key) + "s", &(search.*party.ids));
  }
  auto matches = parseRequestSearch(request, expiry, now, search, id_parameters);
  if (!matches) return fail(matches.status());
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  if (!*matches) return paged ? okPage(0, json::array()) : ok(json::array());
  auto& requests = ((**store).*kind.repository)();
  auto found = requests.search(search, page->skip, page->limit);
  if (!found) return fail(found.status());
  return listingAnswer(
      *found, [&](const RecordOf<kind>& record) { return toJson<kind>(record, expiry, now); },
      paged, [&] { return requests.count(search); });
}

// Only the fields given change. Every request is read and checked before the first is written, so
// a refused update writes nothing; ids that name no request are skipped.
template <const auto& kind>
AdminResponse update(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  const int64_t now = routes.deps().clock.nowMillis();
  auto fields = parseFields<kind>(request.body, /*create=*/false, kind.rules(routes.deps()), now);
  if (!fields) return fail(fields.status());
  bool any = fields->request.any();
  for (const std::optional<int64_t>& party : fields->parties) any = any || party.has_value();
  if (!any) return fail(badArgument("body", "no field to update"));
  if (auto refused = refuseMissingParties<kind>(routes, **store, *fields)) return *refused;
  auto& requests = ((**store).*kind.repository)();
  std::vector<RecordOf<kind>> edited;
  for (const int64_t id : *ids) {
    auto found = requests.findById(id);
    if (!found) return fail(found.status());
    if (!*found) continue;
    RecordOf<kind> changed = std::move(**found);
    setParties<kind>(changed, *fields);
    if (fields->request.content) changed.content = *fields->request.content;
    if (fields->request.status) changed.status = *fields->request.status;
    if (fields->request.reason) changed.reason = *fields->request.reason;
    if (fields->request.creation_date) changed.creation_date = *fields->request.creation_date;
    if (fields->request.response_date) changed.response_date = *fields->request.response_date;
    if (kind.distinct) {
      const auto& first = kind.parties[kind.distinct->first];
      const auto& second = kind.parties[kind.distinct->second];
      if (changed.*first.id == changed.*second.id) {
        return fail(badArgument("body", std::string(kind.what) + " " + std::to_string(id) +
                                            " would have the same " +
                                            std::string(roleOf(first.key)) + " and " +
                                            std::string(roleOf(second.key))));
      }
    }
    edited.push_back(std::move(changed));
  }
  int64_t updated_count = 0;
  for (const RecordOf<kind>& changed : edited) {
    auto replaced = requests.replace(changed, now);
    if (!replaced) {
      spdlog::warn("admin: updating {} {} failed after {} updates: {}", kind.what, changed.id,
                   updated_count, replaced.status().reason);
      return fail(replaced.status());
    }
    updated_count += *replaced ? 1 : 0;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// Upstream deletes every request when no id is given; Parley requires ids, as its other routes do.
template <const auto& kind>
AdminResponse remove(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const int64_t id : *ids) {
    auto removed = ((**store).*kind.repository)().remove(id, now);
    if (!removed) {
      spdlog::warn("admin: deleting {} {} failed after {} deletions: {}", kind.what, id,
                   deleted_count, removed.status().reason);
      return fail(removed.status());
    }
    deleted_count += *removed ? 1 : 0;
  }
  return deletedAnswer(deleted_count, std::string(kind.what) + "s");
}

}  // namespace request_routes

// The five routes of a kind under `path` (its /page form at page_path), as upstream's controller.
template <const auto& kind>
constexpr std::array<Route, 5> requestRoutes(std::string_view path, std::string_view page_path) {
  return {{{"POST", path, true, request_routes::create<kind>},
           {"GET", path, true, unpaged<request_routes::list<kind>>},
           {"GET", page_path, true, paged<request_routes::list<kind>>},
           {"PUT", path, true, request_routes::update<kind>},
           {"DELETE", path, true, request_routes::remove<kind>}}};
}

}  // namespace parley::admin
