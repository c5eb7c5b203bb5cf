#include "chaos/message_check.h"

#include <algorithm>
#include <set>
#include <thread>

#include "chaos/sequence_order.h"
#include "turms/constants.pb.h"

namespace parley::chaos {
namespace {

namespace pb = im::turms::proto;
using namespace std::chrono_literals;

constexpr size_t kMaxExamples = 8;
constexpr int kDevicesNamed = 4;  // per example of a missed push
constexpr int kPageSize = 1000;   // the server's maximum max_count
constexpr int kMaxPages = 100;

void addExample(MessageCounts& counts, std::string example) {
  if (counts.examples.size() < kMaxExamples) counts.examples.push_back(std::move(example));
}

std::string relative(TimePoint at, TimePoint fault_at) {
  const double seconds = std::chrono::duration<double>(at - fault_at).count();
  char text[32];
  std::snprintf(text, sizeof text, "fault%+.2fs", seconds);
  return text;
}

std::string describeSend(const SendRecord& send, TimePoint fault_at) {
  std::string text = "message " + std::to_string(send.message_id) + " (" +
                     std::to_string(send.sender) + (send.group ? " -> group " : " -> ") +
                     std::to_string(send.target) + ", sent " + relative(send.sent, fault_at);
  if (send.answered) text += ", acked " + relative(*send.answered, fault_at);
  return text + ")";
}

// Every message `device` can query from from_ids delivered since start_unix_ms, page by page; the
// query is retried until `limit` (a store may still be coming back). nullopt when it kept failing.
std::optional<std::vector<pb::Message>> queryAll(DeviceSession& device, bool group,
                                                 const std::vector<int64_t>& from_ids,
                                                 int64_t start_unix_ms,
                                                 std::chrono::milliseconds request_timeout,
                                                 std::chrono::seconds limit, std::string* failure) {
  const auto deadline = Clock::now() + limit;
  std::vector<pb::Message> all;
  int64_t cursor = start_unix_ms;
  // The previous page's messages delivered at the cursor come again on the next page.
  std::set<int64_t> at_cursor;
  for (int page = 0; page < kMaxPages;) {
    pb::TurmsRequest request;
    auto* query = request.mutable_query_messages_request();
    query->set_are_group_messages(group);
    for (const int64_t id : from_ids) query->add_from_ids(id);
    query->set_delivery_date_start(cursor);
    query->set_max_count(kPageSize);
    query->set_descending(false);
    const auto response = device.request(request, request_timeout);
    if (!response || (response->code() != 1000 && response->code() != 1001)) {
      *failure =
          response
              ? "answered " + std::to_string(response->code()) + " " + response->reason()
              : std::string("no answer (device connected: ") + (device.isOpen() ? "yes)" : "no)");
      if (Clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(500ms);
      continue;
    }
    ++page;
    if (response->code() == 1001) break;
    const auto& messages = response->data().messages().messages();
    std::set<int64_t> next_at_cursor;
    const int64_t last_date = messages.empty() ? cursor : messages.rbegin()->delivery_date();
    for (const pb::Message& message : messages) {
      if (message.delivery_date() == cursor && at_cursor.count(message.id()) > 0) continue;
      all.push_back(message);
      if (message.delivery_date() == last_date) next_at_cursor.insert(message.id());
    }
    if (messages.size() < kPageSize) break;
    if (last_date != cursor) at_cursor.clear();
    at_cursor.insert(next_at_cursor.begin(), next_at_cursor.end());
    cursor = last_date;
  }
  return all;
}

}  // namespace

void MessageChecker::checkPushes(int trial, TimePoint trial_start, TimePoint fault_at,
                                 std::chrono::milliseconds limit, MessageCounts& counts) {
  std::vector<SendRecord> acknowledged;
  for (SendRecord& send : ledger_.sendsOfTrial(trial)) {
    if (send.acknowledged()) acknowledged.push_back(std::move(send));
  }
  std::vector<int64_t> ids;
  for (const SendRecord& send : acknowledged) ids.push_back(send.message_id);
  const auto push_wait = std::chrono::milliseconds(options_.push_wait_millis);
  const auto deadline = Clock::now() + limit;
  for (;;) {
    // A device closed before the trial started cannot be owed a push of it.
    const std::vector<EpochRecord> epochs = ledger_.epochsSince(trial_start);
    const auto pushes = ledger_.pushesOf(ids);
    int64_t missing = 0;
    int64_t duplicates = 0;
    std::vector<std::string> examples;
    for (const SendRecord& send : acknowledged) {
      std::vector<int64_t> recipients{send.sender};
      if (send.group) {
        for (const ChaosGroup& group : traffic_.groups()) {
          if (group.id == send.target) recipients = group.members;
        }
      } else {
        recipients.push_back(send.target);
      }
      const auto found = pushes.find(send.message_id);
      std::string missed_devices;
      int missed_here = 0;
      for (const EpochRecord& epoch : epochs) {
        if (epoch.id == send.sender_epoch || epoch.logged_in >= send.sent ||
            std::find(recipients.begin(), recipients.end(), epoch.user) == recipients.end()) {
          continue;
        }
        int received = 0;
        if (found != pushes.end()) {
          for (const PushRecord& push : found->second) received += push.epoch == epoch.id;
        }
        if (received > 1) ++duplicates;
        // Expected while the device stayed connected from before the send until push_wait after
        // the acknowledgement.
        if (received > 0 || (epoch.closed && *epoch.closed <= *send.answered + push_wait)) {
          continue;
        }
        ++missing;
        if (++missed_here <= kDevicesNamed) {
          missed_devices += (missed_devices.empty() ? "" : ", ") + std::to_string(epoch.user) +
                            " " + pb::DeviceType_Name(static_cast<pb::DeviceType>(epoch.device)) +
                            " on " + epoch.node_id;
        }
      }
      if (missed_here > kDevicesNamed) {
        missed_devices += " and " + std::to_string(missed_here - kDevicesNamed) + " more";
      }
      if (missed_here > 0 && examples.size() < kMaxExamples) {
        examples.push_back(describeSend(send, fault_at) + " not pushed to " + missed_devices);
      }
    }
    if (missing == 0 || Clock::now() >= deadline) {
      counts.pushes_missed += missing;
      counts.duplicate_pushes += duplicates;
      for (auto& example : examples) addExample(counts, std::move(example));
      return;
    }
    std::this_thread::sleep_for(100ms);
  }
}

void MessageChecker::checkStored(int trial, int64_t trial_start_unix_ms, TimePoint fault_at,
                                 MessageCounts& counts) {
  const std::vector<SendRecord> sends = ledger_.sendsOfTrial(trial);
  std::map<int64_t, std::set<int64_t>> senders_to;  // recipient → senders, private messages
  std::set<int64_t> groups_used;
  for (const SendRecord& send : sends) {
    ++counts.sent;
    if (send.acknowledged()) {
      ++counts.acknowledged;
      counts.ack_millis.push_back(
          std::chrono::duration<double, std::milli>(*send.answered - send.sent).count());
    } else if (send.answered) {
      ++counts.refused;
    } else {
      ++counts.unanswered;
    }
    if (send.group) {
      groups_used.insert(send.target);
    } else {
      senders_to[send.target].insert(send.sender);
    }
  }

  // Everything stored that the recipients can see, and which queries failed.
  const auto request_timeout = std::chrono::milliseconds(options_.request_timeout_millis);
  const auto limit = std::chrono::seconds(options_.heal_deadline_seconds);
  std::vector<pb::Message> stored;
  std::set<int64_t> unverified_recipients;  // users, or group ids
  // Leaves a margin for the clock of the node that stamped the delivery date.
  const int64_t since = trial_start_unix_ms - 2000;
  for (const auto& [recipient, senders] : senders_to) {
    std::string failure;
    const auto found =
        queryAll(traffic_.firstDevice(recipient), false, {senders.begin(), senders.end()}, since,
                 request_timeout, limit, &failure);
    if (!found) {
      unverified_recipients.insert(recipient);
      addExample(counts, "querying the messages to user " + std::to_string(recipient) +
                             " kept failing: " + failure);
      continue;
    }
    stored.insert(stored.end(), found->begin(), found->end());
  }
  for (const int64_t group_id : groups_used) {
    int64_t owner = 0;
    for (const ChaosGroup& group : traffic_.groups()) {
      if (group.id == group_id) owner = group.owner;
    }
    std::string failure;
    const auto found = queryAll(traffic_.firstDevice(owner), true, {group_id}, since,
                                request_timeout, limit, &failure);
    if (!found) {
      unverified_recipients.insert(group_id);
      addExample(counts, "querying the messages of group " + std::to_string(group_id) +
                             " kept failing: " + failure);
      continue;
    }
    stored.insert(stored.end(), found->begin(), found->end());
  }

  std::unordered_map<int64_t, const pb::Message*> by_id;
  std::unordered_map<std::string, std::set<int64_t>> ids_by_text;
  for (const pb::Message& message : stored) {
    if (!by_id.emplace(message.id(), &message).second) {
      ++counts.duplicated;
      addExample(counts, "message " + std::to_string(message.id()) + " returned twice");
      continue;
    }
    ids_by_text[message.text()].insert(message.id());
    const ConversationKey key =
        message.has_group_id()
            ? ConversationKey{true, message.group_id(), 0}
            : ConversationKey{false, std::min(message.sender_id(), message.recipient_id()),
                              std::max(message.sender_id(), message.recipient_id())};
    if (!message.has_sequence_id() || message.sequence_id() <= 0) {
      ++counts.sequence_mismatches;
      addExample(counts,
                 "message " + std::to_string(message.id()) + " stored without a sequence id");
      continue;
    }
    auto& owner = conversations_[key].message_of_sequence[message.sequence_id()];
    if (owner == 0) {
      owner = message.id();
    } else if (owner != message.id()) {
      ++counts.duplicated;
      addExample(counts, "messages " + std::to_string(owner) + " and " +
                             std::to_string(message.id()) + " share sequence id " +
                             std::to_string(message.sequence_id()));
    }
  }
  for (const auto& [text, ids] : ids_by_text) {
    if (ids.size() > 1 && text.rfind("chaos ", 0) == 0) {
      counts.duplicated += static_cast<int64_t>(ids.size()) - 1;
      addExample(counts, "\"" + text + "\" stored " + std::to_string(ids.size()) + " times");
    }
  }

  // Acknowledged messages: stored as sent, sequence ids as pushed, in order.
  std::vector<int64_t> acknowledged_ids;
  for (const SendRecord& send : sends) {
    if (send.acknowledged()) acknowledged_ids.push_back(send.message_id);
  }
  const auto pushes = ledger_.pushesOf(acknowledged_ids);
  struct Numbered {
    TimePoint sent;
    TimePoint answered;
    int64_t sequence_id;
    const SendRecord* send;
  };
  std::map<ConversationKey, std::vector<Numbered>> numbered;
  for (const SendRecord& send : sends) {
    if (!send.acknowledged()) {
      if (ids_by_text.count(send.text) > 0) ++counts.stored_unacknowledged;
      continue;
    }
    const auto found = by_id.find(send.message_id);
    int64_t sequence_id = -1;
    if (found == by_id.end()) {
      const int64_t recipient = send.target;
      if (unverified_recipients.count(recipient) > 0) {
        ++counts.unverified;
      } else {
        ++counts.lost;
        addExample(counts, describeSend(send, fault_at) + " acknowledged but not stored");
      }
    } else {
      const pb::Message& message = *found->second;
      const bool same =
          message.text() == send.text && message.sender_id() == send.sender &&
          (send.group ? message.group_id() == send.target : message.recipient_id() == send.target);
      if (!same) {
        ++counts.lost;
        addExample(counts, describeSend(send, fault_at) + " stored differently: \"" +
                               message.text() + "\"");
      }
      sequence_id = message.sequence_id();
    }
    if (const auto pushed = pushes.find(send.message_id); pushed != pushes.end()) {
      bool mismatch = false;
      for (const PushRecord& push : pushed->second) {
        if (sequence_id < 0 && push.sequence_id > 0) sequence_id = push.sequence_id;
        mismatch = mismatch || push.sequence_id != sequence_id;
      }
      if (mismatch && found != by_id.end()) {
        ++counts.sequence_mismatches;
        addExample(counts, describeSend(send, fault_at) + " stored with sequence id " +
                               std::to_string(sequence_id) + ", pushed with another");
      }
    }
    if (sequence_id <= 0) continue;
    const ConversationKey key = send.group
                                    ? ConversationKey{true, send.target, 0}
                                    : ConversationKey{false, std::min(send.sender, send.target),
                                                      std::max(send.sender, send.target)};
    numbered[key].push_back(Numbered{send.sent, *send.answered, sequence_id, &send});
  }

  // A message sent after another's acknowledgement must get a larger sequence id.
  for (const auto& [key, messages] : numbered) {
    Conversation& conversation = conversations_[key];
    std::vector<NumberedMessage> ordered;
    for (const Numbered& message : messages) {
      ordered.push_back(NumberedMessage{message.sent, message.answered, message.sequence_id});
    }
    for (const SequenceRegression& regression :
         findSequenceRegressions(ordered, conversation.max_acknowledged_sequence)) {
      ++counts.regressions;
      const Numbered& message = messages[regression.message];
      addExample(counts,
                 describeSend(*message.send, fault_at) + " got sequence id " +
                     std::to_string(message.sequence_id) + " after " +
                     (regression.holder ? describeSend(*messages[*regression.holder].send, fault_at)
                                        : std::string("an earlier trial's acknowledged message")) +
                     " had " + std::to_string(regression.highest_before));
    }
    for (const Numbered& message : messages) {
      conversation.max_acknowledged_sequence =
          std::max(conversation.max_acknowledged_sequence, message.sequence_id);
    }
  }
}

}  // namespace parley::chaos
