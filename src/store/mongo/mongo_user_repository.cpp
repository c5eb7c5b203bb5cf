#include "store/mongo/mongo_user_repository.h"

#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kUsers = "user";

// Upstream's short names (turms-service's domain/user/po classes): pw password, n name, pp profile
// picture, pas profile access strategy, pgid permission group ("role") id, rd registration date, dd
// deletion date (absent until soft-deleted), lud last updated date, act is active.
constexpr const char* kPassword = "pw";
constexpr const char* kName = "n";
constexpr const char* kIntro = "intro";
constexpr const char* kProfilePicture = "pp";
constexpr const char* kProfileAccessStrategy = "pas";
constexpr const char* kPermissionGroupId = "pgid";
constexpr const char* kRegistrationDate = "rd";
constexpr const char* kDeletionDate = "dd";
constexpr const char* kLastUpdatedDate = "lud";
constexpr const char* kIsActive = "act";

BsonPtr userDocument(const UserRecord& user) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", user.id);
  appendString(doc.get(), kPassword, user.password_hash);
  appendString(doc.get(), kName, user.name);
  appendString(doc.get(), kIntro, user.intro);
  appendString(doc.get(), kProfilePicture, user.profile_picture);
  BSON_APPEND_INT32(doc.get(), kProfileAccessStrategy, user.profile_access_strategy);
  BSON_APPEND_INT64(doc.get(), kPermissionGroupId, user.permission_group_id);
  appendDate(doc.get(), kRegistrationDate, user.registration_date);
  appendOptionalDate(doc.get(), kDeletionDate, user.deletion_date);
  appendDate(doc.get(), kLastUpdatedDate, user.last_updated_date);
  BSON_APPEND_BOOL(doc.get(), kIsActive, user.is_active);
  return doc;
}

Result<UserRecord> readUser(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  DocReader reader(doc, "user " + (id ? std::to_string(*id) : std::string("?")));
  UserRecord user;
  user.id = reader.int64("_id");
  user.password_hash = reader.string(kPassword);
  user.name = reader.string(kName);
  user.intro = reader.string(kIntro);
  user.profile_picture = reader.string(kProfilePicture);
  user.profile_access_strategy = reader.int32(kProfileAccessStrategy);
  user.permission_group_id = reader.int64(kPermissionGroupId);
  user.registration_date = reader.date(kRegistrationDate);
  user.deletion_date = reader.optionalDate(kDeletionDate);
  user.last_updated_date = reader.date(kLastUpdatedDate);
  user.is_active = reader.boolean(kIsActive);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return user;
}

Result<std::vector<UserRecord>> readUsers(mongoc_cursor_t* cursor, const char* what) {
  std::vector<UserRecord> users;
  Status failure;
  const VoidResult done = forEach(cursor, what, [&](const bson_t* doc) {
    Result<UserRecord> user = readUser(doc);
    if (!user.ok()) {
      if (failure.isOk()) failure = user.status();
      return;
    }
    users.push_back(std::move(user).value());
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return users;
}

// {dd: null} matches users that were never soft-deleted (the field is absent).
void appendNotDeleted(bson_t* filter) { BSON_APPEND_NULL(filter, kDeletionDate); }

}  // namespace

// Every lookup is by _id. list() walks the _id index in order; countActive() counts the
// active_not_deleted index alone. Shard key {_id: hashed}: user ids are Snowflake ids that grow
// with time, so a range key would send every registration to the last chunk; hashing spreads
// them, and every hot read (login, profile, findByIds) names the id and stays targeted. Only the
// admin API's list() becomes a scatter-gather, which mongos merges in _id order.
const std::vector<CollectionSpec>& MongoUserRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kUsers,
       {{"active_not_deleted", R"({"act": 1, "dd": 1})"}, {"by_name", R"({"n": 1, "_id": 1})"}},
       R"({"_id": "hashed"})"},
  };
  return specs;
}

VoidResult MongoUserRepository::insert(const UserRecord& user) {
  BsonPtr doc = userDocument(user);
  BsonPtr opts = writeOptions(connection_);
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  bson_error_t error;
  if (!mongoc_collection_insert_one(users.get(), doc.get(), opts.get(), nullptr, &error)) {
    return toStatus(error, "insert user");  // a taken id is kRecordContainsDuplicateKey
  }
  return {};
}

Result<int64_t> MongoUserRepository::insertMany(std::span<const UserRecord> users) {
  if (users.empty()) return int64_t{0};
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kUsers);
  // Unordered: an existing id fails alone with a duplicate key (skipped, as the interface says)
  // and the rest are still inserted.
  Result<BulkOutcome> outcome = insertUnordered(
      connection_, collection.get(), users.size(), [&](size_t i) { return userDocument(users[i]); },
      "insert users");
  if (!outcome.ok()) return outcome.status();
  return outcome->inserted;
}

Result<std::optional<UserRecord>> MongoUserRepository::findById(int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  Result<std::optional<BsonPtr>> found = findOne(users.get(), filter.get(), "find user");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<UserRecord>();
  Result<UserRecord> user = readUser(found.value()->get());
  if (!user.ok()) return user.status();
  return std::optional<UserRecord>(std::move(user).value());
}

Result<std::vector<UserRecord>> MongoUserRepository::findByIds(std::span<const int64_t> ids) {
  if (ids.empty()) return std::vector<UserRecord>();
  BsonPtr filter(bson_new());
  appendAnyOf(filter.get(), "_id", ids);
  BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}"));
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(users.get(), filter.get(), opts.get(), nullptr));
  return readUsers(cursor.get(), "find users");
}

Result<std::vector<UserRecord>> MongoUserRepository::list(int64_t after_id, int limit) {
  if (limit <= 0) return std::vector<UserRecord>();
  BsonPtr filter(BCON_NEW("_id", "{", "$gt", BCON_INT64(after_id), "}"));
  appendNotDeleted(filter.get());
  BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "limit", BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(users.get(), filter.get(), opts.get(), nullptr));
  return readUsers(cursor.get(), "list users");
}

// A range of the by_name index (on every shard: names are not the shard key).
Result<std::vector<UserRecord>> MongoUserRepository::searchByName(
    const std::string& prefix, std::span<const int64_t> within_ids, int skip, int limit) {
  if (limit <= 0) return std::vector<UserRecord>();
  BsonPtr filter(bson_new());
  bson_t range;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), kName, &range);
  appendString(&range, "$gte", prefix);
  appendString(&range, "$lt", namePrefixEnd(prefix));
  bson_append_document_end(filter.get(), &range);
  appendNotDeleted(filter.get());
  if (!within_ids.empty()) appendAnyOf(filter.get(), "_id", within_ids);
  BsonPtr opts(BCON_NEW("sort", "{", kName, BCON_INT32(1), "_id", BCON_INT32(1), "}", "skip",
                        BCON_INT64(skip), "limit", BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(users.get(), filter.get(), opts.get(), nullptr));
  return readUsers(cursor.get(), "search users by name");
}

Result<int64_t> MongoUserRepository::countActive() {
  BsonPtr filter(BCON_NEW(kIsActive, BCON_BOOL(true)));
  appendNotDeleted(filter.get());
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  return countDocuments(users.get(), filter.get(), "count active users");
}

Result<bool> MongoUserRepository::update(int64_t id, const UserUpdate& update) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  appendNotDeleted(filter.get());
  BsonPtr changes(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
  if (update.password_hash) appendString(&set, kPassword, *update.password_hash);
  if (update.name) appendString(&set, kName, *update.name);
  if (update.intro) appendString(&set, kIntro, *update.intro);
  if (update.profile_picture) appendString(&set, kProfilePicture, *update.profile_picture);
  appendOptionalInt32(&set, kProfileAccessStrategy, update.profile_access_strategy);
  appendOptionalInt64(&set, kPermissionGroupId, update.permission_group_id);
  if (update.is_active) BSON_APPEND_BOOL(&set, kIsActive, *update.is_active);
  appendDate(&set, kLastUpdatedDate, update.last_updated_date);
  bson_append_document_end(changes.get(), &set);
  Result<UpdateOutcome> outcome =
      updateOne(connection_, kUsers, filter.get(), changes.get(), /*upsert=*/false, "update user");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

Result<bool> MongoUserRepository::softDelete(int64_t id, int64_t now_millis) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  appendNotDeleted(filter.get());
  BsonPtr changes(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
  appendDate(&set, kDeletionDate, now_millis);
  BSON_APPEND_BOOL(&set, kIsActive, false);
  appendDate(&set, kLastUpdatedDate, now_millis);
  bson_append_document_end(changes.get(), &set);
  Result<UpdateOutcome> outcome =
      updateOne(connection_, kUsers, filter.get(), changes.get(), /*upsert=*/false, "delete user");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

Result<bool> MongoUserRepository::isEmpty() {
  BsonPtr filter(bson_new());
  BsonPtr opts(BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}"));
  auto client = connection_.client();
  CollectionPtr users = client.collection(kUsers);
  Result<std::optional<BsonPtr>> found =
      findOne(users.get(), filter.get(), "check for users", opts.get());
  if (!found.ok()) return found.status();
  return !found.value().has_value();
}

}  // namespace parley::mongo
