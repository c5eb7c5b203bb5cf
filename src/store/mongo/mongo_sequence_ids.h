#pragma once
// SequenceIds kept in MongoDB, in the `sequence_id` collection: one counter document per
// conversation, re-seeded from the stored messages when it is missing, so ids never go backwards
// even if the counters were lost (spec and shard key in the .cpp).
#include <array>
#include <mutex>
#include <vector>

#include "online/sequence_ids.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_message_repository.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoSequenceIds final : public SequenceIds {
 public:
  // Both must outlive this object.
  MongoSequenceIds(const Connection& connection, MongoMessageRepository& messages)
      : connection_(connection), messages_(messages) {}

  static const std::vector<CollectionSpec>& collections();

  // One atomic findAndModify ($inc), acknowledged with the configured write concern before the
  // value is returned.
  Result<int64_t> next(const ConversationKey& key) override;

 private:
  const Connection& connection_;
  MongoMessageRepository& messages_;
  // Calls for one conversation take turns within this process. MongoDB applies $inc atomically
  // per document, which is what keeps ids unique across nodes; FerretDB v1 (the test server)
  // does not (concurrent findAndModify $inc lose updates), and one node must still be correct
  // on it. Per node and conversation this costs one round trip of latency per id, far below
  // any conversation's message rate.
  std::array<std::mutex, 64> stripes_;
};

}  // namespace parley::mongo
