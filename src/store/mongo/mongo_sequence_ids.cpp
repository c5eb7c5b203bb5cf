#include "store/mongo/mongo_sequence_ids.h"

#include <algorithm>
#include <functional>
#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kSequenceIds = "sequence_id";
constexpr const char* kValue = "v";  // the last id handed out

// Seeding and incrementing race only with other callers doing the same; each round either
// increments an existing counter or creates it, so two rounds always suffice. The bound only
// guards against a counter deleted under us again and again.
constexpr int kMaxRounds = 5;

}  // namespace

// The _id is the conversation key (conversationKey()), so next() is one _id lookup. Shard key
// {_id: hashed}: conversations spread evenly and every next() is targeted.
const std::vector<CollectionSpec>& MongoSequenceIds::collections() {
  static const std::vector<CollectionSpec> specs{
      {kSequenceIds, {}, R"({"_id": "hashed"})"},
  };
  return specs;
}

Result<int64_t> MongoSequenceIds::next(const ConversationKey& key) {
  // A hand-built key may have its users in either order; conversationKey() normalizes it.
  const std::string id = conversationKey(key.is_group, key.a, key.b);
  BsonPtr filter(BCON_NEW("_id", BCON_UTF8(id.c_str())));
  BsonPtr increment(BCON_NEW("$inc", "{", kValue, BCON_INT64(1), "}"));
  std::lock_guard turn(stripes_[std::hash<std::string>{}(id) % stripes_.size()]);
  for (int round = 0; round < kMaxRounds; ++round) {
    {
      auto client = connection_.client();
      CollectionPtr counters = client.collection(kSequenceIds);
      // No upsert here: a missing counter must first be seeded from the messages.
      Result<std::optional<BsonPtr>> incremented =
          findAndModify(connection_, counters.get(), filter.get(), increment.get(),
                        /*upsert=*/false, /*return_new=*/true, "next sequence id");
      if (!incremented.ok()) return incremented.status();
      if (incremented.value()) {
        const std::optional<int64_t> value = int64At(incremented.value()->get(), kValue);
        if (!value) {
          return error(StatusCode::kServerInternalError,
                       "sequence counter " + id + " is malformed");
        }
        return *value;
      }
    }
    // The counter does not exist (a new conversation, or the counters were lost): seed it with
    // the highest sequence id stored in the conversation's messages. $max never lowers a value
    // another caller has meanwhile seeded or incremented, so ids never go backwards.
    const int64_t a = key.is_group ? key.a : std::min(key.a, key.b);
    const int64_t b = key.is_group ? 0 : std::max(key.a, key.b);
    const Result<int64_t> floor = messages_.maxSequenceId(key.is_group, a, b);
    if (!floor.ok()) return floor.status();
    BsonPtr seed(BCON_NEW("$max", "{", kValue, BCON_INT64(floor.value()), "}"));
    const Result<UpdateOutcome> seeded = updateOne(connection_, kSequenceIds, filter.get(),
                                                   seed.get(), /*upsert=*/true, "seed sequence id");
    // A duplicate key means a concurrent upsert created the counter first: increment that one.
    if (!seeded.ok() && seeded.status().code != StatusCode::kRecordContainsDuplicateKey) {
      return seeded.status();
    }
  }
  return error(StatusCode::kServerInternalError, "sequence counter " + id + " keeps vanishing");
}

}  // namespace parley::mongo
