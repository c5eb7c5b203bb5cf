// /blocked-clients/ips and /blocked-clients/users: upstream's IpBlocklistController and
// UserBlocklistController. Blocks go through the Blocklist (shared by every node through Redis):
// this node closes the blocked clients' connections at once, the others at their next sync.
// Entries are {"id", "blockEndTime"} (epoch milliseconds), as upstream's BlockedIpDTO.
#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "core/ip_address.h"
#include "online/blocklist.h"

namespace parley::admin {
namespace {

// A block longer than this is a mistake in the request (upstream has no bound; a year is
// generous for a manual block, and keeps until-dates far from overflowing).
constexpr int64_t kMaxBlockDurationMillis = int64_t{366} * 24 * 3600 * 1000;

Result<Blocklist*> requireBlocklist(AdminRoutes& routes, BlockTarget target) {
  if (!routes.deps().blocklist) {
    return error(target == BlockTarget::kIp ? StatusCode::kIpBlocklistIsDisabled
                                            : StatusCode::kUserIdBlocklistIsDisabled,
                 "blocklist.enabled is off on this node");
  }
  return routes.deps().blocklist;
}

// The form the gateway sees an address in (inet_ntop's, IPv4-mapped IPv6 as IPv4: see
// unmappedIp), so "2001:DB8::0:1" blocks 2001:db8::1 and "::ffff:192.0.2.1" blocks 192.0.2.1.
std::optional<std::string> canonicalIp(std::string_view text) {
  const std::string ip(text);
  unsigned char bytes[16];
  char printed[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, ip.c_str(), bytes) == 1 &&
        inet_ntop(family, bytes, printed, sizeof printed) != nullptr) {
      return std::string(unmappedIp(printed));
    }
  }
  return std::nullopt;
}

// An id as the blocklist keeps it: a canonical IP, or a user id in decimal.
std::optional<std::string> canonicalId(BlockTarget target, std::string_view text) {
  if (target == BlockTarget::kIp) return canonicalIp(text);
  const std::optional<int64_t> user_id = parseInt64(text);
  if (!user_id || *user_id <= 0) return std::nullopt;
  return std::to_string(*user_id);
}

Result<std::vector<std::string>> idsOf(BlockTarget target, std::span<const std::string> texts) {
  std::vector<std::string> ids;
  for (const std::string& text : texts) {
    auto id = canonicalId(target, text);
    if (!id) {
      return badArgument(
          "ids", "'" + text + "' is not " +
                     (target == BlockTarget::kIp ? "an IPv4 or IPv6 address" : "a user id"));
    }
    if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(std::move(*id));
  }
  if (ids.size() > kMaxIdsPerRequest) {
    return badArgument("ids", "at most " + std::to_string(kMaxIdsPerRequest) + " per request");
  }
  return ids;
}

json::array entriesJson(const std::vector<BlockedClient>& entries) {
  json::array array;
  for (const BlockedClient& entry : entries) {
    array.push_back(json::object{{"id", entry.id}, {"blockEndTime", entry.until_millis}});
  }
  return array;
}

template <BlockTarget target>
AdminResponse block(AdminRoutes& routes, const AdminRequest& request) {
  auto blocklist = requireBlocklist(routes, target);
  if (!blocklist) return fail(blocklist.status());
  auto body = JsonBody::parse(request.body);
  if (!body) return fail(body.status());
  std::vector<std::string> texts;
  if (const json::value* ids = body->take("ids")) {
    if (!ids->is_array()) return fail(badArgument("ids", "must be an array"));
    for (const json::value& id : ids->get_array()) {
      if (id.is_string()) {
        texts.emplace_back(id.get_string());
      } else if (auto number = jsonInt64(id); number && target == BlockTarget::kUser) {
        texts.push_back(std::to_string(*number));
      } else {
        return fail(badArgument("ids", "every id must be a string"));
      }
    }
  }
  const std::optional<int64_t> duration = body->int64("blockDurationMillis");
  if (const VoidResult parsed = body->status(); !parsed) return fail(parsed.status());
  if (texts.empty()) return fail(badArgument("ids", "required"));
  if (!duration || *duration <= 0 || *duration > kMaxBlockDurationMillis) {
    return fail(badArgument("blockDurationMillis",
                            "required, from 1 to " + std::to_string(kMaxBlockDurationMillis)));
  }
  auto ids = idsOf(target, texts);
  if (!ids) return fail(ids.status());
  const int64_t until = routes.deps().clock.nowMillis() + *duration;
  if (auto blocked = (*blocklist)->block(target, *ids, until); !blocked) {
    return fail(blocked.status());
  }
  spdlog::info("admin: blocked {} {} {} for {} s", ids->size(), blockTargetName(target),
               ids->size() == 1 ? ids->front() : std::string("ids"), *duration / 1000);
  return ok(nullptr);
}

// The entries of the given ids that are blocked; the /page form lists every entry.
template <BlockTarget target>
AdminResponse list(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto blocklist = requireBlocklist(routes, target);
  if (!blocklist) return fail(blocklist.status());
  auto snapshot = (*blocklist)->read(routes.deps().clock.nowMillis());
  if (!snapshot) return fail(snapshot.status());
  std::vector<BlockedClient>& entries = snapshot->entries[static_cast<int>(target)];
  std::sort(entries.begin(), entries.end(),
            [](const BlockedClient& a, const BlockedClient& b) { return a.id < b.id; });
  if (!paged) {
    auto ids = idsOf(target, parseStrings(request, "ids"));
    if (!ids) return fail(ids.status());
    if (ids->empty()) return fail(badArgument("ids", "required (or list with /page)"));
    std::erase_if(entries, [&](const BlockedClient& entry) {
      return std::find(ids->begin(), ids->end(), entry.id) == ids->end();
    });
    return ok(entriesJson(entries));
  }
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  const auto total = static_cast<int64_t>(entries.size());
  const auto from = std::min<int64_t>(page->skip, total);
  const auto to = std::min<int64_t>(from + page->limit, total);
  return okPage(total, entriesJson({entries.begin() + from, entries.begin() + to}));
}

template <BlockTarget target>
AdminResponse unblock(AdminRoutes& routes, const AdminRequest& request) {
  auto blocklist = requireBlocklist(routes, target);
  if (!blocklist) return fail(blocklist.status());
  auto delete_all = parseBoolParam(request, "deleteAll");
  if (!delete_all) return fail(delete_all.status());
  if (delete_all->value_or(false)) {
    if (auto removed = (*blocklist)->unblockAll(target); !removed) return fail(removed.status());
    spdlog::info("admin: unblocked every {}", blockTargetName(target));
    return ok(nullptr);
  }
  auto ids = idsOf(target, parseStrings(request, "ids"));
  if (!ids) return fail(ids.status());
  if (ids->empty()) return fail(badArgument("ids", "required (or deleteAll=true)"));
  if (auto removed = (*blocklist)->unblock(target, *ids); !removed) return fail(removed.status());
  spdlog::info("admin: unblocked {} {}", ids->size(), blockTargetName(target));
  return ok(nullptr);
}

constexpr Route kClientBlocklistRoutes[] = {
    {"POST", "/blocked-clients/ips", true, block<BlockTarget::kIp>},
    {"GET", "/blocked-clients/ips", true, unpaged<list<BlockTarget::kIp>>},
    {"GET", "/blocked-clients/ips/page", true, paged<list<BlockTarget::kIp>>},
    {"DELETE", "/blocked-clients/ips", true, unblock<BlockTarget::kIp>},
    {"POST", "/blocked-clients/users", true, block<BlockTarget::kUser>},
    {"GET", "/blocked-clients/users", true, unpaged<list<BlockTarget::kUser>>},
    {"GET", "/blocked-clients/users/page", true, paged<list<BlockTarget::kUser>>},
    {"DELETE", "/blocked-clients/users", true, unblock<BlockTarget::kUser>},
};

}  // namespace

std::span<const Route> clientBlocklistRoutes() { return kClientBlocklistRoutes; }

}  // namespace parley::admin
