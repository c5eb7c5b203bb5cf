#include "store/mongo/mongo_user_values_repository.h"

#include <algorithm>
#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

// Upstream's name of the date in both documents (UserSettings.lud, User.lud).
constexpr const char* kLastUpdatedDate = "lud";

// {$max: {lud}}: a node whose clock is behind never moves the date back, so a client filtering
// by the date it last saw never misses a change.
void appendLastUpdatedDate(bson_t* update, int64_t now_millis) {
  bson_t max;
  BSON_APPEND_DOCUMENT_BEGIN(update, "$max", &max);
  appendDate(&max, kLastUpdatedDate, now_millis);
  bson_append_document_end(update, &max);
}

}  // namespace

// userSettings is read and written by _id only. Shard key {_id: hashed}: one user's document,
// targeted.
const std::vector<CollectionSpec>& MongoUserValuesRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kUserSettingsLayout.collection, {}, R"({"_id": "hashed"})"}};
  return specs;
}

std::string MongoUserValuesRepository::pathOf(const std::string& name) const {
  return std::string(layout_.field) + "." + name;
}

Result<std::vector<std::string>> MongoUserValuesRepository::upsert(
    int64_t user_id, const std::map<std::string, std::string>& values,
    const std::vector<std::string>& immutable, int64_t now_millis) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(user_id)));
  std::vector<std::string> guarded;
  for (const std::string& name : immutable) {
    if (!values.contains(name)) continue;
    guarded.push_back(name);
    bson_t absent;
    BSON_APPEND_DOCUMENT_BEGIN(filter.get(), pathOf(name).c_str(), &absent);
    BSON_APPEND_BOOL(&absent, "$exists", false);
    bson_append_document_end(filter.get(), &absent);
  }
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  for (const auto& [name, value] : values) appendBinary(&set, pathOf(name).c_str(), value);
  bson_append_document_end(update.get(), &set);
  appendLastUpdatedDate(update.get(), now_millis);
  Result<UpdateOutcome> written =
      updateOne(connection_, layout_.collection, filter.get(), update.get(),
                layout_.create_document, "upsert user values");
  const bool guard_held = written.ok()
                              ? written->matched > 0 || written->upserted > 0
                              : written.status().code == StatusCode::kRecordContainsDuplicateKey;
  if (written.ok() && guard_held) return std::vector<std::string>();
  if (!written.ok() && (!guard_held || guarded.empty())) return written.status();
  // Nothing was written: a guarded name is stored, or (without create_document) there is no
  // document, or a concurrent first write created it (a retry then succeeds).
  Result<std::optional<UserValuesRecord>> stored = find(user_id);
  if (!stored.ok()) return stored.status();
  std::vector<std::string> conflicts;
  for (const std::string& name : guarded) {
    if (stored.value() && stored.value()->values.contains(name)) conflicts.push_back(name);
  }
  if (!conflicts.empty()) {
    std::sort(conflicts.begin(), conflicts.end());
    return conflicts;
  }
  return error(StatusCode::kServerInternalError, "user " + std::to_string(user_id) +
                                                     "'s values were not written: no document, "
                                                     "or a concurrent first write; retry");
}

Result<bool> MongoUserValuesRepository::remove(int64_t user_id,
                                               const std::vector<std::string>& names,
                                               int64_t now_millis) {
  if (names.empty()) return false;
  // Matches only when one of the names is stored, so "something was removed" is `matched`.
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(user_id)));
  bson_t any;
  BSON_APPEND_ARRAY_BEGIN(filter.get(), "$or", &any);
  uint32_t i = 0;
  for (const std::string& name : names) {
    bson_t present;
    const std::string key = arrayKey(i++);
    BSON_APPEND_DOCUMENT_BEGIN(&any, key.c_str(), &present);
    bson_t exists;
    BSON_APPEND_DOCUMENT_BEGIN(&present, pathOf(name).c_str(), &exists);
    BSON_APPEND_BOOL(&exists, "$exists", true);
    bson_append_document_end(&present, &exists);
    bson_append_document_end(&any, &present);
  }
  bson_append_array_end(filter.get(), &any);
  BsonPtr update(bson_new());
  bson_t unset;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$unset", &unset);
  for (const std::string& name : names) appendString(&unset, pathOf(name).c_str(), "");
  bson_append_document_end(update.get(), &unset);
  appendLastUpdatedDate(update.get(), now_millis);
  Result<UpdateOutcome> written = updateOne(connection_, layout_.collection, filter.get(),
                                            update.get(), /*upsert=*/false, "delete user values");
  if (!written.ok()) return written.status();
  return written->matched > 0;
}

Result<std::optional<UserValuesRecord>> MongoUserValuesRepository::find(int64_t user_id) {
  const int64_t ids[] = {user_id};
  Result<std::vector<UserValuesRecord>> found = findMany(ids);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<UserValuesRecord>();
  return std::optional<UserValuesRecord>(std::move(found->front()));
}

Result<std::vector<UserValuesRecord>> MongoUserValuesRepository::findMany(
    std::span<const int64_t> user_ids) {
  std::vector<UserValuesRecord> records;
  if (user_ids.empty()) return records;
  BsonPtr filter(bson_new());
  appendAnyOf(filter.get(), "_id", user_ids);
  bson_t present;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), layout_.field, &present);
  BSON_APPEND_BOOL(&present, "$exists", true);
  bson_append_document_end(filter.get(), &present);
  BsonPtr opts(BCON_NEW("projection", "{", layout_.field, BCON_INT32(1), kLastUpdatedDate,
                        BCON_INT32(1), "}", "sort", "{", "_id", BCON_INT32(1), "}"));
  auto client = connection_.client();
  CollectionPtr collection = client.collection(layout_.collection);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(collection.get(), filter.get(), opts.get(), nullptr));
  Status failure;
  const VoidResult done = forEach(cursor.get(), "find user values", [&](const bson_t* doc) {
    DocReader reader(doc, std::string(layout_.field) + " of a user");
    UserValuesRecord record;
    record.user_id = reader.int64("_id");
    record.last_updated_date = reader.date(kLastUpdatedDate);
    if (const VoidResult status = reader.status(); !status.ok()) {
      if (failure.isOk()) failure = status.status();
      return;
    }
    bson_iter_t iter;
    bson_iter_t values;
    if (bson_iter_init_find(&iter, doc, layout_.field) && BSON_ITER_HOLDS_DOCUMENT(&iter) &&
        bson_iter_recurse(&iter, &values)) {
      while (bson_iter_next(&values)) {
        if (!BSON_ITER_HOLDS_BINARY(&values)) {
          if (failure.isOk()) {
            failure =
                error(StatusCode::kServerInternalError,
                      std::string(layout_.field) + "." + bson_iter_key(&values) + " of user " +
                          std::to_string(record.user_id) + " is not a serialized value");
          }
          return;
        }
        bson_subtype_t subtype;
        uint32_t length = 0;
        const uint8_t* bytes = nullptr;
        bson_iter_binary(&values, &subtype, &length, &bytes);
        record.values[bson_iter_key(&values)] =
            std::string(reinterpret_cast<const char*>(bytes), length);
      }
    }
    records.push_back(std::move(record));
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return records;
}

}  // namespace parley::mongo
