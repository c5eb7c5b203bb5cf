#include "store/mongo/mongo_group_blocklist_repository.h"

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kBlockedUsers = "groupBlockedUser";
constexpr const char* kBlockDate = "bd";
constexpr const char* kRequesterId = "rid";

BsonPtr keyFilter(int64_t group_id, int64_t user_id) {
  BsonPtr filter(bson_new());
  appendMemberId(filter.get(), "_id", group_id, user_id);  // upstream's key, as the members'
  return filter;
}

// The documents matching filter, in the order (and page) of opts; by user id without it.
Result<std::vector<GroupBlockedUserRecord>> findDocs(const Connection& connection,
                                                     const bson_t* filter, const char* what,
                                                     const bson_t* opts = nullptr) {
  auto client = connection.client();
  CollectionPtr blocked = client.collection(kBlockedUsers);
  BsonPtr by_user(BCON_NEW("sort", "{", "_id.uid", BCON_INT32(1), "}"));
  CursorPtr cursor(mongoc_collection_find_with_opts(blocked.get(), filter,
                                                    opts ? opts : by_user.get(), nullptr));
  return readAll<GroupBlockedUserRecord>(
      cursor.get(), what, [](const bson_t* doc) -> Result<GroupBlockedUserRecord> {
        GroupBlockedUserRecord record;
        record.group_id = int64At(doc, "_id.gid").value_or(0);
        record.user_id = int64At(doc, "_id.uid").value_or(0);
        record.block_date = int64At(doc, kBlockDate).value_or(0);
        record.requester_id = int64At(doc, kRequesterId).value_or(0);
        return record;
      });
}

BsonPtr searchFilter(const GroupBlockedUserSearch& search) {
  BsonPtr filter(bson_new());
  if (!search.group_ids.empty()) appendAnyOf(filter.get(), "_id.gid", search.group_ids);
  if (!search.user_ids.empty()) appendAnyOf(filter.get(), "_id.uid", search.user_ids);
  if (!search.requester_ids.empty()) appendAnyOf(filter.get(), kRequesterId, search.requester_ids);
  appendDateRange(filter.get(), kBlockDate, search.block_date);
  return filter;
}

}  // namespace

// Read by group; a block checks one key. Shard key {_id.gid: hashed}, as the members: one
// group's blocklist stays on one shard and every query names the group.
const std::vector<CollectionSpec>& MongoGroupBlocklistRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kBlockedUsers,
       {{"by_group", R"({"_id.gid": 1, "_id.uid": 1})"}},
       R"({"_id.gid": "hashed"})"},
  };
  return specs;
}

// Without a transaction: the block is written first, then the membership goes, then the
// version moves. A failure halfway leaves the user blocked and maybe still a member, which a
// retried block (what a client does after an error) completes.
Result<GroupBlockOutcome> MongoGroupBlocklistRepository::block(
    const GroupBlockedUserRecord& blocked, int64_t now_millis) {
  BsonPtr filter = keyFilter(blocked.group_id, blocked.user_id);
  BsonPtr update(bson_new());
  bson_t fields;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$setOnInsert", &fields);
  appendDate(&fields, kBlockDate, blocked.block_date);
  BSON_APPEND_INT64(&fields, kRequesterId, blocked.requester_id);
  bson_append_document_end(update.get(), &fields);
  Result<UpdateOutcome> written = updateOne(connection_, kBlockedUsers, filter.get(), update.get(),
                                            /*upsert=*/true, "block group user");
  if (!written.ok() && written.status().code != StatusCode::kRecordContainsDuplicateKey) {
    return written.status();
  }
  GroupBlockOutcome outcome;
  // A duplicate key is a concurrent block of the same user that inserted first.
  outcome.newly_blocked = written.ok() && written->upserted > 0;
  const int64_t user[] = {blocked.user_id};
  Result<int64_t> removed = members_.remove(blocked.group_id, user, now_millis);
  if (!removed.ok()) return removed.status();
  outcome.was_member = removed.value() > 0;
  if (!outcome.newly_blocked && !outcome.was_member) return outcome;
  if (VoidResult bumped =
          bumpGroupVersion(connection_, blocked.group_id, kGroupBlocklistVersion, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  return outcome;
}

Result<bool> MongoGroupBlocklistRepository::unblock(int64_t group_id, int64_t user_id,
                                                    int64_t now_millis) {
  BsonPtr filter = keyFilter(group_id, user_id);
  Result<int64_t> deleted =
      deleteMany(connection_, kBlockedUsers, filter.get(), "unblock group user");
  if (!deleted.ok()) return deleted.status();
  if (deleted.value() == 0) return false;
  if (VoidResult bumped =
          bumpGroupVersion(connection_, group_id, kGroupBlocklistVersion, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  return true;
}

Result<std::vector<GroupBlockedUserRecord>> MongoGroupBlocklistRepository::findBlocked(
    int64_t group_id) {
  BsonPtr filter(BCON_NEW("_id.gid", BCON_INT64(group_id)));
  return findDocs(connection_, filter.get(), "find group blocked users");
}

Result<std::vector<int64_t>> MongoGroupBlocklistRepository::findBlockedAmong(
    int64_t group_id, std::span<const int64_t> user_ids) {
  if (user_ids.empty()) return std::vector<int64_t>();
  BsonPtr filter(BCON_NEW("_id.gid", BCON_INT64(group_id)));
  appendAnyOf(filter.get(), "_id.uid", user_ids);
  Result<std::vector<GroupBlockedUserRecord>> found =
      findDocs(connection_, filter.get(), "find blocked group users");
  if (!found.ok()) return found.status();
  std::vector<int64_t> ids;
  for (const GroupBlockedUserRecord& record : *found) ids.push_back(record.user_id);
  return ids;
}

Result<std::optional<int64_t>> MongoGroupBlocklistRepository::findVersion(int64_t group_id) {
  return findGroupVersion(connection_, group_id, kGroupBlocklistVersion);
}

Result<std::vector<GroupBlockedUserRecord>> MongoGroupBlocklistRepository::search(
    const GroupBlockedUserSearch& search, int64_t skip, int64_t limit) {
  BsonPtr filter = searchFilter(search);
  BsonPtr opts(BCON_NEW("sort", "{", "_id.gid", BCON_INT32(1), "_id.uid", BCON_INT32(1), "}",
                        "skip", BCON_INT64(skip), "limit", BCON_INT64(limit)));
  return findDocs(connection_, filter.get(), "search group blocked users", opts.get());
}

Result<int64_t> MongoGroupBlocklistRepository::count(const GroupBlockedUserSearch& search) {
  BsonPtr filter = searchFilter(search);
  auto client = connection_.client();
  CollectionPtr blocked = client.collection(kBlockedUsers);
  return countDocuments(blocked.get(), filter.get(), "count group blocked users");
}

Result<bool> MongoGroupBlocklistRepository::update(int64_t group_id, int64_t user_id,
                                                   const GroupBlockedUserUpdate& update,
                                                   int64_t now_millis) {
  BsonPtr filter = keyFilter(group_id, user_id);
  if (!update.block_date && !update.requester_id) {
    // Nothing to set ($set must not be empty), but a blocked user still counts as updated, as in
    // SQLite.
    Result<std::vector<GroupBlockedUserRecord>> found =
        findDocs(connection_, filter.get(), "find group blocked user");
    if (!found.ok()) return found.status();
    if (found->empty()) return false;
  } else {
    BsonPtr changes(bson_new());
    bson_t set;
    BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
    appendOptionalDate(&set, kBlockDate, update.block_date);
    appendOptionalInt64(&set, kRequesterId, update.requester_id);
    bson_append_document_end(changes.get(), &set);
    Result<UpdateOutcome> outcome =
        updateOne(connection_, kBlockedUsers, filter.get(), changes.get(), /*upsert=*/false,
                  "update group blocked user");
    if (!outcome.ok()) return outcome.status();
    if (outcome->matched == 0) return false;
  }
  if (VoidResult bumped =
          bumpGroupVersion(connection_, group_id, kGroupBlocklistVersion, now_millis);
      !bumped.ok()) {
    return bumped.status();
  }
  return true;
}

}  // namespace parley::mongo
