#include "store/mongo/mongo_relationship_repository.h"

#include <string>
#include <utility>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kRelationships = "userRelationship";

// Upstream's short names (turms-service's domain/user/po/UserRelationship.java): bd = block date,
// ed = establishment date, n = name. gidx is ours: upstream keeps relationship-group membership in
// a collection of its own, Parley on the relationship (RelationshipRecord::group_index).
constexpr const char* kBlockDate = "bd";
constexpr const char* kGroupIndex = "gidx";
constexpr const char* kEstablishmentDate = "ed";
constexpr const char* kName = "n";

// The key is upstream's {oid, rid}; the field order is fixed because _id equality compares whole
// documents.
void appendKey(bson_t* doc, const char* key, int64_t owner_id, int64_t related_user_id) {
  bson_t id;
  bson_append_document_begin(doc, key, -1, &id);
  BSON_APPEND_INT64(&id, "oid", owner_id);
  BSON_APPEND_INT64(&id, "rid", related_user_id);
  bson_append_document_end(doc, &id);
}

BsonPtr keyFilter(int64_t owner_id, int64_t related_user_id) {
  BsonPtr filter(bson_new());
  appendKey(filter.get(), "_id", owner_id, related_user_id);
  return filter;
}

BsonPtr relationshipDocument(const RelationshipRecord& relationship) {
  BsonPtr doc(bson_new());
  appendKey(doc.get(), "_id", relationship.owner_id, relationship.related_user_id);
  // Absent rather than null when not blocked, so a replacement without a block unblocks.
  appendOptionalDate(doc.get(), kBlockDate, relationship.block_date);
  BSON_APPEND_INT32(doc.get(), kGroupIndex, relationship.group_index);
  appendDate(doc.get(), kEstablishmentDate, relationship.establishment_date);
  appendString(doc.get(), kName, relationship.name);
  return doc;
}

Result<RelationshipRecord> readRelationship(const bson_t* doc) {
  const std::optional<int64_t> owner_id = int64At(doc, "_id.oid");
  const std::optional<int64_t> related_user_id = int64At(doc, "_id.rid");
  DocReader reader(
      doc, "relationship " + (owner_id ? std::to_string(*owner_id) : std::string("?")) + " -> " +
               (related_user_id ? std::to_string(*related_user_id) : std::string("?")));
  RelationshipRecord relationship;
  relationship.owner_id = reader.int64("_id.oid");
  relationship.related_user_id = reader.int64("_id.rid");
  relationship.block_date = reader.optionalDate(kBlockDate);
  relationship.group_index = reader.int32(kGroupIndex);
  relationship.establishment_date = reader.date(kEstablishmentDate);
  relationship.name = reader.string(kName);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return relationship;
}

void appendGroupIndexes(bson_t* doc, const std::vector<int32_t>& group_indexes) {
  bson_t condition;
  bson_t in;
  BSON_APPEND_DOCUMENT_BEGIN(doc, kGroupIndex, &condition);
  BSON_APPEND_ARRAY_BEGIN(&condition, "$in", &in);
  uint32_t i = 0;
  for (const int32_t index : group_indexes) {
    bson_append_int32(&in, arrayKey(i++).c_str(), -1, index);
  }
  bson_append_array_end(&condition, &in);
  bson_append_document_end(doc, &condition);
}

// bd present (blocked) or absent (not blocked); `$ne: null` keeps the by_owner_block index's
// bounds tight.
void appendBlocked(bson_t* doc, bool blocked) {
  if (blocked) {
    bson_t condition;
    BSON_APPEND_DOCUMENT_BEGIN(doc, kBlockDate, &condition);
    BSON_APPEND_NULL(&condition, "$ne");
    bson_append_document_end(doc, &condition);
  } else {
    BSON_APPEND_NULL(doc, kBlockDate);
  }
}

}  // namespace

// One document per one-sided relationship, keyed {oid, rid} as upstream. Every query names the
// owner: by_owner serves the owner's contacts (optionally some related users, ordered by them)
// and by_owner_block the owner's blocks, however many contacts the owner has. find and isBlocked
// are _id lookups. Shard key {_id.oid: hashed}, upstream's: an owner's relationships live on one
// shard, so every query is targeted, and hashing spreads the owners.
const std::vector<CollectionSpec>& MongoRelationshipRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kRelationships,
       {{"by_owner", R"({"_id.oid": 1, "_id.rid": 1})"},
        {"by_owner_block", R"({"_id.oid": 1, "bd": 1})"}},
       R"({"_id.oid": "hashed"})"},
  };
  return specs;
}

VoidResult MongoRelationshipRepository::insert(const RelationshipRecord& relationship) {
  BsonPtr doc = relationshipDocument(relationship);
  BsonPtr opts = writeOptions(connection_);
  auto client = connection_.client();
  CollectionPtr relationships = client.collection(kRelationships);
  bson_error_t error;
  if (!mongoc_collection_insert_one(relationships.get(), doc.get(), opts.get(), nullptr, &error)) {
    // The pair is the natural key, so an existing one is a real conflict the caller reports
    // (kCreateExistingRelationship), not a retry to absorb.
    if (isDuplicateKeyError(error)) {
      return parley::error(StatusCode::kRecordContainsDuplicateKey,
                           "relationship " + std::to_string(relationship.owner_id) + " -> " +
                               std::to_string(relationship.related_user_id) + " exists");
    }
    return toStatus(error, "insert relationship");
  }
  return {};
}

VoidResult MongoRelationshipRepository::upsert(const RelationshipRecord& relationship) {
  BsonPtr filter = keyFilter(relationship.owner_id, relationship.related_user_id);
  BsonPtr doc = relationshipDocument(relationship);
  BsonPtr opts = writeOptions(connection_);
  BSON_APPEND_BOOL(opts.get(), "upsert", true);
  auto client = connection_.client();
  CollectionPtr relationships = client.collection(kRelationships);
  bson_error_t error;
  // A replacement, not a $set: every field, including an absent block date, is the record's.
  if (!mongoc_collection_replace_one(relationships.get(), filter.get(), doc.get(), opts.get(),
                                     nullptr, &error)) {
    return toStatus(error, "upsert relationship");
  }
  return {};
}

Result<int64_t> MongoRelationshipRepository::insertMany(
    std::span<const RelationshipRecord> relationships) {
  if (relationships.empty()) return int64_t{0};
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kRelationships);
  // Unordered: an existing pair fails alone with a duplicate key and the rest go on.
  Result<BulkOutcome> outcome =
      bulkWrite(connection_, collection.get(), /*ordered=*/false, "insert relationships",
                [&](mongoc_bulk_operation_t* bulk, bson_error_t* error) {
                  for (const RelationshipRecord& relationship : relationships) {
                    BsonPtr doc = relationshipDocument(relationship);
                    if (!mongoc_bulk_operation_insert_with_opts(bulk, doc.get(), nullptr, error)) {
                      return false;
                    }
                  }
                  return true;
                });
  if (!outcome.ok()) return outcome.status();
  return outcome->inserted;
}

Result<bool> MongoRelationshipRepository::remove(int64_t owner_id, int64_t related_user_id) {
  BsonPtr filter = keyFilter(owner_id, related_user_id);
  Result<int64_t> deleted =
      deleteMany(connection_, kRelationships, filter.get(), "remove relationship");
  if (!deleted.ok()) return deleted.status();
  return deleted.value() > 0;
}

Result<std::optional<RelationshipRecord>> MongoRelationshipRepository::find(
    int64_t owner_id, int64_t related_user_id) {
  BsonPtr filter = keyFilter(owner_id, related_user_id);
  auto client = connection_.client();
  CollectionPtr relationships = client.collection(kRelationships);
  Result<std::optional<BsonPtr>> found =
      findOne(relationships.get(), filter.get(), "find relationship");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<RelationshipRecord>();
  Result<RelationshipRecord> relationship = readRelationship(found.value()->get());
  if (!relationship.ok()) return relationship.status();
  return std::optional<RelationshipRecord>(std::move(relationship).value());
}

Result<std::vector<RelationshipRecord>> MongoRelationshipRepository::query(
    const RelationshipFilter& filter) {
  BsonPtr query(BCON_NEW("_id.oid", BCON_INT64(filter.owner_id)));
  if (!filter.related_user_ids.empty()) {
    appendAnyOf(query.get(), "_id.rid", filter.related_user_ids);
  }
  if (filter.blocked) appendBlocked(query.get(), *filter.blocked);
  if (!filter.group_indexes.empty()) appendGroupIndexes(query.get(), filter.group_indexes);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.rid", BCON_INT32(1), "}"));

  auto client = connection_.client();
  CollectionPtr relationships = client.collection(kRelationships);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(relationships.get(), query.get(), opts.get(), nullptr));
  std::vector<RelationshipRecord> found;
  Status failure;
  const VoidResult done = forEach(cursor.get(), "query relationships", [&](const bson_t* doc) {
    Result<RelationshipRecord> relationship = readRelationship(doc);
    if (!relationship.ok()) {
      if (failure.isOk()) failure = relationship.status();
      return;
    }
    found.push_back(std::move(relationship).value());
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return found;
}

Result<bool> MongoRelationshipRepository::isBlocked(int64_t owner_id, int64_t related_user_id) {
  Result<std::optional<RelationshipRecord>> found = find(owner_id, related_user_id);
  if (!found.ok()) return found.status();
  return found.value() && found.value()->block_date.has_value();
}

// A repeat (a retry, or recovery racing the accept it completes) changes nothing more.
VoidResult MongoRelationshipRepository::befriend(const Connection& connection, int64_t owner_id,
                                                 int64_t related_user_id,
                                                 int64_t establishment_date) {
  BsonPtr filter = keyFilter(owner_id, related_user_id);
  BsonPtr update(BCON_NEW("$unset", "{", kBlockDate, BCON_UTF8(""), "}"));
  bson_t on_insert;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$setOnInsert", &on_insert);
  BSON_APPEND_INT32(&on_insert, kGroupIndex, 0);
  appendDate(&on_insert, kEstablishmentDate, establishment_date);
  appendString(&on_insert, kName, "");
  bson_append_document_end(update.get(), &on_insert);
  Result<UpdateOutcome> written = updateOne(connection, kRelationships, filter.get(), update.get(),
                                            /*upsert=*/true, "befriend");
  // A duplicate key is an upsert racing another upsert of the same pair (recovery meeting a retry):
  // the relationship exists, so once more is enough.
  if (!written.ok() && written.status().code == StatusCode::kRecordContainsDuplicateKey) {
    written = updateOne(connection, kRelationships, filter.get(), update.get(), /*upsert=*/true,
                        "befriend");
  }
  if (!written.ok()) return written.status();
  return {};
}

}  // namespace parley::mongo
