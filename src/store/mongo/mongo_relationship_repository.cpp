#include "store/mongo/mongo_relationship_repository.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_relationship_group_members.h"

namespace parley::mongo {
namespace {

constexpr const char* kRelationships = "userRelationship";

// Upstream's short names (turms-service's domain/user/po/UserRelationship.java): bd = block date,
// ed = establishment date, n = name. gidx is legacy: Parley kept one group index on the
// relationship before memberships moved to their own collection (upstream's); it is read for
// relationships that have no membership yet and never written.
constexpr const char* kBlockDate = "bd";
constexpr const char* kLegacyGroupIndex = "gidx";
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
  appendDate(doc.get(), kEstablishmentDate, relationship.establishment_date);
  appendString(doc.get(), kName, relationship.name);
  return doc;
}

// A relationship as stored, before its memberships are joined in (withMemberships).
struct StoredRelationship {
  RelationshipRecord record;
  std::optional<int32_t> legacy_group_index;
};

Result<StoredRelationship> readRelationship(const bson_t* doc) {
  const std::optional<int64_t> owner_id = int64At(doc, "_id.oid");
  const std::optional<int64_t> related_user_id = int64At(doc, "_id.rid");
  DocReader reader(
      doc, "relationship " + (owner_id ? std::to_string(*owner_id) : std::string("?")) + " -> " +
               (related_user_id ? std::to_string(*related_user_id) : std::string("?")));
  StoredRelationship stored;
  RelationshipRecord& relationship = stored.record;
  relationship.owner_id = reader.int64("_id.oid");
  relationship.related_user_id = reader.int64("_id.rid");
  relationship.block_date = reader.optionalDate(kBlockDate);
  stored.legacy_group_index = reader.optionalInt32(kLegacyGroupIndex);
  relationship.establishment_date = reader.date(kEstablishmentDate);
  relationship.name = reader.string(kName);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return stored;
}

// The records with their memberships; one without any is in its legacy group or the default one
// (mongo_relationship_group_members.h).
Result<std::vector<RelationshipRecord>> withMemberships(const Connection& connection,
                                                        int64_t owner_id,
                                                        std::vector<StoredRelationship> stored,
                                                        std::span<const int64_t> related_user_ids) {
  std::vector<RelationshipRecord> records;
  if (stored.empty()) return records;
  Result<std::map<int64_t, std::vector<int32_t>>> memberships =
      findMemberships(connection, owner_id, related_user_ids);
  if (!memberships.ok()) return memberships.status();
  records.reserve(stored.size());
  for (StoredRelationship& relationship : stored) {
    auto found = memberships->find(relationship.record.related_user_id);
    if (found != memberships->end()) {
      relationship.record.group_indexes = std::move(found->second);
    } else {
      relationship.record.group_indexes = {
          relationship.legacy_group_index.value_or(kDefaultRelationshipGroupIndex)};
    }
    records.push_back(std::move(relationship.record));
  }
  return records;
}

// Drops the relationships in none of `indexes`.
void keepInAnyGroup(std::vector<RelationshipRecord>& relationships,
                    const std::vector<int32_t>& indexes) {
  std::erase_if(relationships, [&](const RelationshipRecord& relationship) {
    return std::none_of(indexes.begin(), indexes.end(), [&](int32_t index) {
      return std::binary_search(relationship.group_indexes.begin(),
                                relationship.group_indexes.end(), index);
    });
  });
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

// The filter of a search, but for its group indexes (memberships live in their own collection).
BsonPtr searchFilter(const RelationshipSearch& search) {
  BsonPtr filter(bson_new());
  if (!search.owner_ids.empty()) appendAnyOf(filter.get(), "_id.oid", search.owner_ids);
  if (!search.related_user_ids.empty()) {
    appendAnyOf(filter.get(), "_id.rid", search.related_user_ids);
  }
  if (search.blocked) appendBlocked(filter.get(), *search.blocked);
  appendDateRange(filter.get(), kEstablishmentDate, search.establishment_date);
  return filter;
}

// Relationships ordered by owner, then related user, with their memberships: one membership
// lookup per owner among them.
Result<std::vector<RelationshipRecord>> findWithMemberships(const Connection& connection,
                                                            const bson_t* filter,
                                                            const bson_t* opts) {
  auto client = connection.client();
  CollectionPtr relationships = client.collection(kRelationships);
  CursorPtr cursor(mongoc_collection_find_with_opts(relationships.get(), filter, opts, nullptr));
  Result<std::vector<StoredRelationship>> stored =
      readAll(cursor.get(), "search relationships", &readRelationship);
  if (!stored.ok()) return stored.status();
  std::vector<RelationshipRecord> records;
  records.reserve(stored->size());
  auto run = stored->begin();
  while (run != stored->end()) {
    const int64_t owner_id = run->record.owner_id;
    const auto run_end = std::find_if(run, stored->end(), [&](const StoredRelationship& next) {
      return next.record.owner_id != owner_id;
    });
    std::vector<int64_t> related_user_ids;
    for (auto it = run; it != run_end; ++it) related_user_ids.push_back(it->record.related_user_id);
    Result<std::vector<RelationshipRecord>> joined =
        withMemberships(connection, owner_id,
                        std::vector<StoredRelationship>(std::make_move_iterator(run),
                                                        std::make_move_iterator(run_end)),
                        related_user_ids);
    if (!joined.ok()) return joined.status();
    std::move(joined->begin(), joined->end(), std::back_inserter(records));
    run = run_end;
  }
  return records;
}

// Every match of a search with a group filter: memberships are joined before the filter applies
// (as query() does), so the database cannot skip or count them.
Result<std::vector<RelationshipRecord>> findInGroups(const Connection& connection,
                                                     const RelationshipSearch& search) {
  BsonPtr filter = searchFilter(search);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.oid", BCON_INT32(1), "_id.rid", BCON_INT32(1), "}"));
  Result<std::vector<RelationshipRecord>> found =
      findWithMemberships(connection, filter.get(), opts.get());
  if (found.ok()) keepInAnyGroup(*found, search.group_indexes);
  return found;
}

Result<std::optional<StoredRelationship>> findStored(const Connection& connection, int64_t owner_id,
                                                     int64_t related_user_id) {
  BsonPtr filter = keyFilter(owner_id, related_user_id);
  auto client = connection.client();
  CollectionPtr relationships = client.collection(kRelationships);
  Result<std::optional<BsonPtr>> found =
      findOne(relationships.get(), filter.get(), "find relationship");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<StoredRelationship>();
  Result<StoredRelationship> relationship = readRelationship(found.value()->get());
  if (!relationship.ok()) return relationship.status();
  return std::optional<StoredRelationship>(std::move(relationship).value());
}

// Memberships follow the relationship's document (mongo_relationship_group_members.h).
VoidResult writeMemberships(const Connection& connection, const RelationshipRecord& relationship,
                            int64_t now_millis) {
  Result<bool> changed =
      setMemberships(connection, relationship.owner_id, relationship.related_user_id,
                     relationship.group_indexes, now_millis);
  if (!changed.ok()) return changed.status();
  return moveRelationshipVersions(connection, relationship.owner_id,
                                  {.relationships = true, .memberships = *changed}, now_millis);
}

}  // namespace

// One document per one-sided relationship, keyed {oid, rid} as upstream. Every query names the
// owner: by_owner serves the owner's contacts (optionally some related users, ordered by them)
// and by_owner_block the owner's blocks, however many contacts the owner has. find and isBlocked
// are _id lookups. Shard key {_id.oid: hashed}, upstream's: an owner's relationships live on one
// shard, so every query is targeted, and hashing spreads the owners. The memberships'
// collection is declared with them (mongo_relationship_group_members.cpp).
const std::vector<CollectionSpec>& MongoRelationshipRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kRelationships,
       {{"by_owner", R"({"_id.oid": 1, "_id.rid": 1})"},
        {"by_owner_block", R"({"_id.oid": 1, "bd": 1})"}},
       R"({"_id.oid": "hashed"})"},
      relationshipGroupMembersSpec(),
  };
  return specs;
}

VoidResult MongoRelationshipRepository::insert(const RelationshipRecord& relationship,
                                               int64_t now_millis) {
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
  return writeMemberships(connection_, relationship, now_millis);
}

VoidResult MongoRelationshipRepository::upsert(const RelationshipRecord& relationship,
                                               int64_t now_millis) {
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
  return writeMemberships(connection_, relationship, now_millis);
}

Result<int64_t> MongoRelationshipRepository::insertMany(
    std::span<const RelationshipRecord> relationships, int64_t now_millis) {
  if (relationships.empty()) return int64_t{0};
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kRelationships);
  // Unordered: an existing pair fails alone with a duplicate key and the rest go on.
  Result<BulkOutcome> outcome = insertUnordered(
      connection_, collection.get(), relationships.size(),
      [&](size_t i) { return relationshipDocument(relationships[i]); }, "insert relationships");
  if (!outcome.ok()) return outcome.status();
  // Memberships of the new pairs only: an existing pair keeps its own.
  const std::set<size_t> existing(outcome->duplicate_indexes.begin(),
                                  outcome->duplicate_indexes.end());
  std::vector<Membership> memberships;
  std::set<int64_t> owners;
  for (size_t i = 0; i < relationships.size(); ++i) {
    if (existing.contains(i)) continue;
    const RelationshipRecord& relationship = relationships[i];
    owners.insert(relationship.owner_id);
    for (const int32_t index : relationship.group_indexes.empty()
                                   ? std::vector<int32_t>{kDefaultRelationshipGroupIndex}
                                   : relationship.group_indexes) {
      memberships.push_back({relationship.owner_id, relationship.related_user_id, index});
    }
  }
  if (Result<int64_t> added = addMemberships(connection_, memberships, now_millis); !added.ok()) {
    return added.status();
  }
  for (const int64_t owner_id : owners) {
    if (const VoidResult moved =
            moveRelationshipVersions(connection_, owner_id, {.memberships = true}, now_millis);
        !moved.ok()) {
      return moved.status();
    }
  }
  return outcome->inserted;
}

// The relationship first: stopped before its memberships are gone, a later insert of the same
// pair replaces them.
Result<bool> MongoRelationshipRepository::remove(int64_t owner_id, int64_t related_user_id,
                                                 int64_t now_millis) {
  BsonPtr filter = keyFilter(owner_id, related_user_id);
  Result<int64_t> deleted =
      deleteMany(connection_, kRelationships, filter.get(), "remove relationship");
  if (!deleted.ok()) return deleted.status();
  if (deleted.value() == 0) return false;
  if (Result<int64_t> removed = removeMemberships(connection_, owner_id, related_user_id);
      !removed.ok()) {
    return removed.status();
  }
  if (const VoidResult moved =
          moveRelationshipVersions(connection_, owner_id, {.memberships = true}, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<std::optional<RelationshipRecord>> MongoRelationshipRepository::find(
    int64_t owner_id, int64_t related_user_id) {
  Result<std::optional<StoredRelationship>> stored =
      findStored(connection_, owner_id, related_user_id);
  if (!stored.ok()) return stored.status();
  if (!stored.value()) return std::optional<RelationshipRecord>();
  std::vector<StoredRelationship> one;
  one.push_back(std::move(*stored.value()));
  const int64_t related[] = {related_user_id};
  Result<std::vector<RelationshipRecord>> records =
      withMemberships(connection_, owner_id, std::move(one), related);
  if (!records.ok()) return records.status();
  return std::optional<RelationshipRecord>(std::move(records->front()));
}

Result<std::vector<RelationshipRecord>> MongoRelationshipRepository::query(
    const RelationshipFilter& filter) {
  BsonPtr query(BCON_NEW("_id.oid", BCON_INT64(filter.owner_id)));
  if (!filter.related_user_ids.empty()) {
    appendAnyOf(query.get(), "_id.rid", filter.related_user_ids);
  }
  if (filter.blocked) appendBlocked(query.get(), *filter.blocked);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.rid", BCON_INT32(1), "}"));

  auto client = connection_.client();
  CollectionPtr relationships = client.collection(kRelationships);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(relationships.get(), query.get(), opts.get(), nullptr));
  Result<std::vector<StoredRelationship>> stored =
      readAll(cursor.get(), "query relationships", &readRelationship);
  if (!stored.ok()) return stored.status();
  // Memberships are joined here, and the group filter applied to them, rather than in the
  // database: an owner's relationships are one user's contacts, and a relationship without a
  // membership document still belongs to a group (mongo_relationship_group_members.h).
  Result<std::vector<RelationshipRecord>> found = withMemberships(
      connection_, filter.owner_id, std::move(stored).value(), filter.related_user_ids);
  if (found.ok() && !filter.group_indexes.empty()) keepInAnyGroup(*found, filter.group_indexes);
  return found;
}

Result<std::vector<RelationshipRecord>> MongoRelationshipRepository::search(
    const RelationshipSearch& search, int64_t skip, int64_t limit) {
  if (!search.group_indexes.empty()) {
    Result<std::vector<RelationshipRecord>> found = findInGroups(connection_, search);
    if (!found.ok()) return found;
    const auto size = static_cast<int64_t>(found->size());
    const auto begin = found->begin() + std::clamp<int64_t>(skip, 0, size);
    const auto end = begin + std::clamp<int64_t>(limit, 0, found->end() - begin);
    return std::vector<RelationshipRecord>(std::make_move_iterator(begin),
                                           std::make_move_iterator(end));
  }
  BsonPtr filter = searchFilter(search);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.oid", BCON_INT32(1), "_id.rid", BCON_INT32(1), "}",
                        "skip", BCON_INT64(skip), "limit", BCON_INT64(limit)));
  return findWithMemberships(connection_, filter.get(), opts.get());
}

Result<int64_t> MongoRelationshipRepository::count(const RelationshipSearch& search) {
  if (!search.group_indexes.empty()) {
    Result<std::vector<RelationshipRecord>> found = findInGroups(connection_, search);
    if (!found.ok()) return found.status();
    return static_cast<int64_t>(found->size());
  }
  BsonPtr filter = searchFilter(search);
  auto client = connection_.client();
  CollectionPtr relationships = client.collection(kRelationships);
  return countDocuments(relationships.get(), filter.get(), "count relationships");
}

Result<bool> MongoRelationshipRepository::isBlocked(int64_t owner_id, int64_t related_user_id) {
  Result<std::optional<bool>> blocked = findBlocked(owner_id, related_user_id);
  if (!blocked.ok()) return blocked.status();
  return blocked.value().value_or(false);
}

Result<std::optional<bool>> MongoRelationshipRepository::findBlocked(int64_t owner_id,
                                                                     int64_t related_user_id) {
  Result<std::optional<StoredRelationship>> stored =
      findStored(connection_, owner_id, related_user_id);
  if (!stored.ok()) return stored.status();
  if (!stored.value()) return std::optional<bool>();
  return std::optional<bool>(stored.value()->record.block_date.has_value());
}

Result<std::optional<int64_t>> MongoRelationshipRepository::findVersion(int64_t owner_id) {
  return findRelationshipsVersion(connection_, owner_id);
}

// A repeat (a retry, or recovery racing the accept it completes) changes nothing more.
VoidResult MongoRelationshipRepository::befriend(const Connection& connection, int64_t owner_id,
                                                 int64_t related_user_id,
                                                 int64_t establishment_date) {
  BsonPtr filter = keyFilter(owner_id, related_user_id);
  BsonPtr update(BCON_NEW("$unset", "{", kBlockDate, BCON_UTF8(""), "}"));
  bson_t on_insert;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$setOnInsert", &on_insert);
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
  // Also in the default group, as upstream's friendTwoUsers.
  Result<bool> added = addMembership(connection, owner_id, related_user_id,
                                     kDefaultRelationshipGroupIndex, establishment_date);
  if (!added.ok()) return added.status();
  return moveRelationshipVersions(
      connection, owner_id, {.relationships = true, .memberships = *added}, establishment_date);
}

}  // namespace parley::mongo
