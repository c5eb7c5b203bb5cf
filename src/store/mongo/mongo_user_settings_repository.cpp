#include "store/mongo/mongo_user_settings_repository.h"

#include <algorithm>
#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kUserSettings = "userSettings";
// Upstream's names (turms-service's domain/user/po/UserSettings.java).
constexpr const char* kSettings = "s";
constexpr const char* kLastUpdatedDate = "lud";

std::string settingPath(const std::string& name) { return std::string(kSettings) + "." + name; }

// {$max: {lud}}: a node whose clock is behind never moves the date back, so a client filtering
// by the date it last saw never misses a change.
void appendLastUpdatedDate(bson_t* update, int64_t now_millis) {
  bson_t max;
  BSON_APPEND_DOCUMENT_BEGIN(update, "$max", &max);
  appendDate(&max, kLastUpdatedDate, now_millis);
  bson_append_document_end(update, &max);
}

}  // namespace

// Read and written by _id only. Shard key {_id: hashed}: one user's document, targeted.
const std::vector<CollectionSpec>& MongoUserSettingsRepository::collections() {
  static const std::vector<CollectionSpec> specs{{kUserSettings, {}, R"({"_id": "hashed"})"}};
  return specs;
}

Result<std::vector<std::string>> MongoUserSettingsRepository::upsert(
    int64_t user_id, const std::map<std::string, std::string>& settings,
    const std::vector<std::string>& immutable, int64_t now_millis) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(user_id)));
  std::vector<std::string> guarded;
  for (const std::string& name : immutable) {
    if (!settings.contains(name)) continue;
    guarded.push_back(name);
    bson_t absent;
    BSON_APPEND_DOCUMENT_BEGIN(filter.get(), settingPath(name).c_str(), &absent);
    BSON_APPEND_BOOL(&absent, "$exists", false);
    bson_append_document_end(filter.get(), &absent);
  }
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  for (const auto& [name, value] : settings) appendBinary(&set, settingPath(name).c_str(), value);
  bson_append_document_end(update.get(), &set);
  appendLastUpdatedDate(update.get(), now_millis);
  Result<UpdateOutcome> written = updateOne(connection_, kUserSettings, filter.get(), update.get(),
                                            /*upsert=*/true, "upsert user settings");
  if (written.ok()) return std::vector<std::string>();
  if (written.status().code != StatusCode::kRecordContainsDuplicateKey || guarded.empty()) {
    return written.status();
  }
  // The document exists and holds a guarded setting (or a concurrent first write created it:
  // then nothing is stored under the guarded names and the caller may retry).
  Result<std::optional<UserSettingsRecord>> stored = find(user_id);
  if (!stored.ok()) return stored.status();
  std::vector<std::string> conflicts;
  for (const std::string& name : guarded) {
    if (stored.value() && stored.value()->settings.contains(name)) conflicts.push_back(name);
  }
  if (conflicts.empty()) return written.status();
  std::sort(conflicts.begin(), conflicts.end());
  return conflicts;
}

Result<bool> MongoUserSettingsRepository::remove(int64_t user_id,
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
    BSON_APPEND_DOCUMENT_BEGIN(&present, settingPath(name).c_str(), &exists);
    BSON_APPEND_BOOL(&exists, "$exists", true);
    bson_append_document_end(&present, &exists);
    bson_append_document_end(&any, &present);
  }
  bson_append_array_end(filter.get(), &any);
  BsonPtr update(bson_new());
  bson_t unset;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$unset", &unset);
  for (const std::string& name : names) appendString(&unset, settingPath(name).c_str(), "");
  bson_append_document_end(update.get(), &unset);
  appendLastUpdatedDate(update.get(), now_millis);
  Result<UpdateOutcome> written = updateOne(connection_, kUserSettings, filter.get(), update.get(),
                                            /*upsert=*/false, "delete user settings");
  if (!written.ok()) return written.status();
  return written->matched > 0;
}

Result<std::optional<UserSettingsRecord>> MongoUserSettingsRepository::find(int64_t user_id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(user_id)));
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kUserSettings);
  Result<std::optional<BsonPtr>> found = findOne(collection.get(), filter.get(), "find settings");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<UserSettingsRecord>();
  const bson_t* doc = found.value()->get();
  DocReader reader(doc, "settings of user " + std::to_string(user_id));
  UserSettingsRecord record;
  record.user_id = user_id;
  record.last_updated_date = reader.date(kLastUpdatedDate);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  bson_iter_t iter;
  bson_iter_t settings;
  if (bson_iter_init_find(&iter, doc, kSettings) && BSON_ITER_HOLDS_DOCUMENT(&iter) &&
      bson_iter_recurse(&iter, &settings)) {
    while (bson_iter_next(&settings)) {
      if (!BSON_ITER_HOLDS_BINARY(&settings)) {
        return error(StatusCode::kServerInternalError,
                     "setting \"" + std::string(bson_iter_key(&settings)) + "\" of user " +
                         std::to_string(user_id) + " is not a serialized value");
      }
      bson_subtype_t subtype;
      uint32_t length = 0;
      const uint8_t* bytes = nullptr;
      bson_iter_binary(&settings, &subtype, &length, &bytes);
      record.settings[bson_iter_key(&settings)] =
          std::string(reinterpret_cast<const char*>(bytes), length);
    }
  }
  return std::optional<UserSettingsRecord>(std::move(record));
}

}  // namespace parley::mongo
