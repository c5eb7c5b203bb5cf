#include "store/mongo/mongo_sequence_lease_repository.h"

#include <algorithm>
#include <functional>
#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kSequenceLeases = "sequence_lease";
constexpr const char* kBound = "b";

// Creating and raising race only with other callers doing the same; each round either raises an
// existing bound or creates it, so two rounds suffice. The bound guards against a document
// deleted under us again and again.
constexpr int kMaxRounds = 5;

}  // namespace

// The _id is the conversation key (conversationKey()); shard key {_id: hashed}: conversations
// spread evenly and every extend() is targeted.
const std::vector<CollectionSpec>& MongoSequenceLeaseRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kSequenceLeases, {}, R"({"_id": "hashed"})"},
  };
  return specs;
}

Result<int64_t> MongoSequenceLeaseRepository::bound(const ConversationKey& key) {
  const std::string id = conversationKey(key.is_group, key.a, key.b);
  BsonPtr filter(BCON_NEW("_id", BCON_UTF8(id.c_str())));
  auto client = connection_.client();
  CollectionPtr leases = client.collection(kSequenceLeases);
  Result<std::optional<BsonPtr>> found = findOne(leases.get(), filter.get(), "read sequence lease");
  if (!found.ok()) return found.status();
  if (!found.value()) return 0;
  return int64At(found.value()->get(), kBound).value_or(0);
}

Result<SequenceLease> MongoSequenceLeaseRepository::extend(const ConversationKey& key,
                                                           int64_t count) {
  if (count <= 0) return error(StatusCode::kIllegalArgument, "a lease covers at least one id");
  const std::string id = conversationKey(key.is_group, key.a, key.b);
  BsonPtr filter(BCON_NEW("_id", BCON_UTF8(id.c_str())));
  BsonPtr raise(BCON_NEW("$inc", "{", kBound, BCON_INT64(count), "}"));
  std::lock_guard turn(stripes_[std::hash<std::string>{}(id) % stripes_.size()]);
  for (int round = 0; round < kMaxRounds; ++round) {
    {
      auto client = connection_.client();
      CollectionPtr leases = client.collection(kSequenceLeases);
      // No upsert: a conversation's first bound starts from its stored messages.
      Result<std::optional<BsonPtr>> raised =
          findAndModify(connection_, leases.get(), filter.get(), raise.get(), /*upsert=*/false,
                        /*return_new=*/true, "extend sequence lease");
      if (!raised.ok()) return raised.status();
      if (raised.value()) {
        const std::optional<int64_t> bound = int64At(raised.value()->get(), kBound);
        if (!bound) {
          return error(StatusCode::kServerInternalError, "sequence lease " + id + " is malformed");
        }
        return SequenceLease{*bound - count, *bound};
      }
    }
    const int64_t a = key.is_group ? key.a : std::min(key.a, key.b);
    const int64_t b = key.is_group ? 0 : std::max(key.a, key.b);
    const Result<int64_t> stored = messages_.maxSequenceId(key.is_group, a, b);
    if (!stored.ok()) return stored.status();
    BsonPtr create(BCON_NEW("$setOnInsert", "{", kBound, BCON_INT64(stored.value() + count), "}"));
    const Result<UpdateOutcome> created =
        updateOne(connection_, kSequenceLeases, filter.get(), create.get(), /*upsert=*/true,
                  "create sequence lease");
    if (created.ok() && created->upserted == 1) {
      return SequenceLease{stored.value(), stored.value() + count};
    }
    // It exists now (another caller created it first): raise that one.
    if (!created.ok() && created.status().code != StatusCode::kRecordContainsDuplicateKey) {
      return created.status();
    }
  }
  return error(StatusCode::kServerInternalError, "sequence lease " + id + " keeps vanishing");
}

}  // namespace parley::mongo
