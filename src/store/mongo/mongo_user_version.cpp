#include "store/mongo/mongo_user_version.h"

#include <string>

namespace parley::mongo {

BsonPtr setDate(const char* field, int64_t millis) {
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  appendDate(&set, field, millis);
  bson_append_document_end(update.get(), &set);
  return update;
}

VoidResult moveVersionPastStored(const Connection& connection, mongoc_collection_t* collection,
                                 int64_t id, const char* field) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  Result<std::optional<BsonPtr>> found = findOne(collection, filter.get(), "find version");
  if (!found.ok()) return found.status();
  if (!found.value()) return {};  // the document is gone: nothing left to version
  const std::optional<int64_t> stored = int64At(found.value()->get(), field);
  if (!stored) return {};  // removed since the caller's write (by hand: Parley never does)
  BsonPtr compare(BCON_NEW("_id", BCON_INT64(id)));
  appendDate(compare.get(), field, *stored);
  BsonPtr update = setDate(field, *stored + 1);
  BsonPtr opts = writeOptions(connection);
  bson_error_t error;
  if (!mongoc_collection_update_one(collection, compare.get(), update.get(), opts.get(), nullptr,
                                    &error)) {
    return toStatus(error, "move version forward");
  }
  return {};
}

// Without one write for max(v + 1, now) (no pipeline updates on FerretDB):
//   1. "v = now where v < now or v is unset", an upsert, so it also creates the user's document:
//      the usual case, one write;
//   2. when v >= now, the upsert fails on the existing _id; then compare-and-set v = old + 1. When
//      the compare fails another writer moved v after our data change, which is all a reader needs.
// A document lacking the field is moved too: another kind may have created it.
VoidResult moveUserVersionForward(const Connection& connection, int64_t user_id, const char* field,
                                  int64_t now_millis) {
  BsonPtr update = setDate(field, now_millis);
  BsonPtr behind(BCON_NEW("_id", BCON_INT64(user_id), field, "{", "$not", "{", "$gte",
                          BCON_DATE_TIME(now_millis), "}", "}"));
  Result<UpdateOutcome> moved = updateOne(connection, kUserVersions, behind.get(), update.get(),
                                          /*upsert=*/true, "move user version forward");
  if (moved.ok()) return {};
  if (moved.status().code != StatusCode::kRecordContainsDuplicateKey) return moved.status();

  auto client = connection.client();
  CollectionPtr versions = client.collection(kUserVersions);
  return moveVersionPastStored(connection, versions.get(), user_id, field);
}

Result<std::optional<int64_t>> findUserVersion(const Connection& connection, int64_t user_id,
                                               const char* field) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(user_id)));
  auto client = connection.client();
  CollectionPtr versions = client.collection(kUserVersions);
  Result<std::optional<BsonPtr>> found = findOne(versions.get(), filter.get(), "find user version");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<int64_t>();
  DocReader reader(found.value()->get(),
                   std::string("version ") + field + " of user " + std::to_string(user_id));
  const std::optional<int64_t> version = reader.optionalDate(field);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return version;
}

}  // namespace parley::mongo
