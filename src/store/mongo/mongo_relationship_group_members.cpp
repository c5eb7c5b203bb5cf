#include "store/mongo/mongo_relationship_group_members.h"

#include <algorithm>
#include <string>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_user_version.h"
#include "store/relationship_group_repository.h"

namespace parley::mongo {
namespace {

// Upstream's names (turms-service's domain/user/po/UserRelationshipGroupMember.java and
// UserVersion.java).
constexpr const char* kJoinDate = "jd";
constexpr const char* kRelationshipsVersion = "r";
constexpr const char* kRelationshipGroupsVersion = "rg";
constexpr const char* kRelationshipGroupMembersVersion = "rgm";

// The key {oid, gidx, ruid}, in upstream's field order (_id equality compares whole documents).
void appendMemberKey(bson_t* doc, int64_t owner_id, int32_t group_index, int64_t related_user_id) {
  bson_t id;
  BSON_APPEND_DOCUMENT_BEGIN(doc, "_id", &id);
  BSON_APPEND_INT64(&id, "oid", owner_id);
  BSON_APPEND_INT32(&id, "gidx", group_index);
  BSON_APPEND_INT64(&id, "ruid", related_user_id);
  bson_append_document_end(doc, &id);
}

// {$setOnInsert: {jd}}: an existing membership keeps its join date.
BsonPtr joinUpdate(int64_t now_millis) {
  BsonPtr update(bson_new());
  bson_t on_insert;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$setOnInsert", &on_insert);
  appendDate(&on_insert, kJoinDate, now_millis);
  bson_append_document_end(update.get(), &on_insert);
  return update;
}

void appendInt32Array(bson_t* doc, const char* key, const std::vector<int32_t>& values) {
  bson_t array;
  bson_append_array_begin(doc, key, -1, &array);
  uint32_t i = 0;
  for (const int32_t value : values) bson_append_int32(&array, arrayKey(i++).c_str(), -1, value);
  bson_append_array_end(doc, &array);
}

}  // namespace

// Every query names the owner: by_owner_related serves a relationship's memberships (and all of
// an owner's), by_owner_group a group's members. Shard key {_id.oid: hashed}, upstream's: an
// owner's memberships live on one shard, next to nothing else but reachable by a targeted query.
const CollectionSpec& relationshipGroupMembersSpec() {
  static const CollectionSpec spec{
      kRelationshipGroupMembers,
      {{"by_owner_related", R"({"_id.oid": 1, "_id.ruid": 1, "_id.gidx": 1})"},
       {"by_owner_group", R"({"_id.oid": 1, "_id.gidx": 1, "_id.ruid": 1})"}},
      R"({"_id.oid": "hashed"})"};
  return spec;
}

// A duplicate key is an upsert racing another of the
// same membership: it exists, which is all that was asked.
Result<bool> addMembership(const Connection& connection, int64_t owner_id, int64_t related_user_id,
                           int32_t group_index, int64_t now_millis) {
  BsonPtr filter(bson_new());
  appendMemberKey(filter.get(), owner_id, group_index, related_user_id);
  BsonPtr update = joinUpdate(now_millis);
  Result<UpdateOutcome> written = updateOne(connection, kRelationshipGroupMembers, filter.get(),
                                            update.get(), /*upsert=*/true, "add membership");
  if (!written.ok()) {
    if (written.status().code == StatusCode::kRecordContainsDuplicateKey) return false;
    return written.status();
  }
  return written->upserted > 0;
}

Result<bool> setMemberships(const Connection& connection, int64_t owner_id, int64_t related_user_id,
                            const std::vector<int32_t>& group_indexes, int64_t now_millis) {
  const std::vector<int32_t> wanted =
      group_indexes.empty() ? std::vector<int32_t>{kDefaultRelationshipGroupIndex} : group_indexes;
  // Added first: a reader in between sees the relationship in more groups, never in none.
  bool changed = false;
  for (const int32_t index : wanted) {
    Result<bool> added = addMembership(connection, owner_id, related_user_id, index, now_millis);
    if (!added.ok()) return added.status();
    changed = changed || *added;
  }
  BsonPtr stale(BCON_NEW("_id.oid", BCON_INT64(owner_id), "_id.ruid", BCON_INT64(related_user_id)));
  bson_t condition;
  BSON_APPEND_DOCUMENT_BEGIN(stale.get(), "_id.gidx", &condition);
  appendInt32Array(&condition, "$nin", wanted);
  bson_append_document_end(stale.get(), &condition);
  Result<int64_t> removed =
      deleteMany(connection, kRelationshipGroupMembers, stale.get(), "remove memberships");
  if (!removed.ok()) return removed.status();
  return changed || *removed > 0;
}

Result<int64_t> addMemberships(const Connection& connection, std::span<const Membership> members,
                               int64_t now_millis) {
  if (members.empty()) return int64_t{0};
  auto client = connection.client();
  CollectionPtr collection = client.collection(kRelationshipGroupMembers);
  // Unordered: an existing membership fails alone with a duplicate key and the rest go on.
  Result<BulkOutcome> outcome = insertUnordered(
      connection, collection.get(), members.size(),
      [&](size_t i) {
        BsonPtr doc(bson_new());
        appendMemberKey(doc.get(), members[i].owner_id, members[i].group_index,
                        members[i].related_user_id);
        appendDate(doc.get(), kJoinDate, now_millis);
        return doc;
      },
      "add memberships");
  if (!outcome.ok()) return outcome.status();
  return outcome->inserted;
}

Result<int64_t> removeMemberships(const Connection& connection, int64_t owner_id,
                                  int64_t related_user_id) {
  BsonPtr filter(
      BCON_NEW("_id.oid", BCON_INT64(owner_id), "_id.ruid", BCON_INT64(related_user_id)));
  return deleteMany(connection, kRelationshipGroupMembers, filter.get(), "remove memberships");
}

Result<std::map<int64_t, std::vector<int32_t>>> findMemberships(
    const Connection& connection, int64_t owner_id, std::span<const int64_t> related_user_ids) {
  BsonPtr filter(BCON_NEW("_id.oid", BCON_INT64(owner_id)));
  if (!related_user_ids.empty()) appendAnyOf(filter.get(), "_id.ruid", related_user_ids);
  BsonPtr opts(BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}"));
  auto client = connection.client();
  CollectionPtr collection = client.collection(kRelationshipGroupMembers);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(collection.get(), filter.get(), opts.get(), nullptr));
  std::map<int64_t, std::vector<int32_t>> memberships;
  Status failure;
  const VoidResult done = forEach(cursor.get(), "find memberships", [&](const bson_t* doc) {
    DocReader reader(doc, "relationship group membership of user " + std::to_string(owner_id));
    const int64_t related_user_id = reader.int64("_id.ruid");
    const int32_t group_index = reader.int32("_id.gidx");
    if (const VoidResult status = reader.status(); !status.ok()) {
      if (failure.isOk()) failure = status.status();
      return;
    }
    memberships[related_user_id].push_back(group_index);
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  for (auto& [related_user_id, indexes] : memberships) std::sort(indexes.begin(), indexes.end());
  return memberships;
}

Result<std::vector<int64_t>> findMemberIds(const Connection& connection, int64_t owner_id,
                                           int32_t index) {
  BsonPtr filter(BCON_NEW("_id.oid", BCON_INT64(owner_id), "_id.gidx", BCON_INT32(index)));
  BsonPtr opts(BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}", "sort", "{", "_id.ruid",
                        BCON_INT32(1), "}"));
  auto client = connection.client();
  CollectionPtr collection = client.collection(kRelationshipGroupMembers);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(collection.get(), filter.get(), opts.get(), nullptr));
  std::vector<int64_t> ids;
  Status failure;
  const VoidResult done = forEach(cursor.get(), "find group members", [&](const bson_t* doc) {
    const std::optional<int64_t> id = int64At(doc, "_id.ruid");
    if (!id) {
      if (failure.isOk()) {
        failure = error(StatusCode::kServerInternalError,
                        "a relationship group membership of user " + std::to_string(owner_id) +
                            " has no _id.ruid");
      }
      return;
    }
    ids.push_back(*id);
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return ids;
}

VoidResult moveMembers(const Connection& connection, int64_t owner_id, int32_t from, int32_t to,
                       std::span<const int64_t> member_ids, int64_t now_millis) {
  // Target first, then the old group: stopped in between, members are in both, never in none,
  // and deleting the group again finishes the move.
  for (const int64_t related_user_id : member_ids) {
    Result<bool> added = addMembership(connection, owner_id, related_user_id, to, now_millis);
    if (!added.ok()) return added.status();
  }
  BsonPtr filter(BCON_NEW("_id.oid", BCON_INT64(owner_id), "_id.gidx", BCON_INT32(from)));
  Result<int64_t> removed =
      deleteMany(connection, kRelationshipGroupMembers, filter.get(), "empty relationship group");
  if (!removed.ok()) return removed.status();
  return {};
}

VoidResult moveRelationshipVersions(const Connection& connection, int64_t owner_id,
                                    RelationshipVersionMoves moves, int64_t now_millis) {
  std::vector<const char*> fields;
  if (moves.movesRelationships()) fields.push_back(kRelationshipsVersion);
  if (moves.movesGroups()) fields.push_back(kRelationshipGroupsVersion);
  if (moves.movesGroupMembers()) fields.push_back(kRelationshipGroupMembersVersion);
  for (const char* field : fields) {
    if (const VoidResult moved = moveUserVersionForward(connection, owner_id, field, now_millis);
        !moved.ok()) {
      return moved;
    }
  }
  return {};
}

Result<std::optional<int64_t>> findRelationshipsVersion(const Connection& connection,
                                                        int64_t owner_id) {
  return findUserVersion(connection, owner_id, kRelationshipsVersion);
}

Result<std::optional<int64_t>> findRelationshipGroupsVersion(const Connection& connection,
                                                             int64_t owner_id) {
  return findUserVersion(connection, owner_id, kRelationshipGroupsVersion);
}

}  // namespace parley::mongo
