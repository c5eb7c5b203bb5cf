#pragma once
// MessageRepository on MongoDB, over the `message` collection (its spec and shard key are in the
// .cpp, next to the queries).
#include <string>
#include <vector>

#include "store/message_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

// The normalized conversation key stored with every message (field `ck`) and used as the _id of
// its sequence counter: "g:<group id>" or "p:<smaller user id>:<larger user id>".
std::string conversationKey(bool is_group, int64_t a, int64_t b);

class MongoMessageRepository final : public MessageRepository {
 public:
  // connection must outlive the repository.
  explicit MongoMessageRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  // Idempotent: an existing message with the same id and the same content is a retried write
  // and OK; with other content it is kRecordContainsDuplicateKey.
  VoidResult insert(const MessageRecord& message) override;
  // Unlike SQLite this is not all-or-nothing (no transactions): messages before a conflicting
  // one may stay inserted. Each is idempotent, so retrying the whole batch is safe.
  Result<int64_t> insertMany(std::span<const MessageRecord> messages) override;
  Result<std::optional<MessageRecord>> findById(int64_t id) override;
  Result<std::vector<MessageRecord>> query(const MessageQuery& query) override;
  Result<std::vector<std::pair<int64_t, int64_t>>> countByConversation(
      const MessageQuery& query) override;
  Result<bool> update(int64_t id, const MessageUpdate& update) override;
  Result<int64_t> maxSequenceId(bool is_group, int64_t a, int64_t b) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
