#pragma once
// Per-conversation message sequence ids: 1, 2, 3... strictly increasing, never reused, never
// going backwards, also across restarts. The embedded default persists counters in SQLite; the
// Redis implementation (HINCRBY) re-seeds a lost counter from MessageRepository::maxSequenceId.
#include <cstdint>
#include <functional>
#include <memory>

#include "core/result.h"
#include "store/message_repository.h"

namespace parley {

// A private conversation is the unordered user pair; a group conversation is the group.
struct ConversationKey {
  bool is_group = false;
  int64_t a = 0;  // group id, or the smaller user id
  int64_t b = 0;  // 0 for groups, or the larger user id

  static ConversationKey privateOf(int64_t user1, int64_t user2) {
    return user1 < user2 ? ConversationKey{false, user1, user2}
                         : ConversationKey{false, user2, user1};
  }
  static ConversationKey groupOf(int64_t group_id) { return {true, group_id, 0}; }
  static ConversationKey of(const MessageRecord& message) {
    return message.is_group_message ? groupOf(message.target_id)
                                    : privateOf(message.sender_id, message.target_id);
  }
  bool operator==(const ConversationKey&) const = default;
};

// For unordered containers keyed by conversation.
struct ConversationKeyHash {
  size_t operator()(const ConversationKey& key) const {
    const size_t h = std::hash<int64_t>{}(key.a) * 31 + std::hash<int64_t>{}(key.b);
    return key.is_group ? ~h : h;
  }
};

class SequenceIds {
 public:
  virtual ~SequenceIds() = default;
  // The next id of the conversation. Never handed out twice, even across crashes: durable before it
  // is returned (Redis), or committed no later than the message stored with it on the same
  // database (the embedded SQLite store, which thus saves an fsync per message).
  virtual Result<int64_t> next(const ConversationKey& key) = 0;
  // next() without holding the caller's thread where the implementation can: done gets next()'s
  // result on whichever thread it is ready on (the default calls it before returning).
  virtual void nextAsync(const ConversationKey& key, std::function<void(Result<int64_t>)> done) {
    done(next(key));
  }
  // Numbers message with its conversation's next id and stores it through messages: every
  // message a client sends. done gets the id once the message is stored, or why it was not (an id
  // taken for a message that then failed to store is skipped: clients tolerate gaps, not
  // duplicates). The default is nextAsync, then messages.insertAsync; the embedded store does
  // both in one write (SqliteSequenceIds).
  virtual void numberAndStoreAsync(MessageRecord message, MessageRepository& messages,
                                   std::function<void(Result<int64_t>)> done) {
    const ConversationKey key = ConversationKey::of(message);
    nextAsync(key, [&messages, message = std::move(message),
                    done = std::move(done)](Result<int64_t> id) mutable {
      if (!id.ok()) {
        done(id.status());
        return;
      }
      message.sequence_id = id.value();
      messages.insertAsync(message, [id = id.value(), done](VoidResult stored) {
        if (!stored.ok()) {
          done(stored.status());
        } else {
          done(id);
        }
      });
    });
  }
};

}  // namespace parley
