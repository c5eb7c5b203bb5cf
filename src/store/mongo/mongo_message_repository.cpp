#include "store/mongo/mongo_message_repository.h"

#include <algorithm>
#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kMessages = "message";

// Upstream's short names (turms-service's domain/message/po/Message.java): gm is group message, sm
// is system message, sid sender, tid target (recipient user or group), dyd delivery date, md
// modification date, rd recall date, txt text, rec records (BSON binary each), bf burn after, pmid
// pre-message id, rid referenced message id, sqid sequence id. ck is ours: the conversation key
// (conversationKey()), so a conversation's messages share one shard and one index range.
constexpr const char* kIsGroup = "gm";
constexpr const char* kIsSystem = "sm";
constexpr const char* kSender = "sid";
constexpr const char* kTarget = "tid";
constexpr const char* kDeliveryDate = "dyd";
constexpr const char* kModificationDate = "md";
constexpr const char* kRecallDate = "rd";
constexpr const char* kText = "txt";
constexpr const char* kRecords = "rec";
constexpr const char* kBurnAfter = "bf";
constexpr const char* kPreMessageId = "pmid";
constexpr const char* kReferenceId = "rid";
constexpr const char* kSequenceId = "sqid";
constexpr const char* kConversation = "ck";

std::string conversationKeyOf(const MessageRecord& message) {
  return conversationKey(message.is_group_message, message.target_id, message.sender_id);
}

BsonPtr messageDocument(const MessageRecord& message) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", message.id);
  BSON_APPEND_BOOL(doc.get(), kIsGroup, message.is_group_message);
  BSON_APPEND_BOOL(doc.get(), kIsSystem, message.is_system_message);
  BSON_APPEND_INT64(doc.get(), kSender, message.sender_id);
  BSON_APPEND_INT64(doc.get(), kTarget, message.target_id);
  appendDate(doc.get(), kDeliveryDate, message.delivery_date);
  appendOptionalDate(doc.get(), kModificationDate, message.modification_date);
  appendOptionalDate(doc.get(), kRecallDate, message.recall_date);
  appendString(doc.get(), kText, message.text);
  appendBinaryArray(doc.get(), kRecords, message.records);
  appendOptionalInt32(doc.get(), kBurnAfter, message.burn_after);
  appendOptionalInt64(doc.get(), kPreMessageId, message.pre_message_id);
  appendOptionalInt64(doc.get(), kReferenceId, message.reference_id);
  BSON_APPEND_INT64(doc.get(), kSequenceId, message.sequence_id);
  appendString(doc.get(), kConversation, conversationKeyOf(message));
  return doc;
}

Result<MessageRecord> readMessage(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  DocReader reader(doc, "message " + (id ? std::to_string(*id) : std::string("?")));
  MessageRecord message;
  message.id = reader.int64("_id");
  message.is_group_message = reader.boolean(kIsGroup);
  message.is_system_message = reader.boolean(kIsSystem);
  message.sender_id = reader.int64(kSender);
  message.target_id = reader.int64(kTarget);
  message.delivery_date = reader.date(kDeliveryDate);
  message.modification_date = reader.optionalDate(kModificationDate);
  message.recall_date = reader.optionalDate(kRecallDate);
  message.text = reader.string(kText);
  message.records = reader.binaryArray(kRecords);
  message.burn_after = reader.optionalInt32(kBurnAfter);
  message.pre_message_id = reader.optionalInt64(kPreMessageId);
  message.reference_id = reader.optionalInt64(kReferenceId);
  message.sequence_id = reader.optionalInt64(kSequenceId).value_or(0);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return message;
}

// True when the query cannot match anything, so nothing needs to be sent.
bool matchesNothing(const MessageQuery& query) {
  return query.are_group_messages && query.group_ids.empty();
}

// The filter of query() and countByConversation(). Served by the target_date index: tid (and
// gm) are always equalities and dyd a range. The conversation keys are redundant with tid/sid but
// name the shard key, so behind mongos a group query or a private query with peers goes only to
// the shards holding those conversations.
BsonPtr queryFilter(const MessageQuery& query) {
  BsonPtr filter(bson_new());
  std::vector<std::string> conversations;
  if (query.are_group_messages) {
    appendAnyOf(filter.get(), kTarget, query.group_ids);
    BSON_APPEND_BOOL(filter.get(), kIsGroup, true);
    for (const int64_t group_id : query.group_ids) {
      conversations.push_back(conversationKey(true, group_id, 0));
    }
  } else {
    BSON_APPEND_INT64(filter.get(), kTarget, query.recipient_id);
    BSON_APPEND_BOOL(filter.get(), kIsGroup, false);
    if (!query.peer_ids.empty()) {
      appendAnyOf(filter.get(), kSender, query.peer_ids);
      for (const int64_t peer_id : query.peer_ids) {
        conversations.push_back(conversationKey(false, query.recipient_id, peer_id));
      }
    }
  }
  if (!conversations.empty()) appendAnyOf(filter.get(), kConversation, conversations);
  if (!query.ids.empty()) appendAnyOf(filter.get(), "_id", query.ids);
  if (query.delivery_date_start || query.delivery_date_end) {
    bson_t range;
    BSON_APPEND_DOCUMENT_BEGIN(filter.get(), kDeliveryDate, &range);
    if (query.delivery_date_start) appendDate(&range, "$gte", *query.delivery_date_start);
    if (query.delivery_date_end) appendDate(&range, "$lt", *query.delivery_date_end);
    bson_append_document_end(filter.get(), &range);
  }
  if (query.are_system_messages) {
    BSON_APPEND_BOOL(filter.get(), kIsSystem, *query.are_system_messages);
  }
  // Recalled messages carry rd; {rd: null} matches those that do not.
  if (!query.include_recalled) BSON_APPEND_NULL(filter.get(), kRecallDate);
  return filter;
}

Result<std::optional<MessageRecord>> findMessage(mongoc_collection_t* messages, int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  Result<std::optional<BsonPtr>> found = findOne(messages, filter.get(), "find message");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<MessageRecord>();
  Result<MessageRecord> message = readMessage(found.value()->get());
  if (!message.ok()) return message.status();
  return std::optional<MessageRecord>(std::move(message).value());
}

// After a duplicate key on insert: the stored message is either this one (a retried write: OK)
// or another one with the same id (a conflict).
VoidResult acceptRetry(mongoc_collection_t* messages, const MessageRecord& message) {
  Result<std::optional<MessageRecord>> existing = findMessage(messages, message.id);
  if (!existing.ok()) return existing.status();
  if (existing.value() && **existing == message) return {};
  return error(StatusCode::kRecordContainsDuplicateKey,
               "message " + std::to_string(message.id) + " exists with other content");
}

}  // namespace

std::string conversationKey(bool is_group, int64_t a, int64_t b) {
  if (is_group) return "g:" + std::to_string(a);
  return "p:" + std::to_string(std::min(a, b)) + ":" + std::to_string(std::max(a, b));
}

// Indexes: target_date serves every query() and countByConversation() (tid and gm equalities,
// then dyd, then _id, so "ORDER BY delivery date, id" with a limit reads the index in order and
// stops); conversation_sequence serves maxSequenceId() as one seek; findById, update and the ids
// filter use _id.
//
// Shard key {ck: hashed}: a conversation's messages stay on one shard, so its history, its
// highest sequence id and a group's messages are targeted reads, while hashing spreads writes
// over every shard by conversation. Not {_id} (a Snowflake id grows with time: every insert would
// hit the last chunk) and not upstream's {dyd: 1} (the same hot-chunk problem, which upstream
// accepts for tiered storage). A retried insert has the same ck and so meets its first attempt
// on the same shard, where the _id index makes it idempotent.
const std::vector<CollectionSpec>& MongoMessageRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kMessages,
       {{"target_date", R"({"tid": 1, "gm": 1, "dyd": 1, "_id": 1})"},
        {"conversation_sequence", R"({"ck": 1, "sqid": -1})"}},
       R"({"ck": "hashed"})"},
  };
  return specs;
}

VoidResult MongoMessageRepository::insert(const MessageRecord& message) {
  BsonPtr doc = messageDocument(message);
  BsonPtr opts = writeOptions(connection_);
  auto client = connection_.client();
  CollectionPtr messages = client.collection(kMessages);
  bson_error_t error;
  if (mongoc_collection_insert_one(messages.get(), doc.get(), opts.get(), nullptr, &error)) {
    return {};
  }
  if (isDuplicateKeyError(error)) return acceptRetry(messages.get(), message);
  return toStatus(error, "insert message");
}

Result<int64_t> MongoMessageRepository::insertMany(std::span<const MessageRecord> messages) {
  if (messages.empty()) return int64_t{0};
  auto client = connection_.client();
  CollectionPtr collection = client.collection(kMessages);
  // Unordered: an existing id fails alone and is checked below; the rest go on.
  Result<BulkOutcome> outcome = insertUnordered(
      connection_, collection.get(), messages.size(),
      [&](size_t i) { return messageDocument(messages[i]); }, "insert messages");
  if (!outcome.ok()) return outcome.status();
  for (const size_t index : outcome->duplicate_indexes) {
    if (index >= messages.size()) continue;
    if (const VoidResult same = acceptRetry(collection.get(), messages[index]); !same.ok()) {
      return same.status();
    }
  }
  return outcome->inserted;
}

Result<std::optional<MessageRecord>> MongoMessageRepository::findById(int64_t id) {
  auto client = connection_.client();
  CollectionPtr messages = client.collection(kMessages);
  return findMessage(messages.get(), id);
}

Result<std::vector<MessageRecord>> MongoMessageRepository::query(const MessageQuery& query) {
  if (query.max_count <= 0 || matchesNothing(query)) return std::vector<MessageRecord>();
  BsonPtr filter = queryFilter(query);
  const int32_t order = query.descending ? -1 : 1;
  BsonPtr opts(BCON_NEW("sort", "{", kDeliveryDate, BCON_INT32(order), "_id", BCON_INT32(order),
                        "}", "limit", BCON_INT64(query.max_count)));
  auto client = connection_.client();
  CollectionPtr messages = client.collection(kMessages);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(messages.get(), filter.get(), opts.get(), nullptr));
  std::vector<MessageRecord> found;
  Status failure;
  const VoidResult done = forEach(cursor.get(), "query messages", [&](const bson_t* doc) {
    Result<MessageRecord> message = readMessage(doc);
    if (!message.ok()) {
      if (failure.isOk()) failure = message.status();
      return;
    }
    found.push_back(std::move(message).value());
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return found;
}

Result<std::vector<std::pair<int64_t, int64_t>>> MongoMessageRepository::countByConversation(
    const MessageQuery& query) {
  using Counts = std::vector<std::pair<int64_t, int64_t>>;
  if (matchesNothing(query)) return Counts();
  BsonPtr filter = queryFilter(query);
  // Private totals are per sender (the peer), group totals per group.
  const char* group_by = query.are_group_messages ? "$tid" : "$sid";
  BsonPtr pipeline(bson_new());
  bson_t stages;
  bson_t stage;
  BSON_APPEND_ARRAY_BEGIN(pipeline.get(), "pipeline", &stages);
  BSON_APPEND_DOCUMENT_BEGIN(&stages, "0", &stage);
  BSON_APPEND_DOCUMENT(&stage, "$match", filter.get());
  bson_append_document_end(&stages, &stage);
  BSON_APPEND_DOCUMENT_BEGIN(&stages, "1", &stage);
  BsonPtr group(BCON_NEW("_id", BCON_UTF8(group_by), "n", "{", "$sum", BCON_INT32(1), "}"));
  BSON_APPEND_DOCUMENT(&stage, "$group", group.get());
  bson_append_document_end(&stages, &stage);
  BSON_APPEND_DOCUMENT_BEGIN(&stages, "2", &stage);
  BsonPtr sort(BCON_NEW("_id", BCON_INT32(1)));
  BSON_APPEND_DOCUMENT(&stage, "$sort", sort.get());
  bson_append_document_end(&stages, &stage);
  bson_append_array_end(pipeline.get(), &stages);

  auto client = connection_.client();
  CollectionPtr messages = client.collection(kMessages);
  CursorPtr cursor(mongoc_collection_aggregate(messages.get(), MONGOC_QUERY_NONE, pipeline.get(),
                                               nullptr, nullptr));
  Counts counts;
  Status failure;
  const VoidResult done = forEach(cursor.get(), "count messages", [&](const bson_t* doc) {
    const std::optional<int64_t> key = int64At(doc, "_id");
    const std::optional<int64_t> count = int64At(doc, "n");
    if (!key || !count) {
      if (failure.isOk()) {
        failure = error(StatusCode::kServerInternalError, "malformed message count");
      }
      return;
    }
    counts.emplace_back(*key, *count);
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return counts;
}

Result<bool> MongoMessageRepository::update(int64_t id, const MessageUpdate& update) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  BsonPtr changes(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
  if (update.text) appendString(&set, kText, *update.text);
  if (update.records) appendBinaryArray(&set, kRecords, *update.records);
  // A recall is never undone, so an unset recall date leaves the stored one alone.
  appendOptionalDate(&set, kRecallDate, update.recall_date);
  appendDate(&set, kModificationDate, update.modification_date);
  bson_append_document_end(changes.get(), &set);
  Result<UpdateOutcome> outcome = updateOne(connection_, kMessages, filter.get(), changes.get(),
                                            /*upsert=*/false, "update message");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

Result<int64_t> MongoMessageRepository::maxSequenceId(bool is_group, int64_t a, int64_t b) {
  const std::string key = conversationKey(is_group, a, b);
  BsonPtr filter(
      BCON_NEW(kConversation, BCON_UTF8(key.c_str()), kSequenceId, "{", "$gt", BCON_INT64(0), "}"));
  BsonPtr opts(BCON_NEW("sort", "{", kSequenceId, BCON_INT32(-1), "}", "projection", "{",
                        kSequenceId, BCON_INT32(1), "}"));
  auto client = connection_.client();
  CollectionPtr messages = client.collection(kMessages);
  Result<std::optional<BsonPtr>> found =
      findOne(messages.get(), filter.get(), "find max sequence id", opts.get());
  if (!found.ok()) return found.status();
  if (!found.value()) return int64_t{0};
  return int64At(found.value()->get(), kSequenceId).value_or(0);
}

}  // namespace parley::mongo
