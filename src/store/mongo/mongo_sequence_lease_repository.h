#pragma once
// SequenceLeaseRepository in MongoDB: collection `sequence_lease`, one document per conversation
// ({_id: conversation key, b: bound}), raised with $inc (atomic per document on MongoDB) and
// acknowledged with the configured write concern before the range is handed out.
#include <array>
#include <mutex>
#include <vector>

#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_message_repository.h"
#include "store/mongo/mongo_schema.h"
#include "store/sequence_lease_repository.h"

namespace parley::mongo {

class MongoSequenceLeaseRepository final : public SequenceLeaseRepository {
 public:
  // Both must outlive this object.
  MongoSequenceLeaseRepository(const Connection& connection, MongoMessageRepository& messages)
      : connection_(connection), messages_(messages) {}

  static const std::vector<CollectionSpec>& collections();

  Result<SequenceLease> extend(const ConversationKey& key, int64_t count) override;
  Result<int64_t> bound(const ConversationKey& key) override;

 private:
  const Connection& connection_;
  MongoMessageRepository& messages_;
  // Calls for one conversation take turns within this process: FerretDB v1 (the test server)
  // does not apply $inc atomically, and one node must still be correct on it. Across nodes the
  // Redis counter lets one caller at a time extend a conversation's lease.
  std::array<std::mutex, 64> stripes_;
};

}  // namespace parley::mongo
