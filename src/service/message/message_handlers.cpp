#include "service/message/message_handlers.h"
#include "service/domain_registrar.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/snowflake.h"
#include "core/utf8.h"
#include "online/sequence_ids.h"
#include "service/group/group_types.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream's QueryMessages limits (MessageService.authAndQueryCompleteMessages and
// MessageProperties.defaultAvailableMessagesNumberWithTotal).
constexpr int kDefaultMaxCount = 1000;
constexpr int kDefaultMaxCountWithTotal = 1;
constexpr int kMaxMaxCount = 1000;
// BuiltinSystemMessageType.RECALL_MESSAGE: records[0] of the system message announcing a recall.
constexpr char kRecallMessageType = 0x01;

// A write that fails after validation: the client may retry, so it gets 1201, and the node's
// log gets the ids that locate the failure.
HandlerResult writeFailure(std::string_view what, int64_t user_id, int64_t message_id,
                           const Status& status) {
  spdlog::error("message: {} failed for user {} message {}: {} {}", what, user_id, message_id,
                toInt(status.code), status.reason);
  return HandlerResult::failure(StatusCode::kServerUnavailable);
}

template <typename Records>
std::optional<HandlerResult> validateContent(const MessageConfig& config, std::string_view text,
                                             const Records& records) {
  if (codePoints(text) > static_cast<size_t>(std::max(config.max_text_length, 0))) {
    return HandlerResult::failure(
        StatusCode::kIllegalArgument,
        "The text must have at most " + std::to_string(config.max_text_length) + " characters");
  }
  size_t total = 0;
  for (const std::string& record : records) total += record.size();
  if (total > static_cast<size_t>(std::max(config.max_records_size_bytes, 0))) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The total size of records must be at most " +
                                      std::to_string(config.max_records_size_bytes) + " bytes");
  }
  return std::nullopt;
}

template <typename Ids>
std::vector<int64_t> uniqueIds(const Ids& ids) {
  std::vector<int64_t> unique(ids.begin(), ids.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  return unique;
}

std::string bigEndian(int64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<size_t>(i)] = static_cast<char>(value & 0xFF);
    value = static_cast<int64_t>(static_cast<uint64_t>(value) >> 8);
  }
  return bytes;
}

// Who gets a push about a message sent or changed by `requester` (always its sender here).
// Private: the other party, plus the requester's other sessions. Group: every member, the
// requester included, which reaches the requester's other sessions (the gateway never pushes
// back to the requesting session) with a single push. The store's failure when the group's
// members cannot be read.
Result<RelayPush> audienceOf(ServiceDeps& deps, const MessageRecord& message, int64_t requester) {
  RelayPush push;
  if (message.is_group_message) {
    auto members = deps.store.groupMembers().findMemberIds(message.target_id);
    if (!members.ok()) {
      spdlog::warn("message: cannot read the members of group {} to push message {}: {} {}",
                   message.target_id, message.id, toInt(members.status().code),
                   members.status().reason);
      return members.status();
    }
    push.user_ids = std::move(members).value();
    return push;
  }
  const int64_t other = message.sender_id == requester ? message.target_id : message.sender_id;
  push.user_ids = {other};
  // A message to oneself: user_ids already reaches the other sessions.
  push.include_requester_other_sessions = other != requester;
  return push;
}

pb::Message toProto(const MessageRecord& record) {
  pb::Message message;
  message.set_id(record.id);
  message.set_delivery_date(record.delivery_date);
  if (record.modification_date) message.set_modification_date(*record.modification_date);
  if (!record.text.empty()) message.set_text(record.text);
  message.set_sender_id(record.sender_id);
  if (record.is_group_message) {
    message.set_group_id(record.target_id);
  } else {
    message.set_recipient_id(record.target_id);
  }
  message.set_is_system_message(record.is_system_message);
  for (const std::string& bytes : record.records) message.add_records(bytes);
  // The protocol's field is an int32 (upstream stores it as one too).
  if (record.sequence_id > 0) message.set_sequence_id(static_cast<int32_t>(record.sequence_id));
  if (record.pre_message_id) message.set_pre_message_id(*record.pre_message_id);
  return message;
}

// --- CreateMessageRequest -------------------------------------------------------------------

// Upstream's UserService.isAllowedToSendMessageToTarget for private messages.
std::optional<HandlerResult> checkPrivateSender(ServiceDeps& deps, int64_t sender,
                                                int64_t recipient) {
  if (sender == recipient) {
    if (deps.message.allow_send_to_oneself) return std::nullopt;
    return HandlerResult::failure(StatusCode::kSendingMessagesToOneselfIsDisabled);
  }
  auto active = deps.store.users().isActive(recipient);
  if (!active.ok()) return HandlerResult::failure(active.status());
  if (!active.value()) return HandlerResult::failure(StatusCode::kMessageRecipientNotActive);
  // One lookup answers both checks: is the sender blocked, and is the sender a contact.
  auto blocked = deps.store.relationships().findBlocked(recipient, sender);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  if (blocked.value() == true) {
    return HandlerResult::failure(StatusCode::kBlockedUserSendPrivateMessage);
  }
  if (!deps.message.allow_send_to_stranger && !blocked.value()) {
    return HandlerResult::failure(StatusCode::kNotFriendToSendPrivateMessage);
  }
  return std::nullopt;
}

// Upstream's GroupMemberService.isAllowedToSendMessage: a muted group silences every member, its
// owner and managers too (unless message.owner-and-managers-speak-in-muted-group), and a member
// whose own mute has not ended. A non-member is a guest, who speaks only where the group's type
// lets guests speak (upstream's DEFAULT type does not: 5009) and is not blocked.
std::optional<HandlerResult> checkGroupSender(ServiceDeps& deps, int64_t sender, int64_t group_id,
                                              int64_t now) {
  auto group = deps.store.groups().findById(group_id);
  if (!group.ok()) return HandlerResult::failure(group.status());
  if (!group.value() || group.value()->deletion_date) {
    return HandlerResult::failure(StatusCode::kSendMessageToNonexistentGroup);
  }
  if (!group.value()->is_active)
    return HandlerResult::failure(StatusCode::kSendMessageToInactiveGroup);
  const bool group_muted = group.value()->mute_end_date && *group.value()->mute_end_date > now;
  auto member = deps.store.groupMembers().find(group_id, sender);
  if (!member.ok()) return HandlerResult::failure(member.status());
  if (!member.value()) {
    auto type = deps.group_types.find(group.value()->type_id);
    if (!type.ok()) return HandlerResult::failure(type.status());
    if (!type.value()) return HandlerResult::failure(StatusCode::kSendMessageToInactiveGroup);
    if (!type.value()->guest_speakable) {
      return HandlerResult::failure(StatusCode::kNotSpeakableGroupGuestToSendMessage,
                                    "Only group members can send messages to the group");
    }
    if (group_muted) return HandlerResult::failure(StatusCode::kSendMessageToMutedGroup);
    const int64_t guest[] = {sender};
    auto blocked = deps.store.groupBlocklist().findBlockedAmong(group_id, guest);
    if (!blocked.ok()) return HandlerResult::failure(blocked.status());
    if (!blocked->empty()) return HandlerResult::failure(StatusCode::kBlockedUserSendGroupMessage);
    return std::nullopt;
  }
  const int32_t role = member.value()->role;
  const bool speaks_anyway = deps.message.owner_and_managers_speak_in_muted_group &&
                             (role == kGroupRoleOwner || role == kGroupRoleManager);
  if (group_muted && !speaks_anyway) {
    return HandlerResult::failure(StatusCode::kSendMessageToMutedGroup);
  }
  if (member.value()->mute_end_date && *member.value()->mute_end_date > now) {
    return HandlerResult::failure(StatusCode::kMutedGroupMemberSendMessage);
  }
  return std::nullopt;
}

// Whether `user_id` may see (and so forward) `message`: its sender, its private recipient, or a
// member of its group.
Result<bool> canForward(ServiceDeps& deps, const MessageRecord& message, int64_t user_id) {
  if (message.sender_id == user_id) return true;
  if (!message.is_group_message) return message.target_id == user_id;
  auto member = deps.store.groupMembers().find(message.target_id, user_id);
  if (!member.ok()) return member.status();
  return member.value().has_value();
}

// A message that passed every check and has its id: what the sender and its recipients get once
// it is stored.
struct AcceptedMessage {
  MessageRecord record;
  HandlerResult result;  // the answer, with the recipients' push when there is one
};

// Checks a CreateMessageRequest and builds the message, its answer and its push; a refusal is
// returned instead. Reads only: nothing is stored yet.
std::optional<HandlerResult> acceptMessage(ServiceDeps& deps, const RequestContext& ctx,
                                           const TurmsRequest& request, AcceptedMessage& accepted) {
  const auto& req = request.create_message_request();
  if (req.has_is_system_message() && req.is_system_message()) {
    return HandlerResult::failure(StatusCode::kUnauthorizedRequest,
                                  "Only the server can send system messages");
  }
  if (req.has_group_id() == req.has_recipient_id()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "Exactly one of group_id and recipient_id must be set");
  }
  const int64_t now = deps.clock.nowMillis();
  MessageRecord& message = accepted.record;
  message.is_group_message = req.has_group_id();
  message.sender_id = ctx.user_id;
  message.target_id = message.is_group_message ? req.group_id() : req.recipient_id();
  message.delivery_date = now;  // the client's delivery_date is ignored (LOCAL_SERVER_TIME)

  const bool is_forward = req.has_message_id();
  if (is_forward) {
    auto original = deps.store.messages().findById(req.message_id());
    if (!original.ok()) return HandlerResult::failure(original.status());
    // A recalled message is gone for everyone, so it cannot be forwarded either.
    if (!original.value() || original.value()->recall_date) {
      return HandlerResult::failure(StatusCode::kNotMessageRecipientOrSenderToForwardMessage);
    }
    auto allowed = canForward(deps, *original.value(), ctx.user_id);
    if (!allowed.ok()) return HandlerResult::failure(allowed.status());
    if (!allowed.value()) {
      return HandlerResult::failure(StatusCode::kNotMessageRecipientOrSenderToForwardMessage);
    }
    message.text = original.value()->text;
    message.records = original.value()->records;
    message.burn_after = original.value()->burn_after;
    message.reference_id = original.value()->id;
  } else {
    if (auto invalid = validateContent(deps.message, req.text(), req.records())) return *invalid;
    if (req.text().empty() && req.records_size() == 0) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "A message needs text or records");
    }
    if (req.has_burn_after() && req.burn_after() < 0) {
      return HandlerResult::failure(StatusCode::kIllegalArgument,
                                    "burn_after must not be negative");
    }
    message.text = req.text();
    message.records.assign(req.records().begin(), req.records().end());
    if (req.has_burn_after()) message.burn_after = req.burn_after();
    if (req.has_pre_message_id()) message.pre_message_id = req.pre_message_id();
  }

  const auto denied = message.is_group_message
                          ? checkGroupSender(deps, ctx.user_id, message.target_id, now)
                          : checkPrivateSender(deps, ctx.user_id, message.target_id);
  if (denied) return *denied;

  message.id = deps.ids.next();
  accepted.result = HandlerResult::withLong(message.id);
  // The audience is read now, before the write, so that nothing but the write itself waits for
  // the commit; a member who joins in between pulls the message instead. A message whose
  // recipients cannot be read is refused before it is stored (the client sends it again): stored
  // and acknowledged, it would reach nobody until they pull, which a connected client never does
  // by itself.
  Result<RelayPush> push = audienceOf(deps, message, ctx.user_id);
  if (!push.ok()) return HandlerResult::failure(push.status());
  TurmsRequest relayed = request;
  auto* create = relayed.mutable_create_message_request();
  create->set_message_id(message.id);
  create->set_delivery_date(message.delivery_date);
  if (is_forward) {
    // Recipients get the copy's own content, not the id of a message they may not be able to see.
    if (message.text.empty()) {
      create->clear_text();
    } else {
      create->set_text(message.text);
    }
    create->clear_records();
    for (const std::string& bytes : message.records) create->add_records(bytes);
    if (message.burn_after) {
      create->set_burn_after(*message.burn_after);
    } else {
      create->clear_burn_after();
    }
    create->clear_pre_message_id();
  }
  push->request = std::move(relayed);
  accepted.result.pushes.push_back(std::move(*push));
  return std::nullopt;
}

// Stores the message and then answers: an OK means the message survives a crash of this node.
void storeAndReply(ServiceDeps& deps, int64_t user_id, std::shared_ptr<AcceptedMessage> accepted,
                   Reply reply) {
  MessageRepository& messages = deps.store.messages();
  messages.insertAsync(accepted->record, [user_id, accepted, reply](VoidResult stored) {
    if (!stored.ok()) {
      reply(writeFailure("storing", user_id, accepted->record.id, stored.status()));
      return;
    }
    reply(std::move(accepted->result));
  });
}

// Asynchronous: with the embedded store, the sequence counter and the message are written by the
// store's writer thread in one group commit, and no thread waits for it.
void createMessage(ServiceDeps& deps, const RequestContext& ctx, const TurmsRequest& request,
                   Reply reply) {
  auto accepted = std::make_shared<AcceptedMessage>();
  if (auto refused = acceptMessage(deps, ctx, request, *accepted)) {
    reply(std::move(*refused));
    return;
  }
  if (!deps.message.use_sequence_ids) {
    storeAndReply(deps, ctx.user_id, std::move(accepted), std::move(reply));
    return;
  }
  // The id and the message are stored together (one write on the embedded store): an id reaches
  // clients only with its stored message.
  // The record moves into the write (its text is not needed again here); its id stays.
  const int64_t message_id = accepted->record.id;
  deps.sequence_ids.numberAndStoreAsync(
      std::move(accepted->record), deps.store.messages(),
      [user_id = ctx.user_id, message_id, accepted, reply](Result<int64_t> sequence_id) {
        if (!sequence_id.ok()) {
          reply(writeFailure("storing", user_id, message_id, sequence_id.status()));
          return;
        }
        for (RelayPush& push : accepted->result.pushes) push.sequence_id = sequence_id.value();
        reply(std::move(accepted->result));
      });
}

// --- QueryMessagesRequest -------------------------------------------------------------------

HandlerResult queryMessages(ServiceDeps& deps, const RequestContext& ctx,
                            const TurmsRequest& request) {
  const auto& req = request.query_messages_request();
  if (!req.has_are_group_messages()) {
    // Upstream: private and group histories are paged separately, so the kind must be chosen.
    return HandlerResult::failure(StatusCode::kInvalidRequest,
                                  "are_group_messages must be either true or false");
  }
  int max_count = req.with_total() ? kDefaultMaxCountWithTotal : kDefaultMaxCount;
  if (req.has_max_count()) {
    if (req.max_count() < 0) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "max_count must not be negative");
    }
    max_count = std::min(req.max_count(), kMaxMaxCount);
  }

  MessageQuery query;
  query.are_group_messages = req.are_group_messages();
  if (req.has_are_system_messages()) query.are_system_messages = req.are_system_messages();
  query.ids = uniqueIds(req.ids());
  if (req.has_delivery_date_start()) query.delivery_date_start = req.delivery_date_start();
  if (req.has_delivery_date_end()) query.delivery_date_end = req.delivery_date_end();
  query.descending = req.has_descending() && req.descending();
  query.max_count = max_count;

  if (query.are_group_messages) {
    auto joined = deps.store.groupMembers().findJoinedGroupIds(ctx.user_id);
    if (!joined.ok()) return HandlerResult::failure(joined.status());
    const std::vector<int64_t> joined_ids = uniqueIds(joined.value());
    if (req.from_ids_size() == 0) {
      query.group_ids = joined_ids;
    } else {
      query.group_ids = uniqueIds(req.from_ids());
      std::vector<int64_t> not_joined;
      std::set_difference(query.group_ids.begin(), query.group_ids.end(), joined_ids.begin(),
                          joined_ids.end(), std::back_inserter(not_joined));
      if (!not_joined.empty()) {
        std::string reason = "Not a member of the groups:";
        for (const int64_t id : not_joined) reason += " " + std::to_string(id);
        return HandlerResult::failure(StatusCode::kNotGroupMemberToQueryGroupMessages, reason);
      }
    }
    if (query.group_ids.empty()) return HandlerResult::failure(StatusCode::kNoContent);
  } else {
    // Only messages addressed to the requester, from the given senders (upstream's default,
    // without conversation ids).
    query.recipient_id = ctx.user_id;
    query.peer_ids = uniqueIds(req.from_ids());
  }

  TurmsNotification::Data data;
  if (!req.with_total()) {
    auto found = deps.store.messages().query(query);
    if (!found.ok()) return HandlerResult::failure(found.status());
    if (found.value().empty()) return HandlerResult::failure(StatusCode::kNoContent);
    auto* messages = data.mutable_messages();
    for (const MessageRecord& record : found.value()) *messages->add_messages() = toProto(record);
    return HandlerResult::withData(std::move(data));
  }

  // With totals: every conversation that has messages in the range gets its total and up to
  // max_count of its messages (the documented offline-message recipe: unread counts plus the
  // latest messages of each conversation).
  auto totals = deps.store.messages().countByConversation(query);
  if (!totals.ok()) return HandlerResult::failure(totals.status());
  if (totals.value().empty()) return HandlerResult::failure(StatusCode::kNoContent);
  auto* list = data.mutable_messages_with_total_list();
  for (const auto& [from_id, total] : totals.value()) {
    auto* entry = list->add_messages_with_total_list();
    entry->set_total(
        static_cast<int32_t>(std::min<int64_t>(total, std::numeric_limits<int32_t>::max())));
    entry->set_is_group_message(query.are_group_messages);
    entry->set_from_id(from_id);
    if (max_count == 0) continue;
    MessageQuery conversation = query;
    if (query.are_group_messages) {
      conversation.group_ids = {from_id};
    } else {
      conversation.peer_ids = {from_id};
    }
    auto found = deps.store.messages().query(conversation);
    if (!found.ok()) return HandlerResult::failure(found.status());
    for (const MessageRecord& record : found.value()) *entry->add_messages() = toProto(record);
  }
  return HandlerResult::withData(std::move(data));
}

// --- UpdateMessageRequest -------------------------------------------------------------------

// For an edit or recall of a group message: the group must still exist.
std::optional<HandlerResult> checkGroupExists(ServiceDeps& deps, const MessageRecord& message,
                                              StatusCode missing) {
  if (!message.is_group_message) return std::nullopt;
  auto group = deps.store.groups().findById(message.target_id);
  if (!group.ok()) return HandlerResult::failure(group.status());
  if (!group.value() || group.value()->deletion_date) return HandlerResult::failure(missing);
  return std::nullopt;
}

HandlerResult recallMessage(ServiceDeps& deps, const RequestContext& ctx,
                            const TurmsRequest& request, const MessageRecord& message) {
  const int64_t now = deps.clock.nowMillis();
  // Only the sender recalls; system messages are the server's, not their nominal sender's.
  if (message.sender_id != ctx.user_id || message.is_system_message) {
    return HandlerResult::failure(StatusCode::kNotSenderToRecallMessage);
  }
  if (now - message.delivery_date > int64_t{deps.message.recall_window_seconds} * 1000) {
    return HandlerResult::failure(StatusCode::kMessageRecallTimeout);
  }
  if (auto missing =
          checkGroupExists(deps, message, StatusCode::kRecallMessageOfNonexistentGroup)) {
    return *missing;
  }
  // Read before anything is written, as for a new message: a recall stored but pushed to nobody
  // would stay unseen by connected clients until they pull.
  Result<RelayPush> audience = audienceOf(deps, message, ctx.user_id);
  if (!audience.ok()) return HandlerResult::failure(audience.status());

  // The system message that tells clients which message was recalled. It is stored like any
  // message (sent by the recalling sender) so that offline users learn of the recall when they
  // pull, and it is stored before the recall itself: if the recall then fails, a retry recalls
  // again (clients treat a repeated notice as a no-op), whereas the other order could leave a
  // recalled message that nobody is ever told about.
  MessageRecord notice;
  notice.id = deps.ids.next();
  notice.is_group_message = message.is_group_message;
  notice.is_system_message = true;
  notice.sender_id = message.sender_id;
  notice.target_id = message.target_id;
  notice.delivery_date = now;
  notice.records = {std::string(1, kRecallMessageType), bigEndian(message.id)};
  if (deps.message.use_sequence_ids) {
    auto sequence_id = deps.sequence_ids.next(ConversationKey::of(notice));
    if (!sequence_id.ok()) {
      return writeFailure("taking a sequence id for a recall", ctx.user_id, message.id,
                          sequence_id.status());
    }
    notice.sequence_id = sequence_id.value();
  }
  if (const VoidResult stored = deps.store.messages().insert(notice); !stored.ok()) {
    return writeFailure("storing a recall notice", ctx.user_id, message.id, stored.status());
  }
  MessageUpdate recall;
  recall.recall_date = now;  // the server's time, as for delivery dates
  recall.modification_date = now;
  auto updated = deps.store.messages().update(message.id, recall);
  if (!updated.ok()) return writeFailure("recalling", ctx.user_id, message.id, updated.status());

  HandlerResult result = HandlerResult::ok();
  RelayPush update_push = *audience;
  TurmsRequest relayed_update = request;
  relayed_update.mutable_update_message_request()->set_recall_date(now);
  update_push.request = std::move(relayed_update);
  result.pushes.push_back(std::move(update_push));

  RelayPush notice_push = std::move(*audience);
  TurmsRequest relayed_notice;
  relayed_notice.set_request_id(request.request_id());
  auto* create = relayed_notice.mutable_create_message_request();
  create->set_message_id(notice.id);
  create->set_is_system_message(true);
  if (notice.is_group_message) {
    create->set_group_id(notice.target_id);
  } else {
    create->set_recipient_id(notice.target_id);
  }
  create->set_delivery_date(notice.delivery_date);
  for (const std::string& bytes : notice.records) create->add_records(bytes);
  notice_push.request = std::move(relayed_notice);
  if (notice.sequence_id > 0) notice_push.sequence_id = notice.sequence_id;
  result.pushes.push_back(std::move(notice_push));
  return result;
}

HandlerResult editMessage(ServiceDeps& deps, const RequestContext& ctx, const TurmsRequest& request,
                          const MessageRecord& message) {
  const auto& req = request.update_message_request();
  if (message.sender_id != ctx.user_id || message.is_system_message) {
    return HandlerResult::failure(StatusCode::kNotSenderToUpdateMessage);
  }
  if (auto invalid = validateContent(deps.message, req.text(), req.records())) return *invalid;
  if (auto missing =
          checkGroupExists(deps, message, StatusCode::kUpdateMessageOfNonexistentGroup)) {
    return *missing;
  }
  Result<RelayPush> push = audienceOf(deps, message, ctx.user_id);  // before the write, as above
  if (!push.ok()) return HandlerResult::failure(push.status());
  MessageUpdate update;
  if (req.has_text()) update.text = req.text();
  if (req.records_size() > 0) update.records.emplace(req.records().begin(), req.records().end());
  update.modification_date = deps.clock.nowMillis();
  auto updated = deps.store.messages().update(message.id, update);
  if (!updated.ok()) return writeFailure("editing", ctx.user_id, message.id, updated.status());

  HandlerResult result = HandlerResult::ok();
  result.pushes.push_back(std::move(*push));  // the client's own request, relayed as is
  return result;
}

HandlerResult updateMessage(ServiceDeps& deps, const RequestContext& ctx,
                            const TurmsRequest& request) {
  const auto& req = request.update_message_request();
  const bool recall = req.has_recall_date();
  const bool edit = req.has_text() || req.records_size() > 0;
  // Upstream answers an update that changes nothing with OK and changes nothing.
  if (!recall && !edit) return HandlerResult::ok();
  if (!recall && !deps.message.allow_edit) {
    return HandlerResult::failure(StatusCode::kUpdatingMessageBySenderIsDisabled);
  }
  auto found = deps.store.messages().findById(req.message_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  // A recalled message is gone: it can be neither recalled again nor edited.
  const bool exists = found.value().has_value() && !found.value()->recall_date;
  if (recall) {
    // A recall wins over any text or records sent along with it.
    if (!exists) return HandlerResult::failure(StatusCode::kRecallNonexistentMessage);
    return recallMessage(deps, ctx, request, *found.value());
  }
  // Upstream checks "is the requester the sender of this message", which is also false for a
  // message that does not exist.
  if (!exists) return HandlerResult::failure(StatusCode::kNotSenderToUpdateMessage);
  return editMessage(deps, ctx, request, *found.value());
}

}  // namespace

void registerMessageHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.addAsync(TurmsRequest::kCreateMessageRequest, &createMessage);
  domain.add(TurmsRequest::kQueryMessagesRequest, &queryMessages);
  domain.add(TurmsRequest::kUpdateMessageRequest, &updateMessage);
}

}  // namespace parley
