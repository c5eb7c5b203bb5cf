#include "store/mongo/mongo_conversation_repository.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string>
#include <utility>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kPrivateConversations = "privateConversation";
constexpr const char* kGroupConversations = "groupConversation";
constexpr const char* kSettings = "conversationSettings";

// Upstream's names (turms-service's domain/conversation/po classes): rd = the owner's read date of
// a private conversation, mr = member id -> read date of a group conversation.
constexpr const char* kReadDate = "rd";
constexpr const char* kMemberReadDates = "mr";
constexpr const char* kValue = "v";
constexpr const char* kLastUpdatedDate = "lud";

// Two upserts of the same new _id at once can fail with a duplicate key on servers that do not
// retry that themselves (MongoDB before 4.2); the second attempt then updates the document.
constexpr int kUpsertAttempts = 2;

void appendPrivateKey(bson_t* doc, const char* key, int64_t owner_id, int64_t target_id) {
  bson_t id;
  bson_append_document_begin(doc, key, -1, &id);
  BSON_APPEND_INT64(&id, "oid", owner_id);
  BSON_APPEND_INT64(&id, "tid", target_id);
  bson_append_document_end(doc, &id);
}

void appendSettingKey(bson_t* doc, const char* key, int64_t owner_id, bool is_group,
                      int64_t target_id, const std::string& name) {
  bson_t id;
  bson_append_document_begin(doc, key, -1, &id);
  BSON_APPEND_INT64(&id, "oid", owner_id);
  BSON_APPEND_BOOL(&id, "g", is_group);
  BSON_APPEND_INT64(&id, "tid", target_id);
  appendString(&id, "n", name);
  bson_append_document_end(doc, &id);
}

// The member ids of a group conversation are the keys of `mr`, in decimal.
std::string memberPath(int64_t member_id) {
  return std::string(kMemberReadDates) + "." + std::to_string(member_id);
}

std::string idText(const std::optional<int64_t>& id) {
  return id ? std::to_string(*id) : std::string("?");
}

Result<PrivateConversationRecord> readPrivateConversation(const bson_t* doc) {
  DocReader reader(doc, "private conversation " + idText(int64At(doc, "_id.oid")) + " -> " +
                            idText(int64At(doc, "_id.tid")));
  PrivateConversationRecord conversation;
  conversation.owner_id = reader.int64("_id.oid");
  conversation.target_id = reader.int64("_id.tid");
  conversation.read_date = reader.date(kReadDate);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return conversation;
}

Result<GroupConversationRecord> readGroupConversation(const bson_t* doc) {
  const std::string what = "group conversation " + idText(int64At(doc, "_id"));
  DocReader reader(doc, what);
  GroupConversationRecord conversation;
  conversation.group_id = reader.int64("_id");
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  bson_iter_t iter;
  bson_iter_t members;
  if (!bson_iter_init_find(&iter, doc, kMemberReadDates)) return conversation;
  if (!BSON_ITER_HOLDS_DOCUMENT(&iter) || !bson_iter_recurse(&iter, &members)) {
    return error(StatusCode::kServerInternalError, what + ": field 'mr' is not a document");
  }
  while (bson_iter_next(&members)) {
    const std::string_view key = bson_iter_key(&members);
    int64_t member_id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), member_id);
    const std::optional<int64_t> date = int64OfIter(&members);
    if (ec != std::errc() || end != key.data() + key.size() || !date) {
      return error(StatusCode::kServerInternalError,
                   what + ": entry 'mr." + std::string(key) + "' is not member id -> date");
    }
    conversation.member_read_dates[member_id] = *date;
  }
  return conversation;
}

}  // namespace

// privateConversation: one document per (owner, target), keyed {oid, tid} as upstream, holding
// the owner's read date. Reads and writes are _id lookups. Shard key {_id.oid: hashed},
// upstream's: an owner's conversations are on one shard, so a query of several targets is
// targeted, and hashing spreads the owners.
//
// groupConversation: one document per group (_id = group id) with the map mr of member read
// dates, as upstream; a read receipt is one $max on mr.<member>. Shard key {_id: hashed}: every
// read and write names the group, and hashing spreads ids that grow with time.
//
// conversationSettings: one document per (owner, kind, target, setting name), keyed
// {oid, g, tid, n}, holding the value (a serialized im.turms.proto.Value, as BSON binary) and the
// conversation's last updated date. Upstream keeps one document per conversation with a map of
// settings, but setting names are free-form and a BSON key cannot hold every string (dots, a
// leading $, NUL); as a field value a name is just data, and deleting settings is one deleteMany
// with an exact count. by_conversation serves every query (all name the owner, then optionally the
// kind and targets). Shard key {_id.oid: hashed}, upstream's: an owner's settings are on one
// shard.
const std::vector<CollectionSpec>& MongoConversationRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kPrivateConversations, {}, R"({"_id.oid": "hashed"})"},
      {kGroupConversations, {}, R"({"_id": "hashed"})"},
      {kSettings,
       {{"by_conversation", R"({"_id.oid": 1, "_id.g": 1, "_id.tid": 1, "_id.n": 1})"}},
       R"({"_id.oid": "hashed"})"},
  };
  return specs;
}

Result<int64_t> MongoConversationRepository::upsertPrivateReadDate(int64_t owner_id,
                                                                   int64_t target_id,
                                                                   int64_t read_date) {
  BsonPtr filter(bson_new());
  appendPrivateKey(filter.get(), "_id", owner_id, target_id);
  // $max keeps a read date from moving backwards within the one write, so two concurrent
  // receipts cannot interleave a read and a write.
  BsonPtr update(bson_new());
  bson_t max;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$max", &max);
  appendDate(&max, kReadDate, read_date);
  bson_append_document_end(update.get(), &max);

  auto client = connection_.client();
  CollectionPtr conversations = client.collection(kPrivateConversations);
  Result<std::optional<BsonPtr>> stored = error(StatusCode::kServerInternalError);
  for (int attempt = 0; attempt < kUpsertAttempts; ++attempt) {
    stored = findAndModify(connection_, conversations.get(), filter.get(), update.get(),
                           /*upsert=*/true, /*return_new=*/true, "update private read date");
    if (stored.ok() || stored.status().code != StatusCode::kRecordContainsDuplicateKey) break;
  }
  if (!stored.ok()) return stored.status();
  if (!stored.value()) {
    return error(StatusCode::kServerInternalError, "private read date upsert returned nothing");
  }
  Result<PrivateConversationRecord> conversation = readPrivateConversation(stored.value()->get());
  if (!conversation.ok()) return conversation.status();
  return conversation->read_date;
}

Result<int64_t> MongoConversationRepository::upsertGroupReadDate(int64_t group_id,
                                                                 int64_t member_id,
                                                                 int64_t read_date) {
  const std::string path = memberPath(member_id);
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(group_id)));
  BsonPtr update(bson_new());
  bson_t max;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$max", &max);
  appendDate(&max, path.c_str(), read_date);
  bson_append_document_end(update.get(), &max);

  Result<UpdateOutcome> outcome = error(StatusCode::kServerInternalError);
  for (int attempt = 0; attempt < kUpsertAttempts; ++attempt) {
    outcome = updateOne(connection_, kGroupConversations, filter.get(), update.get(),
                        /*upsert=*/true, "update group read date");
    if (outcome.ok() || outcome.status().code != StatusCode::kRecordContainsDuplicateKey) break;
  }
  if (!outcome.ok()) return outcome.status();
  // Moved (or created): the date given is the one stored. Otherwise a date >= it is stored, read
  // back alone: findAndModify would return the group's whole map on every receipt.
  if (outcome->modified > 0 || outcome->upserted > 0) return read_date;
  BsonPtr opts(bson_new());
  bson_t projection;
  BSON_APPEND_DOCUMENT_BEGIN(opts.get(), "projection", &projection);
  BSON_APPEND_INT32(&projection, path.c_str(), 1);
  bson_append_document_end(opts.get(), &projection);
  auto client = connection_.client();
  CollectionPtr conversations = client.collection(kGroupConversations);
  Result<std::optional<BsonPtr>> stored =
      findOne(conversations.get(), filter.get(), "find group read date", opts.get());
  if (!stored.ok()) return stored.status();
  if (!stored.value()) {
    return error(StatusCode::kServerInternalError,
                 "group conversation " + std::to_string(group_id) + " vanished");
  }
  DocReader reader(stored.value()->get(), "group conversation " + std::to_string(group_id));
  const int64_t stored_date = reader.date(path.c_str());
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return stored_date;
}

Result<std::vector<PrivateConversationRecord>> MongoConversationRepository::queryPrivate(
    int64_t owner_id, std::span<const int64_t> target_ids) {
  if (target_ids.empty()) return std::vector<PrivateConversationRecord>();
  BsonPtr filter(bson_new());
  bson_t id;
  bson_t in;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &id);
  BSON_APPEND_ARRAY_BEGIN(&id, "$in", &in);
  uint32_t i = 0;
  for (const int64_t target_id : target_ids) {
    appendPrivateKey(&in, arrayKey(i++).c_str(), owner_id, target_id);
  }
  bson_append_array_end(&id, &in);
  bson_append_document_end(filter.get(), &id);

  auto client = connection_.client();
  CollectionPtr conversations = client.collection(kPrivateConversations);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(conversations.get(), filter.get(), nullptr, nullptr));
  return readAll<PrivateConversationRecord>(cursor.get(), "query private conversations",
                                            readPrivateConversation);
}

Result<std::vector<GroupConversationRecord>> MongoConversationRepository::queryGroups(
    std::span<const int64_t> group_ids) {
  if (group_ids.empty()) return std::vector<GroupConversationRecord>();
  BsonPtr filter(bson_new());
  appendAnyOf(filter.get(), "_id", group_ids);
  auto client = connection_.client();
  CollectionPtr conversations = client.collection(kGroupConversations);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(conversations.get(), filter.get(), nullptr, nullptr));
  return readAll<GroupConversationRecord>(cursor.get(), "query group conversations",
                                          readGroupConversation);
}

VoidResult MongoConversationRepository::upsertSettings(const ConversationSettingsRecord& settings) {
  if (settings.settings.empty()) return {};
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kSettings);
  const auto fill = [&](mongoc_bulk_operation_t* bulk, bson_error_t* error) {
    BsonPtr upsert(BCON_NEW("upsert", BCON_BOOL(true)));
    for (const auto& [name, value] : settings.settings) {
      BsonPtr filter(bson_new());
      appendSettingKey(filter.get(), "_id", settings.owner_id, settings.is_group,
                       settings.target_id, name);
      BsonPtr update(bson_new());
      bson_t set;
      BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
      appendBinary(&set, kValue, value);
      appendDate(&set, kLastUpdatedDate, settings.last_updated_date);
      bson_append_document_end(update.get(), &set);
      if (!mongoc_bulk_operation_update_one_with_opts(bulk, filter.get(), update.get(),
                                                      upsert.get(), error)) {
        return false;
      }
    }
    BsonPtr conversation(BCON_NEW("_id.oid", BCON_INT64(settings.owner_id), "_id.g",
                                  BCON_BOOL(settings.is_group), "_id.tid",
                                  BCON_INT64(settings.target_id)));
    BsonPtr touch(bson_new());
    bson_t set;
    BSON_APPEND_DOCUMENT_BEGIN(touch.get(), "$set", &set);
    appendDate(&set, kLastUpdatedDate, settings.last_updated_date);
    bson_append_document_end(touch.get(), &set);
    return mongoc_bulk_operation_update_many_with_opts(bulk, conversation.get(), touch.get(),
                                                       nullptr, error);
  };
  for (int attempt = 0; attempt < kUpsertAttempts; ++attempt) {
    // Ordered: the settings first, then the date of the conversation's other settings. The date
    // belongs to the conversation (queries take its newest setting's), so a partial update
    // re-dates the settings it did not touch too, as in SQLite.
    Result<BulkOutcome> outcome = bulkWrite(connection_, collection.get(), /*ordered=*/true,
                                            "update conversation settings", fill);
    if (!outcome.ok()) return outcome.status();
    // A duplicate is an upsert that raced another on a new setting; the bulk stopped there. The
    // setting exists now, so running the whole update again completes it.
    if (outcome->duplicate_indexes.empty()) return {};
  }
  return error(StatusCode::kServerInternalError, "conversation settings of user " +
                                                     std::to_string(settings.owner_id) +
                                                     " kept colliding with concurrent updates");
}

Result<int64_t> MongoConversationRepository::deleteSettings(int64_t owner_id, bool is_group,
                                                            std::span<const int64_t> target_ids,
                                                            std::span<const std::string> names) {
  BsonPtr filter(BCON_NEW("_id.oid", BCON_INT64(owner_id), "_id.g", BCON_BOOL(is_group)));
  if (!target_ids.empty()) appendAnyOf(filter.get(), "_id.tid", target_ids);
  if (!names.empty()) appendAnyOf(filter.get(), "_id.n", names);
  return deleteMany(connection_, kSettings, filter.get(), "delete conversation settings");
}

Result<std::vector<ConversationSettingsRecord>> MongoConversationRepository::querySettings(
    int64_t owner_id, std::span<const int64_t> user_ids, std::span<const int64_t> group_ids,
    std::optional<int64_t> last_updated_date_start) {
  BsonPtr filter(BCON_NEW("_id.oid", BCON_INT64(owner_id)));
  // No ids = every conversation of the owner; otherwise the named users' and groups'.
  std::vector<std::pair<bool, std::span<const int64_t>>> kinds;
  if (!user_ids.empty()) kinds.emplace_back(false, user_ids);
  if (!group_ids.empty()) kinds.emplace_back(true, group_ids);
  const auto appendKind = [](bson_t* doc, bool is_group, std::span<const int64_t> ids) {
    BSON_APPEND_BOOL(doc, "_id.g", is_group);
    appendAnyOf(doc, "_id.tid", ids);
  };
  if (kinds.size() == 1) {
    appendKind(filter.get(), kinds[0].first, kinds[0].second);
  } else if (kinds.size() == 2) {
    bson_t any;
    BSON_APPEND_ARRAY_BEGIN(filter.get(), "$or", &any);
    for (uint32_t i = 0; i < kinds.size(); ++i) {
      bson_t clause;
      const std::string key = arrayKey(i);
      BSON_APPEND_DOCUMENT_BEGIN(&any, key.c_str(), &clause);
      appendKind(&clause, kinds[i].first, kinds[i].second);
      bson_append_document_end(&any, &clause);
    }
    bson_append_array_end(filter.get(), &any);
  }

  std::map<std::pair<bool, int64_t>, ConversationSettingsRecord> conversations;
  Status failure;
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kSettings);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(collection.get(), filter.get(), nullptr, nullptr));
  const VoidResult done =
      forEach(cursor.get(), "query conversation settings", [&](const bson_t* doc) {
        DocReader reader(doc, "conversation setting of user " + std::to_string(owner_id));
        const bool is_group = reader.boolean("_id.g");
        const int64_t target_id = reader.int64("_id.tid");
        std::string name = reader.string("_id.n");
        const int64_t last_updated_date = reader.date(kLastUpdatedDate);
        bson_iter_t iter;
        const bool has_value =
            bson_iter_init_find(&iter, doc, kValue) && BSON_ITER_HOLDS_BINARY(&iter);
        if (const VoidResult status = reader.status(); !status.ok() || !has_value) {
          if (failure.isOk()) {
            failure = status.ok() ? Status{StatusCode::kServerInternalError,
                                           "conversation setting '" + name + "' of user " +
                                               std::to_string(owner_id) + " has no binary value"}
                                  : status.status();
          }
          return;
        }
        ConversationSettingsRecord& conversation = conversations[{is_group, target_id}];
        conversation.owner_id = owner_id;
        conversation.is_group = is_group;
        conversation.target_id = target_id;
        conversation.settings[std::move(name)] = binaryAt(doc, kValue);
        conversation.last_updated_date =
            std::max(conversation.last_updated_date, last_updated_date);
      });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;

  std::vector<ConversationSettingsRecord> found;
  for (auto& [key, conversation] : conversations) {
    // The date is the conversation's (its newest setting's), so the filter applies per
    // conversation, after grouping.
    if (last_updated_date_start && conversation.last_updated_date < *last_updated_date_start) {
      continue;
    }
    found.push_back(std::move(conversation));
  }
  return found;
}

}  // namespace parley::mongo
