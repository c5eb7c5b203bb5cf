// /groups/types: upstream's GroupTypeController. Types are read by every group rule
// (service/group/group_types.h); after a change this node's copy is invalidated at once and the
// other nodes' copies within their refresh time. The DEFAULT type (0) cannot be deleted.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "admin/admin_route_util.h"
#include "store/store.h"

namespace parley::admin {
namespace {

// Upstream's enum names, indexed by their ordinals (store/group_type_repository.h).
constexpr std::array<std::string_view, kGroupInvitationStrategyCount> kInvitationStrategies = {
    "ALL_REQUIRING_APPROVAL",
    "OWNER_MANAGER_MEMBER_REQUIRING_APPROVAL",
    "OWNER_MANAGER_REQUIRING_APPROVAL",
    "OWNER_REQUIRING_APPROVAL",
    "ALL",
    "OWNER_MANAGER_MEMBER",
    "OWNER_MANAGER",
    "OWNER"};
constexpr std::array<std::string_view, kGroupJoinStrategyCount> kJoinStrategies = {
    "MEMBERSHIP_REQUEST", "INVITATION", "QUESTION", "JOIN_REQUEST"};
constexpr std::array<std::string_view, kGroupUpdateStrategyCount> kUpdateStrategies = {
    "ALL", "OWNER_MANAGER_MEMBER", "OWNER_MANAGER", "OWNER"};

// Attempts at a free id, as for users created without one.
constexpr int kIdAttempts = 3;

template <typename Enum, size_t N>
std::string nameOf(const std::array<std::string_view, N>& names, Enum value) {
  return enumName(names, static_cast<int32_t>(value));
}

// Upstream's GroupType as its admin API prints it.
json::object typeJson(const GroupTypeRecord& type) {
  json::object object;
  object["id"] = type.id;
  object["name"] = type.name;
  object["groupSizeLimit"] = type.group_size_limit;
  object["invitationStrategy"] = nameOf(kInvitationStrategies, type.invitation_strategy);
  object["joinStrategy"] = nameOf(kJoinStrategies, type.join_strategy);
  object["groupInfoUpdateStrategy"] = nameOf(kUpdateStrategies, type.group_info_update_strategy);
  object["memberInfoUpdateStrategy"] = nameOf(kUpdateStrategies, type.member_info_update_strategy);
  object["guestSpeakable"] = type.guest_speakable;
  object["selfInfoUpdatable"] = type.self_info_updatable;
  object["enableReadReceipt"] = type.enable_read_receipt;
  object["messageEditable"] = type.message_editable;
  return object;
}

// Upstream's AddGroupTypeDTO and UpdateGroupTypeDTO have the same fields: every one is required
// to create a type, any may be changed.
Result<GroupTypeUpdate> parseFields(std::string_view text) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  GroupTypeUpdate fields;
  fields.name = body->string("name");
  fields.group_size_limit = body->int32("groupSizeLimit");
  if (const auto value = body->enumeration("invitationStrategy", kInvitationStrategies)) {
    fields.invitation_strategy = static_cast<GroupInvitationStrategy>(*value);
  }
  if (const auto value = body->enumeration("joinStrategy", kJoinStrategies)) {
    fields.join_strategy = static_cast<GroupJoinStrategy>(*value);
  }
  if (const auto value = body->enumeration("groupInfoUpdateStrategy", kUpdateStrategies)) {
    fields.group_info_update_strategy = static_cast<GroupUpdateStrategy>(*value);
  }
  if (const auto value = body->enumeration("memberInfoUpdateStrategy", kUpdateStrategies)) {
    fields.member_info_update_strategy = static_cast<GroupUpdateStrategy>(*value);
  }
  fields.guest_speakable = body->boolean("guestSpeakable");
  fields.self_info_updatable = body->boolean("selfInfoUpdatable");
  fields.enable_read_receipt = body->boolean("enableReadReceipt");
  fields.message_editable = body->boolean("messageEditable");
  if (const VoidResult parsed = body->status(); !parsed) return parsed.status();
  // Upstream's @NoWhitespace and @Min(1).
  if (fields.name && std::any_of(fields.name->begin(), fields.name->end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0;
      })) {
    return badArgument("name", "must not contain whitespace");
  }
  if (fields.group_size_limit && *fields.group_size_limit < 1) {
    return badArgument("groupSizeLimit", "must be at least 1");
  }
  return fields;
}

// The first field a new type lacks, if any.
std::optional<std::string_view> missingField(const GroupTypeUpdate& fields) {
  if (!fields.name) return "name";
  if (!fields.group_size_limit) return "groupSizeLimit";
  if (!fields.invitation_strategy) return "invitationStrategy";
  if (!fields.join_strategy) return "joinStrategy";
  if (!fields.group_info_update_strategy) return "groupInfoUpdateStrategy";
  if (!fields.member_info_update_strategy) return "memberInfoUpdateStrategy";
  if (!fields.guest_speakable) return "guestSpeakable";
  if (!fields.self_info_updatable) return "selfInfoUpdatable";
  if (!fields.enable_read_receipt) return "enableReadReceipt";
  if (!fields.message_editable) return "messageEditable";
  return std::nullopt;
}

void typesChanged(AdminRoutes& routes) {
  if (routes.deps().group_types_changed) routes.deps().group_types_changed();
}

AdminResponse addType(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto fields = parseFields(request.body);
  if (!fields) return fail(fields.status());
  if (const auto missing = missingField(*fields)) return fail(badArgument(*missing, "required"));
  GroupTypeRecord type{.id = 0,
                       .name = *fields->name,
                       .group_size_limit = *fields->group_size_limit,
                       .invitation_strategy = *fields->invitation_strategy,
                       .join_strategy = *fields->join_strategy,
                       .group_info_update_strategy = *fields->group_info_update_strategy,
                       .member_info_update_strategy = *fields->member_info_update_strategy,
                       .guest_speakable = *fields->guest_speakable,
                       .self_info_updatable = *fields->self_info_updatable,
                       .enable_read_receipt = *fields->enable_read_receipt,
                       .message_editable = *fields->message_editable};
  VoidResult inserted = error(StatusCode::kRecordContainsDuplicateKey);
  for (int attempt = 0; attempt < kIdAttempts && !inserted &&
                        inserted.status().code == StatusCode::kRecordContainsDuplicateKey;
       ++attempt) {
    type.id = routes.nextId();
    inserted = (*store)->groupTypes().insert(type);
  }
  if (!inserted) return fail(inserted.status());
  typesChanged(routes);
  spdlog::info("admin: created group type {} ({})", type.id, type.name);
  return ok(typeJson(type));
}

AdminResponse listTypes(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  GroupTypeRepository& types = (*store)->groupTypes();
  auto found = types.findAll(page->skip, page->limit);
  if (!found) return fail(found.status());
  return listingAnswer(*found, typeJson, paged, [&] { return types.count(); });
}

AdminResponse updateTypes(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  auto fields = parseFields(request.body);
  if (!fields) return fail(fields.status());
  if (fields->empty()) return fail(badArgument("body", "no field to update"));
  auto updated = (*store)->groupTypes().update(*ids, *fields);
  if (!updated) return fail(updated.status());
  typesChanged(routes);
  if (*updated > 0) spdlog::info("admin: updated {} group types", *updated);
  return ok(json::object{{"updatedCount", *updated}});
}

AdminResponse deleteTypes(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  // Upstream deletes every type but DEFAULT when no id is given; Parley requires ids.
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  if (std::find(ids->begin(), ids->end(), kDefaultGroupTypeId) != ids->end()) {
    return fail(error(StatusCode::kIllegalArgument, "The default group type cannot be deleted"));
  }
  auto deleted = (*store)->groupTypes().remove(*ids);
  if (!deleted) return fail(deleted.status());
  typesChanged(routes);
  return deletedAnswer(*deleted, "group types");
}

constexpr Route kGroupTypeRoutes[] = {
    {"POST", "/groups/types", true, addType},
    {"GET", "/groups/types", true, unpaged<listTypes>},
    {"GET", "/groups/types/page", true, paged<listTypes>},
    {"PUT", "/groups/types", true, updateTypes},
    {"DELETE", "/groups/types", true, deleteTypes},
};

}  // namespace

std::span<const Route> groupTypeRoutes() { return kGroupTypeRoutes; }

}  // namespace parley::admin
