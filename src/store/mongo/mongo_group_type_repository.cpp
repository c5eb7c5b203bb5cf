#include "store/mongo/mongo_group_type_repository.h"

#include <stdexcept>
#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kGroupTypes = "groupType";
// Upstream's names (turms-service's domain/group/po/GroupType.java).
constexpr const char* kName = "n";
constexpr const char* kGroupSizeLimit = "gsl";
constexpr const char* kInvitationStrategy = "is";
constexpr const char* kJoinStrategy = "js";
constexpr const char* kGroupInfoUpdateStrategy = "gius";
constexpr const char* kMemberInfoUpdateStrategy = "mius";
constexpr const char* kGuestSpeakable = "gs";
constexpr const char* kSelfInfoUpdatable = "siu";
constexpr const char* kEnableReadReceipt = "err";
constexpr const char* kMessageEditable = "me";

template <typename Enum>
int32_t ordinal(Enum value) {
  return static_cast<int32_t>(value);
}

BsonPtr typeDocument(const GroupTypeRecord& type) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", type.id);
  appendString(doc.get(), kName, type.name);
  BSON_APPEND_INT32(doc.get(), kGroupSizeLimit, type.group_size_limit);
  BSON_APPEND_INT32(doc.get(), kInvitationStrategy, ordinal(type.invitation_strategy));
  BSON_APPEND_INT32(doc.get(), kJoinStrategy, ordinal(type.join_strategy));
  BSON_APPEND_INT32(doc.get(), kGroupInfoUpdateStrategy, ordinal(type.group_info_update_strategy));
  BSON_APPEND_INT32(doc.get(), kMemberInfoUpdateStrategy,
                    ordinal(type.member_info_update_strategy));
  BSON_APPEND_BOOL(doc.get(), kGuestSpeakable, type.guest_speakable);
  BSON_APPEND_BOOL(doc.get(), kSelfInfoUpdatable, type.self_info_updatable);
  BSON_APPEND_BOOL(doc.get(), kEnableReadReceipt, type.enable_read_receipt);
  BSON_APPEND_BOOL(doc.get(), kMessageEditable, type.message_editable);
  return doc;
}

Result<GroupTypeRecord> readType(const bson_t* doc) {
  DocReader reader(doc, "group type");
  GroupTypeRecord type;
  type.id = reader.int64("_id");
  type.name = reader.string(kName);
  type.group_size_limit = reader.int32(kGroupSizeLimit);
  type.invitation_strategy =
      static_cast<GroupInvitationStrategy>(reader.int32(kInvitationStrategy));
  type.join_strategy = static_cast<GroupJoinStrategy>(reader.int32(kJoinStrategy));
  type.group_info_update_strategy =
      static_cast<GroupUpdateStrategy>(reader.int32(kGroupInfoUpdateStrategy));
  type.member_info_update_strategy =
      static_cast<GroupUpdateStrategy>(reader.int32(kMemberInfoUpdateStrategy));
  type.guest_speakable = reader.boolean(kGuestSpeakable);
  type.self_info_updatable = reader.boolean(kSelfInfoUpdatable);
  type.enable_read_receipt = reader.boolean(kEnableReadReceipt);
  type.message_editable = reader.boolean(kMessageEditable);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return type;
}

BsonPtr idsFilter(std::span<const int64_t> ids) {
  BsonPtr filter(bson_new());
  appendAnyOf(filter.get(), "_id", ids);
  return filter;
}

template <typename Enum>
void appendOptionalOrdinal(bson_t* doc, const char* key, const std::optional<Enum>& value) {
  if (value) BSON_APPEND_INT32(doc, key, ordinal(*value));
}

void appendOptionalBool(bson_t* doc, const char* key, const std::optional<bool>& value) {
  if (value) BSON_APPEND_BOOL(doc, key, *value);
}

}  // namespace

// A handful of documents read whole on every node: no index beyond _id, and not sharded.
const std::vector<CollectionSpec>& MongoGroupTypeRepository::collections() {
  static const std::vector<CollectionSpec> specs{{kGroupTypes, {}, ""}};
  return specs;
}

void MongoGroupTypeRepository::ensureDefaultType() {
  const VoidResult inserted = insert(defaultGroupType());
  if (inserted.ok() || inserted.status().code == StatusCode::kRecordContainsDuplicateKey) return;
  throw std::runtime_error("MongoDB: cannot add the DEFAULT group type: " +
                           inserted.status().reason);
}

VoidResult MongoGroupTypeRepository::insert(const GroupTypeRecord& type) {
  BsonPtr doc = typeDocument(type);
  BsonPtr opts = writeOptions(connection_);
  auto client = connection_.client();
  CollectionPtr types = client.collection(kGroupTypes);
  bson_error_t error;
  if (mongoc_collection_insert_one(types.get(), doc.get(), opts.get(), nullptr, &error)) return {};
  if (isDuplicateKeyError(error)) {
    return parley::error(StatusCode::kRecordContainsDuplicateKey,
                         "group type " + std::to_string(type.id) + " exists");
  }
  return toStatus(error, "insert group type");
}

Result<std::optional<GroupTypeRecord>> MongoGroupTypeRepository::findById(int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  auto client = connection_.client();
  CollectionPtr types = client.collection(kGroupTypes);
  Result<std::optional<BsonPtr>> found = findOne(types.get(), filter.get(), "find group type");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<GroupTypeRecord>();
  Result<GroupTypeRecord> type = readType(found.value()->get());
  if (!type.ok()) return type.status();
  return std::optional<GroupTypeRecord>(std::move(type).value());
}

Result<std::vector<GroupTypeRecord>> MongoGroupTypeRepository::findAll(int64_t skip,
                                                                       int64_t limit) {
  BsonPtr filter(bson_new());
  BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "skip", BCON_INT64(skip), "limit",
                        BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr types = client.collection(kGroupTypes);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(types.get(), filter.get(), opts.get(), nullptr));
  return readAll(cursor.get(), "find group types", &readType);
}

Result<int64_t> MongoGroupTypeRepository::count() {
  BsonPtr filter(bson_new());
  auto client = connection_.client();
  CollectionPtr types = client.collection(kGroupTypes);
  return countDocuments(types.get(), filter.get(), "count group types");
}

Result<int64_t> MongoGroupTypeRepository::update(std::span<const int64_t> ids,
                                                 const GroupTypeUpdate& update) {
  if (ids.empty()) return int64_t{0};
  BsonPtr filter = idsFilter(ids);
  if (update.empty()) {
    // $set must not be empty; nothing changes, but the answer counts the types that exist.
    auto client = connection_.client();
    CollectionPtr types = client.collection(kGroupTypes);
    return countDocuments(types.get(), filter.get(), "count group types");
  }
  BsonPtr change(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(change.get(), "$set", &set);
  if (update.name) appendString(&set, kName, *update.name);
  appendOptionalInt32(&set, kGroupSizeLimit, update.group_size_limit);
  appendOptionalOrdinal(&set, kInvitationStrategy, update.invitation_strategy);
  appendOptionalOrdinal(&set, kJoinStrategy, update.join_strategy);
  appendOptionalOrdinal(&set, kGroupInfoUpdateStrategy, update.group_info_update_strategy);
  appendOptionalOrdinal(&set, kMemberInfoUpdateStrategy, update.member_info_update_strategy);
  appendOptionalBool(&set, kGuestSpeakable, update.guest_speakable);
  appendOptionalBool(&set, kSelfInfoUpdatable, update.self_info_updatable);
  appendOptionalBool(&set, kEnableReadReceipt, update.enable_read_receipt);
  appendOptionalBool(&set, kMessageEditable, update.message_editable);
  bson_append_document_end(change.get(), &set);
  Result<UpdateOutcome> updated =
      updateMany(connection_, kGroupTypes, filter.get(), change.get(), "update group types");
  if (!updated.ok()) return updated.status();
  return updated->matched;
}

Result<int64_t> MongoGroupTypeRepository::remove(std::span<const int64_t> ids) {
  if (ids.empty()) return int64_t{0};
  BsonPtr filter = idsFilter(ids);
  return deleteMany(connection_, kGroupTypes, filter.get(), "delete group types");
}

}  // namespace parley::mongo
