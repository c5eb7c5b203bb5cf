#pragma once
// Messages of the business store (Turms' `message` collection). A group message is stored once.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

struct MessageRecord {
  int64_t id = 0;  // Snowflake id, unique across nodes
  bool is_group_message = false;
  bool is_system_message = false;
  int64_t sender_id = 0;
  int64_t target_id = 0;  // recipient user id, or group id for group messages
  int64_t delivery_date = 0;
  std::optional<int64_t> modification_date;
  std::optional<int64_t> recall_date;  // set = recalled (hidden from queries by default)
  std::string text;
  std::vector<std::string> records;  // opaque binary attachments
  std::optional<int32_t> burn_after;
  std::optional<int64_t> pre_message_id;
  std::optional<int64_t> reference_id;  // the original message when this one is a forward
  int64_t sequence_id = 0;              // 0 = none; otherwise 1, 2, 3... per conversation

  // Field by field: a retried insert must match the stored message exactly.
  bool operator==(const MessageRecord&) const = default;
};

// A QueryMessagesRequest after authorization. Private messages: those addressed to
// `recipient_id` (sent by one of `peer_ids` when not empty). Group messages: those of
// `group_ids`. Every query is bounded by max_count and served by an index.
struct MessageQuery {
  bool are_group_messages = false;
  std::optional<bool> are_system_messages;
  int64_t recipient_id = 0;        // private only
  std::vector<int64_t> peer_ids;   // private: senders to include (empty = any)
  std::vector<int64_t> group_ids;  // group: groups to include (never empty for group queries)
  std::vector<int64_t> ids;        // when not empty, only these message ids
  std::optional<int64_t> delivery_date_start;  // inclusive
  std::optional<int64_t> delivery_date_end;    // exclusive
  int max_count = 100;
  bool descending = false;  // by delivery_date, then id
  bool include_recalled = false;
};

// Fields an edit or recall changes; unset ones stay as they are.
struct MessageUpdate {
  std::optional<std::string> text;
  std::optional<std::vector<std::string>> records;
  std::optional<int64_t> recall_date;
  int64_t modification_date = 0;
};

class MessageRepository {
 public:
  virtual ~MessageRepository() = default;

  // Durable when it returns OK. Inserting the same id twice with the same content is OK (a
  // retried write), so callers can retry safely.
  virtual VoidResult insert(const MessageRecord& message) = 0;
  // insert() for a caller that should not hold its thread while the write becomes durable: done
  // gets insert()'s result, on whichever thread the store finishes on. Stores without
  // asynchronous writes call done before returning.
  virtual void insertAsync(const MessageRecord& message, std::function<void(VoidResult)> done) {
    done(insert(message));
  }
  virtual Result<int64_t> insertMany(std::span<const MessageRecord> messages) = 0;
  virtual Result<std::optional<MessageRecord>> findById(int64_t id) = 0;
  virtual Result<std::vector<MessageRecord>> query(const MessageQuery& query) = 0;
  // Per conversation counts for with_total: same filters as query(), ignoring max_count.
  // Private: keyed by sender id; group: keyed by group id.
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> countByConversation(
      const MessageQuery& query) = 0;
  // false when no such message.
  virtual Result<bool> update(int64_t id, const MessageUpdate& update) = 0;
  // The highest sequence id stored for a conversation (0 when none): the durable floor a
  // sequence counter is re-seeded from when it was lost.
  virtual Result<int64_t> maxSequenceId(bool is_group, int64_t a, int64_t b) = 0;
};

}  // namespace parley
