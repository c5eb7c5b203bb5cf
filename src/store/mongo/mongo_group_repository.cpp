#include "store/mongo/mongo_group_repository.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_user_version.h"

namespace parley::mongo {

// Upstream's member key {gid, uid}. The field order is fixed: _id equality compares whole
// documents.
void appendMemberId(bson_t* doc, const char* key, int64_t group_id, int64_t user_id) {
  bson_t id;
  bson_append_document_begin(doc, key, -1, &id);
  BSON_APPEND_INT64(&id, "gid", group_id);
  BSON_APPEND_INT64(&id, "uid", user_id);
  bson_append_document_end(doc, &id);
}

namespace {

constexpr const char* kGroups = "group";
constexpr const char* kMembers = "groupMember";

// Upstream's short field names (turms-service's domain/group/po classes). `mlud` is ours: upstream
// keeps the member-list version in a groupVersion document, Parley on the group itself, so the one
// read that finds the group also answers QueryGroupMembers' ALREADY_UP_TO_DATE check.
constexpr const char* kTypeId = "tid";
constexpr const char* kCreatorId = "cid";
constexpr const char* kOwnerId = "oid";
constexpr const char* kName = "n";
constexpr const char* kIntro = "intro";
constexpr const char* kAnnouncement = "annt";
constexpr const char* kMinimumScore = "ms";
constexpr const char* kMuteEndDate = "med";
constexpr const char* kCreationDate = "cd";
constexpr const char* kDeletionDate = "dd";
constexpr const char* kLastUpdatedDate = "lud";
constexpr const char* kMembersLastUpdatedDate = "mlud";
constexpr const char* kIsActive = "ac";

constexpr const char* kRole = "role";
constexpr const char* kJoinDate = "jd";
// userVersion's joined-groups date, upstream's name.
constexpr const char* kJoinedGroups = "jg";

// {_id: {$in: [{gid, uid}, ...]}}: exact lookups on the _id index.
BsonPtr memberKeysFilter(const std::vector<std::pair<int64_t, int64_t>>& keys) {
  BsonPtr filter(bson_new());
  bson_t id;
  bson_t in;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &id);
  BSON_APPEND_ARRAY_BEGIN(&id, "$in", &in);
  uint32_t i = 0;
  for (const auto& [group_id, user_id] : keys) {
    appendMemberId(&in, arrayKey(i++).c_str(), group_id, user_id);
  }
  bson_append_array_end(&id, &in);
  bson_append_document_end(filter.get(), &id);
  return filter;
}

BsonPtr memberIdsFilter(int64_t group_id, std::span<const int64_t> user_ids) {
  std::vector<std::pair<int64_t, int64_t>> keys;
  for (const int64_t user_id : user_ids) keys.emplace_back(group_id, user_id);
  return memberKeysFilter(keys);
}

BsonPtr groupDocument(const GroupRecord& group) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", group.id);
  BSON_APPEND_INT64(doc.get(), kTypeId, group.type_id);
  BSON_APPEND_INT64(doc.get(), kCreatorId, group.creator_id);
  BSON_APPEND_INT64(doc.get(), kOwnerId, group.owner_id);
  appendString(doc.get(), kName, group.name);
  appendString(doc.get(), kIntro, group.intro);
  appendString(doc.get(), kAnnouncement, group.announcement);
  BSON_APPEND_INT32(doc.get(), kMinimumScore, group.minimum_score);
  appendOptionalDate(doc.get(), kMuteEndDate, group.mute_end_date);
  appendDate(doc.get(), kCreationDate, group.creation_date);
  appendOptionalDate(doc.get(), kDeletionDate, group.deletion_date);
  appendDate(doc.get(), kLastUpdatedDate, group.last_updated_date);
  appendDate(doc.get(), kMembersLastUpdatedDate, group.members_last_updated_date);
  BSON_APPEND_BOOL(doc.get(), kIsActive, group.is_active);
  return doc;
}

Result<GroupRecord> readGroup(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  DocReader reader(doc, "group " + (id ? std::to_string(*id) : std::string("?")));
  GroupRecord group;
  group.id = reader.int64("_id");
  group.type_id = reader.int64(kTypeId);
  group.creator_id = reader.int64(kCreatorId);
  group.owner_id = reader.int64(kOwnerId);
  group.name = reader.string(kName);
  group.intro = reader.string(kIntro);
  group.announcement = reader.string(kAnnouncement);
  group.minimum_score = reader.int32(kMinimumScore);
  group.mute_end_date = reader.optionalDate(kMuteEndDate);
  group.creation_date = reader.date(kCreationDate);
  group.deletion_date = reader.optionalDate(kDeletionDate);
  group.last_updated_date = reader.date(kLastUpdatedDate);
  group.members_last_updated_date = reader.date(kMembersLastUpdatedDate);
  group.is_active = reader.boolean(kIsActive);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return group;
}

// What a client set when creating the group. members_last_updated_date is left out: member
// changes may have moved it since the first attempt of a retried insert.
bool sameCreation(const GroupRecord& a, const GroupRecord& b) {
  return a.id == b.id && a.type_id == b.type_id && a.creator_id == b.creator_id &&
         a.owner_id == b.owner_id && a.name == b.name && a.intro == b.intro &&
         a.announcement == b.announcement && a.minimum_score == b.minimum_score &&
         a.mute_end_date == b.mute_end_date && a.creation_date == b.creation_date &&
         a.deletion_date == b.deletion_date && a.last_updated_date == b.last_updated_date &&
         a.is_active == b.is_active;
}

BsonPtr memberDocument(const GroupMemberRecord& member) {
  BsonPtr doc(bson_new());
  appendMemberId(doc.get(), "_id", member.group_id, member.user_id);
  appendString(doc.get(), kName, member.name);
  BSON_APPEND_INT32(doc.get(), kRole, member.role);
  appendDate(doc.get(), kJoinDate, member.join_date);
  appendOptionalDate(doc.get(), kMuteEndDate, member.mute_end_date);
  return doc;
}

Result<GroupMemberRecord> readMember(const bson_t* doc) {
  const std::optional<int64_t> group_id = int64At(doc, "_id.gid");
  const std::optional<int64_t> user_id = int64At(doc, "_id.uid");
  DocReader reader(doc, "member " + (user_id ? std::to_string(*user_id) : std::string("?")) +
                            " of group " +
                            (group_id ? std::to_string(*group_id) : std::string("?")));
  GroupMemberRecord member;
  member.group_id = reader.int64("_id.gid");
  member.user_id = reader.int64("_id.uid");
  member.name = reader.string(kName);
  member.role = reader.int32(kRole);
  member.join_date = reader.date(kJoinDate);
  member.mute_end_date = reader.optionalDate(kMuteEndDate);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return member;
}

Result<std::vector<GroupMemberRecord>> findMemberDocs(const Connection& connection,
                                                      const bson_t* filter, const char* what) {
  BsonPtr opts(BCON_NEW("sort", "{", "_id.uid", BCON_INT32(1), "}"));
  auto client = connection.client();
  CollectionPtr members = client.collection(kMembers);
  CursorPtr cursor(mongoc_collection_find_with_opts(members.get(), filter, opts.get(), nullptr));
  return readAll<GroupMemberRecord>(cursor.get(), what, readMember);
}

// One id of every member document matching filter (`path`, "_id.uid" or "_id.gid"), in its
// order: only _id is read, which the by_group and by_user indexes cover.
Result<std::vector<int64_t>> findMemberKeyIds(const Connection& connection, const bson_t* filter,
                                              const char* path, const char* what) {
  BsonPtr opts(BCON_NEW("sort", "{", path, BCON_INT32(1), "}", "projection", "{", "_id",
                        BCON_INT32(1), "}"));
  auto client = connection.client();
  CollectionPtr members = client.collection(kMembers);
  CursorPtr cursor(mongoc_collection_find_with_opts(members.get(), filter, opts.get(), nullptr));
  std::vector<int64_t> ids;
  bool corrupted = false;
  const VoidResult done = forEach(cursor.get(), what, [&](const bson_t* doc) {
    if (const std::optional<int64_t> id = int64At(doc, path)) {
      ids.push_back(*id);
    } else {
      corrupted = true;
    }
  });
  if (!done.ok()) return done.status();
  if (corrupted) {
    return error(StatusCode::kServerInternalError,
                 std::string("group member without an integer ") + path);
  }
  return ids;
}

// The admin search's filter; nullopt when it matches nothing (no group has any of member_ids). The
// members are looked up first: MongoDB has no join short of $lookup, which a group listing does
// not need.
Result<std::optional<BsonPtr>> groupSearchFilter(const Connection& connection,
                                                 const GroupSearch& search) {
  std::vector<int64_t> ids = search.ids;
  if (!search.member_ids.empty()) {
    BsonPtr members_filter(bson_new());
    appendAnyOf(members_filter.get(), "_id.uid", search.member_ids);
    Result<std::vector<int64_t>> joined =
        findMemberKeyIds(connection, members_filter.get(), "_id.gid", "find groups of members");
    if (!joined.ok()) return joined.status();
    std::sort(joined->begin(), joined->end());
    joined->erase(std::unique(joined->begin(), joined->end()), joined->end());
    if (!ids.empty()) {
      std::erase_if(*joined,
                    [&](int64_t id) { return std::find(ids.begin(), ids.end(), id) == ids.end(); });
    }
    if (joined->empty()) return std::optional<BsonPtr>();
    ids = std::move(joined).value();
  }
  BsonPtr filter(bson_new());
  if (!ids.empty()) appendAnyOf(filter.get(), "_id", ids);
  if (!search.type_ids.empty()) appendAnyOf(filter.get(), kTypeId, search.type_ids);
  if (!search.creator_ids.empty()) appendAnyOf(filter.get(), kCreatorId, search.creator_ids);
  if (!search.owner_ids.empty()) appendAnyOf(filter.get(), kOwnerId, search.owner_ids);
  if (search.is_active) BSON_APPEND_BOOL(filter.get(), kIsActive, *search.is_active);
  appendDateRange(filter.get(), kCreationDate, search.creation_date);
  appendDateRange(filter.get(), kDeletionDate, search.deletion_date);
  appendDateRange(filter.get(), kLastUpdatedDate, search.last_updated_date);
  appendDateRange(filter.get(), kMuteEndDate, search.mute_end_date);
  return std::optional<BsonPtr>(std::move(filter));
}

BsonPtr memberSearchFilter(const GroupMemberSearch& search) {
  BsonPtr filter(bson_new());
  if (!search.group_ids.empty()) appendAnyOf(filter.get(), "_id.gid", search.group_ids);
  if (!search.user_ids.empty()) appendAnyOf(filter.get(), "_id.uid", search.user_ids);
  if (!search.roles.empty()) {
    const std::vector<int64_t> roles(search.roles.begin(), search.roles.end());
    appendAnyOf(filter.get(), kRole, roles);
  }
  appendDateRange(filter.get(), kJoinDate, search.join_date);
  appendDateRange(filter.get(), kMuteEndDate, search.mute_end_date);
  return filter;
}

// Versions only move forward, by at least 1 ms, so that two changes within one millisecond (or
// a clock that stepped back) still give a client holding the older version fresh data. Without
// pipeline updates (FerretDB has none) MongoDB cannot say max(v + 1, now) in one write, so each
// version takes the first of these that applies:
//   1. a missing per-user version is inserted as now (one insert for the whole batch: a user's
//      first join, and all a large batch of new users needs);
//   2. "v = now where v < now or v is unset", the usual case, one bulk for the whole batch;
//   3. compare-and-set v = old + 1 (moveVersionPastStored, shared with the userVersion kinds of
//      mongo_user_version.h).
//
// Every caller writes its data first and the version after, so a reader never pairs a new version
// with old data. Without transactions, a failure between the two leaves the version behind until
// the next change (SQLite does both atomically); the caller gets the error, and a retried
// insertMany repairs it (see there).
struct VersionBump {
  int64_t id = 0;
  int64_t now_millis = 0;
};

// Moves `field` of the documents with the given _ids forward (see above), creating missing ones
// when `create_missing`; otherwise a missing document stays missing.
VoidResult bumpVersions(const Connection& connection, const char* collection_name,
                        const char* field, std::span<const VersionBump> requested,
                        bool create_missing) {
  // One move per document is enough: every data change was written before it.
  std::map<int64_t, int64_t> newest;
  for (const VersionBump& bump : requested) {
    auto [it, is_new] = newest.try_emplace(bump.id, bump.now_millis);
    if (!is_new) it->second = std::max(it->second, bump.now_millis);
  }
  std::vector<VersionBump> pending;
  for (const auto& [id, now_millis] : newest) pending.push_back({id, now_millis});
  if (pending.empty()) return {};

  auto client = connection.client();
  CollectionPtr collection = client.collection(collection_name);
  const auto keepOnly = [&](const std::vector<size_t>& indexes) {
    std::vector<VersionBump> kept;
    for (const size_t i : indexes) kept.push_back(pending[i]);
    pending = std::move(kept);
  };

  if (create_missing) {
    Result<BulkOutcome> inserted = insertUnordered(
        connection, collection.get(), pending.size(),
        [&](size_t i) {
          const VersionBump& bump = pending[i];
          BsonPtr doc(BCON_NEW("_id", BCON_INT64(bump.id)));
          appendDate(doc.get(), field, bump.now_millis);
          return doc;
        },
        "insert versions");
    if (!inserted.ok()) return inserted.status();
    keepOnly(inserted->duplicate_indexes);  // those existed already
    if (pending.empty()) return {};
  }

  // With create_missing the documents exist, so the upsert reports exactly the versions already
  // >= now, each as a duplicate _id of its statement. Without it a bulk cannot say which
  // statements matched; its one caller moves a single version.
  Result<BulkOutcome> moved =
      bulkWrite(connection, collection.get(), /*ordered=*/false, "move versions forward",
                [&](mongoc_bulk_operation_t* bulk, bson_error_t* error) {
                  BsonPtr opts(BCON_NEW("upsert", BCON_BOOL(create_missing)));
                  for (const VersionBump& bump : pending) {
                    // Not {$lt: now}: a userVersion document written by another domain (friend
                    // requests' versions) may not have this field yet, and must get it.
                    BsonPtr filter(BCON_NEW("_id", BCON_INT64(bump.id), field, "{", "$not", "{",
                                            "$gte", BCON_DATE_TIME(bump.now_millis), "}", "}"));
                    BsonPtr update = setDate(field, bump.now_millis);
                    if (!mongoc_bulk_operation_update_one_with_opts(
                            bulk, filter.get(), update.get(), opts.get(), error)) {
                      return false;
                    }
                  }
                  return true;
                });
  if (!moved.ok()) return moved.status();
  if (create_missing) {
    keepOnly(moved->duplicate_indexes);
  } else if (moved->matched == static_cast<int64_t>(pending.size())) {
    pending.clear();
  }
  for (const VersionBump& bump : pending) {
    if (const VoidResult done = moveVersionPastStored(connection, collection.get(), bump.id, field);
        !done.ok()) {
      return done;
    }
  }
  return {};
}

VoidResult bumpMembersVersion(const Connection& connection, int64_t group_id, int64_t now_millis) {
  const VersionBump bump{group_id, now_millis};
  return bumpVersions(connection, kGroups, kMembersLastUpdatedDate, std::span(&bump, 1),
                      /*create_missing=*/false);
}

VoidResult bumpJoinedGroupsVersions(const Connection& connection,
                                    std::span<const VersionBump> bumps) {
  return bumpVersions(connection, kUserVersions, kJoinedGroups, bumps, /*create_missing=*/true);
}

}  // namespace

VoidResult bumpGroupVersion(const Connection& connection, int64_t group_id, const char* field,
                            int64_t now_millis) {
  const VersionBump bump{group_id, now_millis};
  return bumpVersions(connection, kGroups, field, std::span(&bump, 1), /*create_missing=*/false);
}

Result<std::optional<int64_t>> findGroupVersion(const Connection& connection, int64_t group_id,
                                                const char* field) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(group_id)));
  auto client = connection.client();
  CollectionPtr groups = client.collection(kGroups);
  Result<std::optional<BsonPtr>> found = findOne(groups.get(), filter.get(), "read group version");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<int64_t>();
  return int64At(found.value()->get(), field);
}

// Clients read groups by id only (findById, findByIds), so _id is their only index; the admin
// search scans, as upstream's admin queries do. Shard key
// {_id: hashed}: group ids are Snowflake ids that grow with time, so a range key would send every
// new group to the last chunk; hashing spreads them, and every read names the id, so it stays
// targeted.
const std::vector<CollectionSpec>& MongoGroupRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kGroups, {}, R"({"_id": "hashed"})"},
  };
  return specs;
}

VoidResult MongoGroupRepository::insert(const GroupRecord& group) {
  BsonPtr doc = groupDocument(group);
  BsonPtr opts = writeOptions(connection_);
  bson_error_t failure;
  {
    auto client = connection_.client();
    CollectionPtr groups = client.collection(kGroups);
    if (mongoc_collection_insert_one(groups.get(), doc.get(), opts.get(), nullptr, &failure)) {
      return {};
    }
  }
  if (!isDuplicateKeyError(failure)) return toStatus(failure, "insert group");
  // Every group a client creates gets a new id, so the same group already stored is this
  // insert's own earlier attempt (a retry after a lost acknowledgement): that is success.
  Result<std::optional<GroupRecord>> stored = findById(group.id);
  if (!stored.ok()) return stored.status();
  if (stored.value() && sameCreation(*stored.value(), group)) return {};
  return error(StatusCode::kRecordContainsDuplicateKey,
               "group " + std::to_string(group.id) + " exists");
}

Result<std::optional<GroupRecord>> MongoGroupRepository::findById(int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kGroups);
  Result<std::optional<BsonPtr>> found = findOne(groups.get(), filter.get(), "find group");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<GroupRecord>();
  Result<GroupRecord> group = readGroup(found.value()->get());
  if (!group.ok()) return group.status();
  return std::optional<GroupRecord>(std::move(group).value());
}

Result<std::vector<GroupRecord>> MongoGroupRepository::findByIds(std::span<const int64_t> ids) {
  if (ids.empty()) return std::vector<GroupRecord>();
  BsonPtr filter(bson_new());
  appendAnyOf(filter.get(), "_id", ids);
  BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}"));
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kGroups);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(groups.get(), filter.get(), opts.get(), nullptr));
  return readAll<GroupRecord>(cursor.get(), "find groups", readGroup);
}

Result<bool> MongoGroupRepository::update(int64_t id, const GroupUpdate& update) {
  // {dd: null} matches groups never deleted (the field is absent).
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id), kDeletionDate, BCON_NULL));
  BsonPtr changes(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
  if (update.name) appendString(&set, kName, *update.name);
  if (update.intro) appendString(&set, kIntro, *update.intro);
  if (update.announcement) appendString(&set, kAnnouncement, *update.announcement);
  appendOptionalInt32(&set, kMinimumScore, update.minimum_score);
  appendOptionalInt64(&set, kTypeId, update.type_id);
  // GroupUpdate can set the mute but not clear it: a client unmutes with a past date, as upstream.
  appendOptionalDate(&set, kMuteEndDate, update.mute_end_date);
  appendOptionalInt64(&set, kOwnerId, update.owner_id);
  appendOptionalInt64(&set, kCreatorId, update.creator_id);
  appendOptionalDate(&set, kCreationDate, update.creation_date);
  if (update.is_active) BSON_APPEND_BOOL(&set, kIsActive, *update.is_active);
  appendDate(&set, kLastUpdatedDate, update.last_updated_date);
  bson_append_document_end(changes.get(), &set);
  Result<UpdateOutcome> outcome = updateOne(connection_, kGroups, filter.get(), changes.get(),
                                            /*upsert=*/false, "update group");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

Result<bool> MongoGroupRepository::softDelete(int64_t id, int64_t now_millis) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id), kDeletionDate, BCON_NULL));
  BsonPtr changes(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
  appendDate(&set, kDeletionDate, now_millis);
  appendDate(&set, kLastUpdatedDate, now_millis);
  bson_append_document_end(changes.get(), &set);
  Result<UpdateOutcome> outcome = updateOne(connection_, kGroups, filter.get(), changes.get(),
                                            /*upsert=*/false, "delete group");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

Result<std::vector<GroupRecord>> MongoGroupRepository::search(const GroupSearch& search,
                                                              int64_t skip, int64_t limit) {
  Result<std::optional<BsonPtr>> filter = groupSearchFilter(connection_, search);
  if (!filter.ok()) return filter.status();
  if (!filter.value()) return std::vector<GroupRecord>();
  BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "skip", BCON_INT64(skip), "limit",
                        BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kGroups);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(groups.get(), filter->value().get(), opts.get(), nullptr));
  return readAll<GroupRecord>(cursor.get(), "search groups", readGroup);
}

Result<int64_t> MongoGroupRepository::count(const GroupSearch& search) {
  Result<std::optional<BsonPtr>> filter = groupSearchFilter(connection_, search);
  if (!filter.ok()) return filter.status();
  if (!filter.value()) return int64_t{0};
  auto client = connection_.client();
  CollectionPtr groups = client.collection(kGroups);
  return countDocuments(groups.get(), filter->value().get(), "count groups");
}

// groupMember: one document per (group, user), keyed {gid, uid} as upstream. Member lists are
// read by group in user order (by_group); joined groups by user (by_user). Both queries read only
// _id, so each index covers its query. Shard key {_id.gid: hashed}, upstream's: a group's members
// live on one shard, so member lists, the hottest read (every group message fans out over one),
// are targeted, and hashing spreads the groups. Joined-group lookups by user are scatter-gather;
// they happen at login and sync, not per message.
//
// userVersion: each user's joined-groups version (upstream's userVersion.jg), keyed by user id.
// It lives apart from the members because it must move when a user leaves a group, when no member
// document remains to carry it. Shard key {_id: hashed}: reads and writes name one user.
const std::vector<CollectionSpec>& MongoGroupMemberRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kMembers,
       {{"by_group", R"({"_id.gid": 1, "_id.uid": 1})"},
        {"by_user", R"({"_id.uid": 1, "_id.gid": 1})"}},
       R"({"_id.gid": "hashed"})"},
      {kUserVersions, {}, R"({"_id": "hashed"})"},
  };
  return specs;
}

Result<int64_t> MongoGroupMemberRepository::insertMany(std::span<const GroupMemberRecord> members) {
  if (members.empty()) return int64_t{0};
  Result<BulkOutcome> outcome = [&]() -> Result<BulkOutcome> {
    auto client = connection_.client();
    CollectionPtr collection = client.collection(kMembers);
    // Unordered: an existing member fails alone with a duplicate key and the rest go on.
    return insertUnordered(
        connection_, collection.get(), members.size(),
        [&](size_t i) { return memberDocument(members[i]); }, "insert group members");
  }();
  if (!outcome.ok()) return outcome.status();

  std::vector<bool> added(members.size(), true);
  for (const size_t i : outcome->duplicate_indexes) added[i] = false;
  // A skipped member stored with exactly the fields of this batch is this insert's own earlier
  // attempt, whose version writes may have failed after its members were written: move the
  // versions again, so the retry repairs them (a needless move only costs clients a refetch).
  // join_date is the adding request's clock, so an older member never matches, and a key this
  // batch added itself is a duplicate within the batch, not a retry.
  std::vector<bool> retried(members.size(), false);
  if (!outcome->duplicate_indexes.empty()) {
    std::set<std::pair<int64_t, int64_t>> added_now;
    for (size_t i = 0; i < members.size(); ++i) {
      if (added[i]) added_now.emplace(members[i].group_id, members[i].user_id);
    }
    std::map<std::pair<int64_t, int64_t>, size_t> skipped;
    for (const size_t i : outcome->duplicate_indexes) {
      const std::pair key{members[i].group_id, members[i].user_id};
      if (!added_now.contains(key)) skipped.try_emplace(key, i);
    }
    if (!skipped.empty()) {
      std::vector<std::pair<int64_t, int64_t>> keys;
      for (const auto& entry : skipped) keys.push_back(entry.first);
      BsonPtr filter = memberKeysFilter(keys);
      Result<std::vector<GroupMemberRecord>> stored =
          findMemberDocs(connection_, filter.get(), "find existing group members");
      if (!stored.ok()) return stored.status();
      for (const GroupMemberRecord& member : stored.value()) {
        const size_t i = skipped.at({member.group_id, member.user_id});
        if (member == members[i]) retried[i] = true;
      }
    }
  }

  int64_t inserted = 0;
  std::vector<VersionBump> user_bumps;
  // The newest join date per group that gained a member: one version move per group.
  std::map<int64_t, int64_t> changed_groups;
  for (size_t i = 0; i < members.size(); ++i) {
    if (added[i]) ++inserted;
    if (!added[i] && !retried[i]) continue;
    const GroupMemberRecord& member = members[i];
    user_bumps.push_back({member.user_id, member.join_date});
    auto [it, is_new] = changed_groups.try_emplace(member.group_id, member.join_date);
    if (!is_new) it->second = std::max(it->second, member.join_date);
  }
  if (const VoidResult done = bumpJoinedGroupsVersions(connection_, user_bumps); !done.ok()) {
    return done.status();
  }
  for (const auto& [group_id, newest_join_date] : changed_groups) {
    if (const VoidResult done = bumpMembersVersion(connection_, group_id, newest_join_date);
        !done.ok()) {
      return done.status();
    }
  }
  return inserted;
}

Result<int64_t> MongoGroupMemberRepository::remove(int64_t group_id,
                                                   std::span<const int64_t> user_ids,
                                                   int64_t now_millis) {
  if (user_ids.empty()) return int64_t{0};
  BsonPtr filter = memberIdsFilter(group_id, user_ids);
  // Who is a member now decides whose joined-groups version moves.
  Result<std::vector<int64_t>> present =
      findMemberKeyIds(connection_, filter.get(), "_id.uid", "find group members to remove");
  if (!present.ok()) return present.status();
  if (present->empty()) return int64_t{0};
  Result<int64_t> deleted = deleteMany(connection_, kMembers, filter.get(), "remove group members");
  if (!deleted.ok()) return deleted.status();
  if (deleted.value() == 0) return deleted;  // another request removed them first
  std::vector<VersionBump> user_bumps;
  for (const int64_t user_id : present.value()) user_bumps.push_back({user_id, now_millis});
  if (const VoidResult done = bumpJoinedGroupsVersions(connection_, user_bumps); !done.ok()) {
    return done.status();
  }
  if (const VoidResult done = bumpMembersVersion(connection_, group_id, now_millis); !done.ok()) {
    return done.status();
  }
  return deleted;
}

Result<int64_t> MongoGroupMemberRepository::removeAll(int64_t group_id, int64_t now_millis) {
  Result<std::vector<int64_t>> user_ids = findMemberIds(group_id);
  if (!user_ids.ok()) return user_ids.status();
  // The members found, by key rather than every document of the group: a user who joins
  // meanwhile stays, and the versions moved are exactly those of the users removed.
  return remove(group_id, user_ids.value(), now_millis);
}

Result<std::optional<GroupMemberRecord>> MongoGroupMemberRepository::find(int64_t group_id,
                                                                          int64_t user_id) {
  BsonPtr filter(bson_new());
  appendMemberId(filter.get(), "_id", group_id, user_id);
  auto client = connection_.client();
  CollectionPtr members = client.collection(kMembers);
  Result<std::optional<BsonPtr>> found = findOne(members.get(), filter.get(), "find group member");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<GroupMemberRecord>();
  Result<GroupMemberRecord> member = readMember(found.value()->get());
  if (!member.ok()) return member.status();
  return std::optional<GroupMemberRecord>(std::move(member).value());
}

Result<std::vector<GroupMemberRecord>> MongoGroupMemberRepository::findMembers(
    int64_t group_id, std::span<const int64_t> user_ids) {
  if (user_ids.empty()) {
    BsonPtr filter(BCON_NEW("_id.gid", BCON_INT64(group_id)));
    return findMemberDocs(connection_, filter.get(), "find group members");
  }
  BsonPtr filter = memberIdsFilter(group_id, user_ids);
  return findMemberDocs(connection_, filter.get(), "find group members");
}

Result<std::vector<int64_t>> MongoGroupMemberRepository::findMemberIds(int64_t group_id) {
  BsonPtr filter(BCON_NEW("_id.gid", BCON_INT64(group_id)));
  return findMemberKeyIds(connection_, filter.get(), "_id.uid", "find group member ids");
}

Result<std::vector<int64_t>> MongoGroupMemberRepository::findJoinedGroupIds(int64_t user_id) {
  BsonPtr filter(BCON_NEW("_id.uid", BCON_INT64(user_id)));
  return findMemberKeyIds(connection_, filter.get(), "_id.gid", "find joined group ids");
}

Result<std::optional<int64_t>> MongoGroupMemberRepository::findJoinedGroupsVersion(
    int64_t user_id) {
  return findUserVersion(connection_, user_id, kJoinedGroups);
}

Result<bool> MongoGroupMemberRepository::updateRole(int64_t group_id, int64_t user_id, int32_t role,
                                                    int64_t now_millis) {
  GroupMemberUpdate update;
  update.role = role;
  return this->update(group_id, user_id, update, now_millis);
}

Result<bool> MongoGroupMemberRepository::update(int64_t group_id, int64_t user_id,
                                                const GroupMemberUpdate& update,
                                                int64_t now_millis) {
  if (!update.name && !update.role && !update.join_date && !update.mute_end_date) {
    // Nothing to set ($set must not be empty), but an existing member still counts as updated,
    // as in SQLite.
    Result<std::optional<GroupMemberRecord>> member = find(group_id, user_id);
    if (!member.ok()) return member.status();
    if (!member.value()) return false;
  } else {
    BsonPtr filter(bson_new());
    appendMemberId(filter.get(), "_id", group_id, user_id);
    BsonPtr changes(bson_new());
    bson_t set;
    BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
    if (update.name) appendString(&set, kName, *update.name);
    appendOptionalInt32(&set, kRole, update.role);
    appendOptionalDate(&set, kJoinDate, update.join_date);
    // A past date unmutes; the field is never cleared, as in GroupUpdate.
    appendOptionalDate(&set, kMuteEndDate, update.mute_end_date);
    bson_append_document_end(changes.get(), &set);
    Result<UpdateOutcome> outcome = updateOne(connection_, kMembers, filter.get(), changes.get(),
                                              /*upsert=*/false, "update group member");
    if (!outcome.ok()) return outcome.status();
    if (outcome->matched == 0) return false;
  }
  if (const VoidResult done = bumpMembersVersion(connection_, group_id, now_millis); !done.ok()) {
    return done.status();
  }
  return true;
}

Result<std::vector<GroupMemberRecord>> MongoGroupMemberRepository::search(
    const GroupMemberSearch& search, int64_t skip, int64_t limit) {
  BsonPtr filter = memberSearchFilter(search);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.gid", BCON_INT32(1), "_id.uid", BCON_INT32(1), "}",
                        "skip", BCON_INT64(skip), "limit", BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr members = client.collection(kMembers);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(members.get(), filter.get(), opts.get(), nullptr));
  return readAll<GroupMemberRecord>(cursor.get(), "search group members", readMember);
}

Result<int64_t> MongoGroupMemberRepository::count(const GroupMemberSearch& search) {
  BsonPtr filter = memberSearchFilter(search);
  auto client = connection_.client();
  CollectionPtr members = client.collection(kMembers);
  return countDocuments(members.get(), filter.get(), "count group members");
}

}  // namespace parley::mongo
