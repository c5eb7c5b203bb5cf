#include "store/mongo/mongo_relationship_group_repository.h"

#include <set>
#include <string>
#include <vector>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_relationship_group_members.h"

namespace parley::mongo {
namespace {

constexpr const char* kRelationshipGroups = "userRelationshipGroup";
// Upstream's names (turms-service's domain/user/po/UserRelationshipGroup.java).
constexpr const char* kName = "n";
constexpr const char* kCreationDate = "cd";

// The key {oid, gidx}, in upstream's field order (_id equality compares whole documents).
void appendGroupKey(bson_t* doc, int64_t owner_id, int32_t index) {
  bson_t id;
  BSON_APPEND_DOCUMENT_BEGIN(doc, "_id", &id);
  BSON_APPEND_INT64(&id, "oid", owner_id);
  BSON_APPEND_INT32(&id, "gidx", index);
  bson_append_document_end(doc, &id);
}

BsonPtr groupDocument(const RelationshipGroupRecord& group) {
  BsonPtr doc(bson_new());
  appendGroupKey(doc.get(), group.owner_id, group.index);
  appendString(doc.get(), kName, group.name);
  appendDate(doc.get(), kCreationDate, group.creation_date);
  return doc;
}

Result<RelationshipGroupRecord> readGroup(const bson_t* doc) {
  DocReader reader(doc, "relationship group");
  RelationshipGroupRecord group;
  group.owner_id = reader.int64("_id.oid");
  group.index = reader.int32("_id.gidx");
  group.name = reader.string(kName);
  group.creation_date = reader.date(kCreationDate);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return group;
}

BsonPtr searchFilter(const RelationshipGroupSearch& search) {
  BsonPtr filter(bson_new());
  if (!search.owner_ids.empty()) appendAnyOf(filter.get(), "_id.oid", search.owner_ids);
  if (!search.indexes.empty()) {
    // Numbers compare across BSON types, so int64 values find the stored int32 indexes.
    const std::vector<int64_t> indexes(search.indexes.begin(), search.indexes.end());
    appendAnyOf(filter.get(), "_id.gidx", indexes);
  }
  if (!search.names.empty()) appendAnyOf(filter.get(), kName, search.names);
  appendDateRange(filter.get(), kCreationDate, search.creation_date);
  return filter;
}

// Inserts the group; false when its key exists.
Result<bool> insertGroup(const Connection& connection, const RelationshipGroupRecord& group) {
  BsonPtr doc = groupDocument(group);
  BsonPtr opts = writeOptions(connection);
  auto client = connection.client();
  CollectionPtr groups = client.collection(kRelationshipGroups);
  bson_error_t error;
  if (mongoc_collection_insert_one(groups.get(), doc.get(), opts.get(), nullptr, &error)) {
    return true;
  }
  if (isDuplicateKeyError(error)) return false;
  return toStatus(error, "insert relationship group");
}

// Attempts at a free random index before giving up: with 2^31 indexes, a collision is already
// unlikely for a user with thousands of groups, eight in a row is not a real outcome.
constexpr int kIndexAttempts = 8;

}  // namespace

// Every query names the owner (by_owner, in index order). Shard key {_id.oid: hashed},
// upstream's.
const std::vector<CollectionSpec>& MongoRelationshipGroupRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kRelationshipGroups,
       {{"by_owner", R"({"_id.oid": 1, "_id.gidx": 1})"}},
       R"({"_id.oid": "hashed"})"},
  };
  return specs;
}

Result<RelationshipGroupRecord> MongoRelationshipGroupRepository::create(int64_t owner_id,
                                                                         const std::string& name,
                                                                         int64_t now_millis) {
  for (int attempt = 0; attempt < kIndexAttempts; ++attempt) {
    const RelationshipGroupRecord group{owner_id, randomRelationshipGroupIndex(), name, now_millis};
    Result<bool> inserted = insertGroup(connection_, group);
    if (!inserted.ok()) return inserted.status();
    if (!*inserted) continue;
    if (const VoidResult moved =
            moveRelationshipVersions(connection_, owner_id, {.groups = true}, now_millis);
        !moved.ok()) {
      return moved.status();
    }
    return group;
  }
  return error(StatusCode::kServerInternalError,
               "no free relationship group index found for user " + std::to_string(owner_id));
}

Result<bool> MongoRelationshipGroupRepository::rename(int64_t owner_id, int32_t index,
                                                      const std::string& name, int64_t now_millis) {
  BsonPtr filter(bson_new());
  appendGroupKey(filter.get(), owner_id, index);
  bson_t differs;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), kName, &differs);
  appendString(&differs, "$ne", name);
  bson_append_document_end(filter.get(), &differs);
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  appendString(&set, kName, name);
  bson_append_document_end(update.get(), &set);
  Result<UpdateOutcome> updated = updateOne(connection_, kRelationshipGroups, filter.get(),
                                            update.get(), /*upsert=*/false, "rename group");
  if (!updated.ok()) return updated.status();
  bool renamed = updated->modified > 0;
  if (!renamed && index == kDefaultRelationshipGroupIndex && !name.empty()) {
    // The default group, never stored yet, is named "": store it under its new name (a
    // duplicate key means it is stored, with this name already).
    Result<bool> inserted = insertGroup(connection_, {owner_id, index, name, now_millis});
    if (!inserted.ok()) return inserted.status();
    renamed = *inserted;
  }
  if (!renamed) return false;
  if (const VoidResult moved =
          moveRelationshipVersions(connection_, owner_id, {.groups = true}, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<std::vector<int64_t>> MongoRelationshipGroupRepository::remove(int64_t owner_id,
                                                                      int32_t index,
                                                                      int32_t target_index,
                                                                      int64_t now_millis) {
  Result<std::vector<int64_t>> members = findMemberIds(connection_, owner_id, index);
  if (!members.ok()) return members.status();
  if (!members->empty()) {
    if (const VoidResult moved =
            moveMembers(connection_, owner_id, index, target_index, *members, now_millis);
        !moved.ok()) {
      return moved.status();
    }
  }
  BsonPtr filter(bson_new());
  appendGroupKey(filter.get(), owner_id, index);
  Result<int64_t> deleted =
      deleteMany(connection_, kRelationshipGroups, filter.get(), "delete relationship group");
  if (!deleted.ok()) return deleted.status();
  if (*deleted == 0 && members->empty()) return members;
  if (const VoidResult moved = moveRelationshipVersions(
          connection_, owner_id, {.groups = true, .memberships = !members->empty()}, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return members;
}

Result<std::vector<RelationshipGroupRecord>> MongoRelationshipGroupRepository::findAll(
    int64_t owner_id) {
  BsonPtr filter(BCON_NEW("_id.oid", BCON_INT64(owner_id)));
  BsonPtr opts(BCON_NEW("sort", "{", "_id.gidx", BCON_INT32(1), "}"));
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kRelationshipGroups);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(groups.get(), filter.get(), opts.get(), nullptr));
  Result<std::vector<RelationshipGroupRecord>> found =
      readAll(cursor.get(), "find relationship groups", &readGroup);
  if (!found.ok()) return found.status();
  return withDefaultGroup(owner_id, std::move(found).value());
}

Result<std::vector<RelationshipGroupRecord>> MongoRelationshipGroupRepository::search(
    const RelationshipGroupSearch& search, int64_t skip, int64_t limit) {
  BsonPtr filter = searchFilter(search);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.oid", BCON_INT32(1), "_id.gidx", BCON_INT32(1), "}",
                        "skip", BCON_INT64(skip), "limit", BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kRelationshipGroups);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(groups.get(), filter.get(), opts.get(), nullptr));
  return readAll(cursor.get(), "search relationship groups", &readGroup);
}

Result<int64_t> MongoRelationshipGroupRepository::count(const RelationshipGroupSearch& search) {
  BsonPtr filter = searchFilter(search);
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kRelationshipGroups);
  return countDocuments(groups.get(), filter.get(), "count relationship groups");
}

Result<int64_t> MongoRelationshipGroupRepository::insertMany(
    std::span<const RelationshipGroupRecord> groups, int64_t now_millis) {
  if (groups.empty()) return int64_t{0};
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kRelationshipGroups);
  // Unordered: an existing group fails alone with a duplicate key and the rest go on.
  Result<BulkOutcome> outcome = insertUnordered(
      connection_, collection.get(), groups.size(),
      [&](size_t i) { return groupDocument(groups[i]); }, "insert relationship groups");
  if (!outcome.ok()) return outcome.status();
  const std::set<size_t> existing(outcome->duplicate_indexes.begin(),
                                  outcome->duplicate_indexes.end());
  std::set<int64_t> owners;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (!existing.contains(i)) owners.insert(groups[i].owner_id);
  }
  for (const int64_t owner_id : owners) {
    if (const VoidResult moved =
            moveRelationshipVersions(connection_, owner_id, {.groups = true}, now_millis);
        !moved.ok()) {
      return moved.status();
    }
  }
  return outcome->inserted;
}

Result<std::optional<int64_t>> MongoRelationshipGroupRepository::findVersion(int64_t owner_id) {
  return findRelationshipGroupsVersion(connection_, owner_id);
}

}  // namespace parley::mongo
