#include "service/conversation/conversation_handlers.h"
#include "service/domain_registrar.h"
#include "service/stored_values.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream caps a query at 1000 ids.
constexpr int kMaxQueriedIds = 1000;

// Ids in request order, without repeats.
template <typename Ids>
std::vector<int64_t> uniqueIds(const Ids& ids) {
  std::vector<int64_t> unique;
  unique.reserve(static_cast<size_t>(ids.size()));
  for (const int64_t id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  return unique;
}

Result<bool> isGroupMember(ServiceDeps& deps, int64_t group_id, int64_t user_id) {
  auto member = deps.store.groupMembers().find(group_id, user_id);
  if (!member) return member.status();
  return member->has_value();
}

// Private conversations answer with both sides' read dates, told apart by owner_id: the
// requester's own (owner = requester, target = named user: what Turms returned before 2022 and
// what turms-client-js's test suite expects) and the named users' of their conversation with
// the requester (owner = named user, target = requester), i.e. whether they have read the
// requester's messages, which is what Turms returns since it fixed read receipts in 2022
// (turms #1049). Clients of either generation find the record they look for.
// Group conversations answer with every member's read date, for the named groups the
// requester is a member of; other groups are left out without an error, as the Turms clients
// document (upstream's server does not check membership at all).
HandlerResult queryConversations(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.query_conversations_request();
  if (req.user_ids_size() > kMaxQueriedIds || req.group_ids_size() > kMaxQueriedIds) {
    return HandlerResult::failure(StatusCode::kRequestedRecordsTooMany,
                                  "At most 1000 conversations can be queried at once");
  }
  TurmsNotification::Data data;
  auto* conversations = data.mutable_conversations();
  if (req.user_ids_size() > 0) {
    const std::vector<int64_t> user_ids = uniqueIds(req.user_ids());
    auto own = deps.store.conversations().queryPrivate(ctx.user_id, user_ids);
    if (!own) return HandlerResult::failure(own.status());
    std::vector<PrivateConversationRecord> records = std::move(*own);
    const int64_t requester[] = {ctx.user_id};
    for (const int64_t user_id : user_ids) {
      if (user_id == ctx.user_id) continue;  // already found as the requester's own
      auto theirs = deps.store.conversations().queryPrivate(user_id, requester);
      if (!theirs) return HandlerResult::failure(theirs.status());
      records.insert(records.end(), theirs->begin(), theirs->end());
    }
    if (records.empty()) return HandlerResult::failure(StatusCode::kNoContent);
    for (const PrivateConversationRecord& record : records) {
      auto* conversation = conversations->add_private_conversations();
      conversation->set_owner_id(record.owner_id);
      conversation->set_target_id(record.target_id);
      conversation->set_read_date(record.read_date);
    }
    return HandlerResult::withData(std::move(data));
  }
  if (req.group_ids_size() == 0) return HandlerResult::failure(StatusCode::kNoContent);
  auto joined = deps.store.groupMembers().findJoinedGroupIds(ctx.user_id);
  if (!joined) return HandlerResult::failure(joined.status());
  std::vector<int64_t> group_ids = uniqueIds(req.group_ids());
  std::erase_if(group_ids, [&](int64_t group_id) {
    return std::find(joined->begin(), joined->end(), group_id) == joined->end();
  });
  auto found = deps.store.conversations().queryGroups(group_ids);
  if (!found) return HandlerResult::failure(found.status());
  if (found->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  for (const GroupConversationRecord& record : *found) {
    auto* conversation = conversations->add_group_conversations();
    conversation->set_group_id(record.group_id);
    for (const auto& [member_id, read_date] : record.member_read_dates) {
      (*conversation->mutable_member_id_to_read_date())[member_id] = read_date;
    }
  }
  return HandlerResult::withData(std::move(data));
}

// A read receipt. The read date is the server's time, whatever the client sent: upstream's
// default (read-receipt.use-server-time = true), which keeps clients with wrong clocks from
// moving dates into the future. The stored date never moves backwards; an older one (a clock
// step back) is accepted and leaves the newer date in place. Upstream also requires a message
// from the contact before storing a private read date (and silently stores nothing otherwise);
// Parley stores it regardless, which is harmless and keeps receipts independent of messages.
HandlerResult updateConversation(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.update_conversation_request();
  if (!req.has_user_id() && !req.has_group_id()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The user_id and group_id must not both be unset");
  }
  const int64_t now = deps.clock.nowMillis();
  Result<int64_t> stored = int64_t{0};
  if (req.has_user_id()) {
    stored = deps.store.conversations().upsertPrivateReadDate(ctx.user_id, req.user_id(), now);
  } else {
    auto group = deps.store.groups().findById(req.group_id());
    if (!group) return HandlerResult::failure(group.status());
    if (!*group || (*group)->deletion_date || !(*group)->is_active) {
      return HandlerResult::failure(StatusCode::kUpdatingReadDateOfNonexistentGroupConversation);
    }
    auto member = isGroupMember(deps, req.group_id(), ctx.user_id);
    if (!member) return HandlerResult::failure(member.status());
    if (!*member) {
      return HandlerResult::failure(StatusCode::kNotGroupMemberToUpdateReadDateOfGroupConversation);
    }
    stored = deps.store.conversations().upsertGroupReadDate(req.group_id(), ctx.user_id, now);
  }
  if (!stored) return HandlerResult::failure(stored.status());
  // The other devices get the date that was stored, not the one the client proposed.
  TurmsRequest relayed = request;
  relayed.mutable_update_conversation_request()->set_read_date(*stored);
  return HandlerResult::okWithSelfPush(std::move(relayed));
}

// Relayed as it is, never stored. Private: the peer must have the requester as a contact
// that is not blocked (upstream's check), or, when the peer has no record of the requester at
// all, the requester must have the peer as an unblocked contact, so that a one-sided contact
// can show typing to someone who has not blocked them. Group: members only, and the push goes
// to every member (the gateway skips the requesting session itself).
HandlerResult updateTypingStatus(ServiceDeps& deps, const RequestContext& ctx,
                                 const TurmsRequest& request) {
  const auto& req = request.update_typing_status_request();
  HandlerResult result;
  if (req.is_group_message()) {
    auto member = isGroupMember(deps, req.to_id(), ctx.user_id);
    if (!member) return HandlerResult::failure(member.status());
    if (!*member) return HandlerResult::failure(StatusCode::kNotGroupMemberToSendTypingStatus);
    auto member_ids = deps.store.groupMembers().findMemberIds(req.to_id());
    if (!member_ids) return HandlerResult::failure(member_ids.status());
    // The requester's other sessions get it through include_requester_other_sessions, so the
    // requester is not listed twice.
    std::erase(*member_ids, ctx.user_id);
    result.pushes.push_back(RelayPush{std::move(*member_ids), true, std::nullopt});
    return result;
  }
  if (req.to_id() == ctx.user_id) {
    return HandlerResult::failure(StatusCode::kNotFriendToSendTypingStatus);
  }
  auto peer_side = deps.store.relationships().findBlocked(req.to_id(), ctx.user_id);
  if (!peer_side) return HandlerResult::failure(peer_side.status());
  bool allowed = false;
  if (*peer_side) {
    allowed = !**peer_side;
  } else {
    auto own_side = deps.store.relationships().findBlocked(ctx.user_id, req.to_id());
    if (!own_side) return HandlerResult::failure(own_side.status());
    allowed = *own_side && !**own_side;
  }
  if (!allowed) return HandlerResult::failure(StatusCode::kNotFriendToSendTypingStatus);
  result.pushes.push_back(RelayPush{{req.to_id()}, false, std::nullopt});
  return result;
}

// Settings are free-form: any name, any Value. Upstream only accepts names declared in its
// server configuration (none by default); Parley has no such schema, so every name is
// accepted and every setting can be deleted.
HandlerResult updateConversationSettings(ServiceDeps& deps, const RequestContext& ctx,
                                         const TurmsRequest& request) {
  const auto& req = request.update_conversation_settings_request();
  if (!req.has_user_id() && !req.has_group_id()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The user_id and group_id must not both be unset");
  }
  ConversationSettingsRecord record;
  record.owner_id = ctx.user_id;
  record.is_group = !req.has_user_id();
  record.target_id = req.has_user_id() ? req.user_id() : req.group_id();
  if (record.is_group) {
    auto member = isGroupMember(deps, record.target_id, ctx.user_id);
    if (!member) return HandlerResult::failure(member.status());
    if (!*member) {
      return HandlerResult::failure(StatusCode::kNotGroupMemberToUpdateGroupConversationSetting);
    }
  } else {
    // Upstream: the requester must have the user as a contact (blocked or not).
    auto relationship = deps.store.relationships().findBlocked(ctx.user_id, record.target_id);
    if (!relationship) return HandlerResult::failure(relationship.status());
    if (!*relationship) {
      return HandlerResult::failure(StatusCode::kNotRelatedUserToUpdatePrivateConversationSetting);
    }
  }
  // Nothing to change is OK without a push, as upstream.
  if (req.settings().empty()) return HandlerResult::ok();
  for (const auto& [name, value] : req.settings()) {
    record.settings[name] = value.SerializeAsString();
  }
  record.last_updated_date = deps.clock.nowMillis();
  if (const VoidResult upserted = deps.store.conversations().upsertSettings(record); !upserted) {
    return HandlerResult::failure(upserted.status());
  }
  return HandlerResult::okWithSelfPush();
}

// No ids at all means every conversation of the requester; names empty means every setting.
HandlerResult deleteConversationSettings(ServiceDeps& deps, const RequestContext& ctx,
                                         const TurmsRequest& request) {
  const auto& req = request.delete_conversation_settings_request();
  const std::vector<int64_t> user_ids(req.user_ids().begin(), req.user_ids().end());
  const std::vector<int64_t> group_ids(req.group_ids().begin(), req.group_ids().end());
  const std::vector<std::string> names(req.names().begin(), req.names().end());
  const bool everything = user_ids.empty() && group_ids.empty();
  int64_t deleted = 0;
  for (const auto& [is_group, ids] : {std::pair{false, &user_ids}, {true, &group_ids}}) {
    if (ids->empty() && !everything) continue;
    auto count = deps.store.conversations().deleteSettings(ctx.user_id, is_group, *ids, names);
    if (!count) return HandlerResult::failure(count.status());
    deleted += *count;
  }
  // Upstream only tells the other sessions when something was deleted.
  return deleted > 0 ? HandlerResult::okWithSelfPush() : HandlerResult::ok();
}

HandlerResult queryConversationSettings(ServiceDeps& deps, const RequestContext& ctx,
                                        const TurmsRequest& request) {
  const auto& req = request.query_conversation_settings_request();
  const std::vector<int64_t> user_ids(req.user_ids().begin(), req.user_ids().end());
  const std::vector<int64_t> group_ids(req.group_ids().begin(), req.group_ids().end());
  std::optional<int64_t> since;
  if (req.has_last_updated_date_start()) since = req.last_updated_date_start();
  auto found = deps.store.conversations().querySettings(ctx.user_id, user_ids, group_ids, since);
  if (!found) return HandlerResult::failure(found.status());
  TurmsNotification::Data data;
  auto* list = data.mutable_conversation_settings_list();
  for (const ConversationSettingsRecord& record : *found) {
    pb::ConversationSettings settings;
    if (record.is_group) {
      settings.set_group_id(record.target_id);
    } else {
      settings.set_user_id(record.target_id);
    }
    *settings.mutable_settings() = parseStoredValues(
        record.settings,
        [&](const std::string& name) {
          return req.names_size() == 0 ||
                 std::find(req.names().begin(), req.names().end(), name) != req.names().end();
        },
        fmt::format("user {} (conversation with {} {})", ctx.user_id,
                    record.is_group ? "group" : "user", record.target_id));
    if (settings.settings().empty()) continue;
    settings.set_last_updated_date(record.last_updated_date);
    *list->add_conversation_settings_list() = std::move(settings);
  }
  if (list->conversation_settings_list_size() == 0) {
    return HandlerResult::failure(StatusCode::kNoContent);
  }
  return HandlerResult::withData(std::move(data));
}

}  // namespace

void registerConversationHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kQueryConversationsRequest, &queryConversations);
  domain.add(TurmsRequest::kUpdateConversationRequest, &updateConversation);
  domain.add(TurmsRequest::kUpdateTypingStatusRequest, &updateTypingStatus);
  domain.add(TurmsRequest::kUpdateConversationSettingsRequest, &updateConversationSettings);
  domain.add(TurmsRequest::kDeleteConversationSettingsRequest, &deleteConversationSettings);
  domain.add(TurmsRequest::kQueryConversationSettingsRequest, &queryConversationSettings);
}

}  // namespace parley
