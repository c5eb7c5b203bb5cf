#include "store/mongo/bson_util.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <limits>

namespace parley::mongo {
namespace {

bool findPath(const bson_t* doc, const char* path, bson_iter_t* found) {
  bson_iter_t iter;
  if (!bson_iter_init(&iter, doc)) return false;
  // find_descendant treats a plain key as a one-element path, so this serves both.
  return bson_iter_find_descendant(&iter, path, found);
}

bool isWholeNumber(double value) {
  return std::isfinite(value) && std::trunc(value) == value &&
         value >= static_cast<double>(std::numeric_limits<int64_t>::min()) &&
         value < static_cast<double>(std::numeric_limits<int64_t>::max());
}

int64_t countAt(const bson_t* reply, const char* key) { return int64At(reply, key).value_or(0); }

// values under key as an array, each element appended by append.
void appendArray(bson_t* doc, const char* key, std::span<const std::string> values,
                 void (*append)(bson_t*, const char*, std::string_view)) {
  bson_t array;
  bson_append_array_begin(doc, key, -1, &array);
  uint32_t i = 0;
  for (const std::string& value : values) append(&array, arrayKey(i++).c_str(), value);
  bson_append_array_end(doc, &array);
}

bool binaryElement(const bson_iter_t* element, std::string* value) {
  if (!BSON_ITER_HOLDS_BINARY(element)) return false;
  bson_subtype_t subtype;
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  bson_iter_binary(element, &subtype, &length, &data);
  value->assign(reinterpret_cast<const char*>(data), length);
  return true;
}

bool stringElement(const bson_iter_t* element, std::string* value) {
  if (!BSON_ITER_HOLDS_UTF8(element)) return false;
  uint32_t length = 0;
  const char* text = bson_iter_utf8(element, &length);
  value->assign(text, length);
  return true;
}

}  // namespace

std::string arrayKey(uint32_t i) { return std::to_string(i); }

void appendString(bson_t* doc, const char* key, std::string_view value) {
  bson_append_utf8(doc, key, -1, value.data(), static_cast<int>(value.size()));
}

void appendBinary(bson_t* doc, const char* key, std::string_view bytes) {
  bson_append_binary(doc, key, -1, BSON_SUBTYPE_BINARY,
                     reinterpret_cast<const uint8_t*>(bytes.data()),
                     static_cast<uint32_t>(bytes.size()));
}

void appendBinaryArray(bson_t* doc, const char* key, const std::vector<std::string>& values) {
  appendArray(doc, key, values, appendBinary);
}

void appendStringArray(bson_t* doc, const char* key, std::span<const std::string> values) {
  appendArray(doc, key, values, appendString);
}

void appendDate(bson_t* doc, const char* key, int64_t millis) {
  bson_append_date_time(doc, key, -1, millis);
}

void appendOptionalInt64(bson_t* doc, const char* key, const std::optional<int64_t>& value) {
  if (value) bson_append_int64(doc, key, -1, *value);
}

void appendOptionalInt32(bson_t* doc, const char* key, const std::optional<int32_t>& value) {
  if (value) bson_append_int32(doc, key, -1, *value);
}

void appendOptionalDate(bson_t* doc, const char* key, const std::optional<int64_t>& millis) {
  if (millis) bson_append_date_time(doc, key, -1, *millis);
}

void appendAnyOf(bson_t* doc, const char* field, std::span<const int64_t> values) {
  bson_t condition;
  bson_t in;
  bson_append_document_begin(doc, field, -1, &condition);
  bson_append_array_begin(&condition, "$in", -1, &in);
  uint32_t i = 0;
  for (const int64_t value : values) bson_append_int64(&in, arrayKey(i++).c_str(), -1, value);
  bson_append_array_end(&condition, &in);
  bson_append_document_end(doc, &condition);
}

void appendAnyOf(bson_t* doc, const char* field, std::span<const std::string> values) {
  bson_t condition;
  bson_t in;
  bson_append_document_begin(doc, field, -1, &condition);
  bson_append_array_begin(&condition, "$in", -1, &in);
  uint32_t i = 0;
  for (const std::string& value : values) appendString(&in, arrayKey(i++).c_str(), value);
  bson_append_array_end(&condition, &in);
  bson_append_document_end(doc, &condition);
}

void appendDateRange(bson_t* doc, const char* field, const DateRange& range) {
  if (!range.any()) return;
  bson_t condition;
  bson_append_document_begin(doc, field, -1, &condition);
  if (range.start) appendDate(&condition, "$gte", *range.start);
  if (range.end) appendDate(&condition, "$lt", *range.end);
  bson_append_document_end(doc, &condition);
}

std::optional<int64_t> int64OfIter(const bson_iter_t* iter) {
  switch (bson_iter_type(iter)) {
    case BSON_TYPE_INT64:
      return bson_iter_int64(iter);
    case BSON_TYPE_INT32:
      return bson_iter_int32(iter);
    case BSON_TYPE_DATE_TIME:
      return bson_iter_date_time(iter);
    case BSON_TYPE_DOUBLE: {
      const double value = bson_iter_double(iter);
      if (!isWholeNumber(value)) return std::nullopt;
      return static_cast<int64_t>(value);
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> int64At(const bson_t* doc, const char* path) {
  bson_iter_t found;
  if (!findPath(doc, path, &found)) return std::nullopt;
  return int64OfIter(&found);
}

std::optional<bool> boolAt(const bson_t* doc, const char* path) {
  bson_iter_t found;
  if (!findPath(doc, path, &found) || !BSON_ITER_HOLDS_BOOL(&found)) return std::nullopt;
  return bson_iter_bool(&found);
}

std::string stringAt(const bson_t* doc, const char* path) {
  return optionalStringAt(doc, path).value_or(std::string());
}

std::optional<std::string> optionalStringAt(const bson_t* doc, const char* path) {
  bson_iter_t found;
  if (!findPath(doc, path, &found) || !BSON_ITER_HOLDS_UTF8(&found)) return std::nullopt;
  uint32_t length = 0;
  const char* value = bson_iter_utf8(&found, &length);
  return std::string(value, length);
}

std::string binaryAt(const bson_t* doc, const char* path) {
  bson_iter_t found;
  if (!findPath(doc, path, &found) || !BSON_ITER_HOLDS_BINARY(&found)) return {};
  bson_subtype_t subtype;
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  bson_iter_binary(&found, &subtype, &length, &data);
  return std::string(reinterpret_cast<const char*>(data), length);
}

bool DocReader::find(const char* path, bson_iter_t* found) {
  return findPath(doc_, path, found) && !BSON_ITER_HOLDS_NULL(found);
}

void DocReader::fail(const char* path, const char* expected) {
  if (failure_) return;  // the first broken field is enough to find the document
  failure_ = what_ + ": field '" + path + "' is missing or not " + expected;
  spdlog::error("mongo: corrupted document, {}", *failure_);
}

int64_t DocReader::int64(const char* path) {
  const std::optional<int64_t> value = optionalInt64(path);
  if (!value) fail(path, "an integer");
  return value.value_or(0);
}

int32_t DocReader::int32(const char* path) {
  const std::optional<int32_t> value = optionalInt32(path);
  if (!value) fail(path, "a 32-bit integer");
  return value.value_or(0);
}

bool DocReader::boolean(const char* path) {
  bson_iter_t found;
  if (!find(path, &found) || !BSON_ITER_HOLDS_BOOL(&found)) {
    fail(path, "a boolean");
    return false;
  }
  return bson_iter_bool(&found);
}

int64_t DocReader::date(const char* path) {
  const std::optional<int64_t> value = optionalDate(path);
  if (!value) fail(path, "a date");
  return value.value_or(0);
}

std::string DocReader::string(const char* path) {
  bson_iter_t found;
  if (!find(path, &found) || !BSON_ITER_HOLDS_UTF8(&found)) {
    fail(path, "a string");
    return {};
  }
  uint32_t length = 0;
  const char* value = bson_iter_utf8(&found, &length);
  return std::string(value, length);
}

std::optional<int64_t> DocReader::optionalInt64(const char* path) {
  bson_iter_t found;
  if (!find(path, &found)) return std::nullopt;
  const std::optional<int64_t> value = int64OfIter(&found);
  if (!value) fail(path, "an integer");
  return value;
}

std::optional<int32_t> DocReader::optionalInt32(const char* path) {
  bson_iter_t found;
  if (!find(path, &found)) return std::nullopt;
  const std::optional<int64_t> value = int64OfIter(&found);
  if (!value || *value < std::numeric_limits<int32_t>::min() ||
      *value > std::numeric_limits<int32_t>::max()) {
    fail(path, "a 32-bit integer");
    return std::nullopt;
  }
  return static_cast<int32_t>(*value);
}

std::optional<int64_t> DocReader::optionalDate(const char* path) {
  bson_iter_t found;
  if (!find(path, &found)) return std::nullopt;
  // Integers are accepted too: a date written as millis by hand is still that instant.
  const std::optional<int64_t> value = int64OfIter(&found);
  if (!value) fail(path, "a date");
  return value;
}

std::vector<std::string> DocReader::binaryArray(const char* path) {
  return array(path, "an array of binary", binaryElement);
}

std::vector<std::string> DocReader::stringArray(const char* path) {
  return array(path, "an array of strings", stringElement);
}

std::vector<std::string> DocReader::array(const char* path, const char* expected,
                                          bool (*element)(const bson_iter_t*, std::string*)) {
  std::vector<std::string> values;
  bson_iter_t found;
  if (!find(path, &found)) return values;
  bson_iter_t item;
  if (!BSON_ITER_HOLDS_ARRAY(&found) || !bson_iter_recurse(&found, &item)) {
    fail(path, expected);
    return values;
  }
  while (bson_iter_next(&item)) {
    if (!element(&item, &values.emplace_back())) {
      fail(path, expected);
      return {};
    }
  }
  return values;
}

VoidResult DocReader::status() const {
  if (failure_) return error(StatusCode::kServerInternalError, *failure_);
  return {};
}

bool isDuplicateKeyError(const bson_error_t& error) {
  return error.code == 11000 || error.code == 11001;
}

VoidResult forEach(mongoc_cursor_t* cursor, const char* what,
                   const std::function<void(const bson_t*)>& fn) {
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor, &doc)) fn(doc);
  bson_error_t error;
  if (mongoc_cursor_error(cursor, &error)) return toStatus(error, what);
  return {};
}

Result<std::optional<BsonPtr>> findOne(mongoc_collection_t* collection, const bson_t* filter,
                                       const char* what, const bson_t* opts) {
  BsonPtr options(bson_new());
  if (opts) bson_concat(options.get(), opts);
  BSON_APPEND_INT64(options.get(), "limit", 1);
  CursorPtr cursor(mongoc_collection_find_with_opts(collection, filter, options.get(), nullptr));
  std::optional<BsonPtr> found;
  const VoidResult done = forEach(cursor.get(), what, [&](const bson_t* doc) {
    if (!found) found = BsonPtr(bson_copy(doc));
  });
  if (!done.ok()) return done.status();
  return found;
}

Result<int64_t> countDocuments(mongoc_collection_t* collection, const bson_t* filter,
                               const char* what) {
  bson_error_t error;
  const int64_t count =
      mongoc_collection_count_documents(collection, filter, nullptr, nullptr, nullptr, &error);
  if (count < 0) return toStatus(error, what);
  return count;
}

namespace {

using UpdateFn = bool (*)(mongoc_collection_t*, const bson_t*, const bson_t*, const bson_t*,
                          bson_t*, bson_error_t*);

Result<UpdateOutcome> runUpdate(UpdateFn update_fn, const Connection& connection,
                                const char* collection, const bson_t* filter, const bson_t* update,
                                bool upsert, const char* what) {
  BsonPtr opts = writeOptions(connection);
  if (upsert) BSON_APPEND_BOOL(opts.get(), "upsert", true);
  auto client = connection.client();
  CollectionPtr target = client.collection(collection);
  bson_t reply;
  bson_error_t error;
  const bool ok = update_fn(target.get(), filter, update, opts.get(), &reply, &error);
  UpdateOutcome outcome;
  outcome.matched = countAt(&reply, "matchedCount");
  outcome.modified = countAt(&reply, "modifiedCount");
  outcome.upserted = countAt(&reply, "upsertedCount");
  bson_destroy(&reply);
  if (!ok) return toStatus(error, what);
  return outcome;
}

}  // namespace

Result<UpdateOutcome> updateOne(const Connection& connection, const char* collection,
                                const bson_t* filter, const bson_t* update, bool upsert,
                                const char* what) {
  return runUpdate(&mongoc_collection_update_one, connection, collection, filter, update, upsert,
                   what);
}

Result<UpdateOutcome> updateMany(const Connection& connection, const char* collection,
                                 const bson_t* filter, const bson_t* update, const char* what) {
  return runUpdate(&mongoc_collection_update_many, connection, collection, filter, update,
                   /*upsert=*/false, what);
}

Result<int64_t> deleteMany(const Connection& connection, const char* collection,
                           const bson_t* filter, const char* what) {
  BsonPtr opts = writeOptions(connection);
  auto client = connection.client();
  CollectionPtr target = client.collection(collection);
  bson_t reply;
  bson_error_t error;
  const bool ok = mongoc_collection_delete_many(target.get(), filter, opts.get(), &reply, &error);
  const int64_t deleted = countAt(&reply, "deletedCount");
  bson_destroy(&reply);
  if (!ok) return toStatus(error, what);
  return deleted;
}

Result<bool> replaceOrMove(const Connection& connection, const char* collection,
                           const bson_t* filter, const bson_t* doc, bool moves_shard_key,
                           const char* what) {
  BsonPtr opts = writeOptions(connection);
  auto client = connection.client();
  CollectionPtr target = client.collection(collection);
  bson_t reply;
  bson_error_t error;
  const bool ok =
      moves_shard_key
          ? mongoc_collection_delete_one(target.get(), filter, opts.get(), &reply, &error)
          : mongoc_collection_replace_one(target.get(), filter, doc, opts.get(), &reply, &error);
  const int64_t matched = countAt(&reply, moves_shard_key ? "deletedCount" : "matchedCount");
  bson_destroy(&reply);
  if (!ok) return toStatus(error, what);
  if (matched == 0) return false;
  if (moves_shard_key &&
      !mongoc_collection_insert_one(target.get(), doc, opts.get(), nullptr, &error)) {
    return toStatus(error, what);
  }
  return true;
}

Result<BulkOutcome> bulkWrite(
    const Connection& connection, mongoc_collection_t* collection, bool ordered, const char* what,
    const std::function<bool(mongoc_bulk_operation_t*, bson_error_t*)>& fill) {
  BsonPtr opts = writeOptions(connection);
  BSON_APPEND_BOOL(opts.get(), "ordered", ordered);
  struct BulkDeleter {
    void operator()(mongoc_bulk_operation_t* bulk) const { mongoc_bulk_operation_destroy(bulk); }
  };
  std::unique_ptr<mongoc_bulk_operation_t, BulkDeleter> bulk(
      mongoc_collection_create_bulk_operation_with_opts(collection, opts.get()));
  bson_error_t error;
  if (!fill(bulk.get(), &error)) return toStatus(error, what);

  bson_t reply;
  const bool ok = mongoc_bulk_operation_execute(bulk.get(), &reply, &error) != 0;
  BulkOutcome outcome;
  outcome.inserted = countAt(&reply, "nInserted");
  outcome.matched = countAt(&reply, "nMatched");
  outcome.modified = countAt(&reply, "nModified");
  outcome.upserted = countAt(&reply, "nUpserted");
  outcome.deleted = countAt(&reply, "nRemoved");
  bool other_write_error = false;
  bson_iter_t iter;
  bson_iter_t errors;
  if (bson_iter_init_find(&iter, &reply, "writeErrors") && BSON_ITER_HOLDS_ARRAY(&iter) &&
      bson_iter_recurse(&iter, &errors)) {
    while (bson_iter_next(&errors)) {
      bson_iter_t code;
      bson_iter_t index;
      const int64_t code_value = bson_iter_recurse(&errors, &code) && bson_iter_find(&code, "code")
                                     ? int64OfIter(&code).value_or(0)
                                     : 0;
      if (code_value == 11000 || code_value == 11001) {
        if (bson_iter_recurse(&errors, &index) && bson_iter_find(&index, "index")) {
          outcome.duplicate_indexes.push_back(static_cast<size_t>(int64OfIter(&index).value_or(0)));
        }
      } else {
        other_write_error = true;
      }
    }
  }
  bson_iter_t concern;
  bson_iter_t concern_errors;
  const bool write_concern_error = bson_iter_init_find(&concern, &reply, "writeConcernErrors") &&
                                   BSON_ITER_HOLDS_ARRAY(&concern) &&
                                   bson_iter_recurse(&concern, &concern_errors) &&
                                   bson_iter_next(&concern_errors);
  bson_destroy(&reply);
  // Duplicates alone are an outcome the caller interprets; anything else fails the bulk.
  if (!ok && (other_write_error || write_concern_error || outcome.duplicate_indexes.empty())) {
    return toStatus(error, what);
  }
  return outcome;
}

Result<std::optional<BsonPtr>> findAndModify(const Connection& connection,
                                             mongoc_collection_t* collection, const bson_t* filter,
                                             const bson_t* update, bool upsert, bool return_new,
                                             const char* what) {
  struct OptsDeleter {
    void operator()(mongoc_find_and_modify_opts_t* opts) const {
      mongoc_find_and_modify_opts_destroy(opts);
    }
  };
  std::unique_ptr<mongoc_find_and_modify_opts_t, OptsDeleter> opts(
      mongoc_find_and_modify_opts_new());
  mongoc_find_and_modify_opts_set_update(opts.get(), update);
  int flags = MONGOC_FIND_AND_MODIFY_NONE;
  if (upsert) flags |= MONGOC_FIND_AND_MODIFY_UPSERT;
  if (return_new) flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW;
  mongoc_find_and_modify_opts_set_flags(opts.get(),
                                        static_cast<mongoc_find_and_modify_flags_t>(flags));
  BsonPtr extra = writeOptions(connection);
  mongoc_find_and_modify_opts_append(opts.get(), extra.get());

  bson_t reply;
  bson_error_t error;
  const bool ok =
      mongoc_collection_find_and_modify_with_opts(collection, filter, opts.get(), &reply, &error);
  if (!ok) {
    bson_destroy(&reply);
    return toStatus(error, what);
  }
  std::optional<BsonPtr> result;
  bson_iter_t iter;
  if (bson_iter_init_find(&iter, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&iter)) {
    uint32_t length = 0;
    const uint8_t* data = nullptr;
    bson_iter_document(&iter, &length, &data);
    result = BsonPtr(bson_new_from_data(data, length));
  }
  bson_destroy(&reply);
  return result;
}

namespace {

Result<BulkOutcome> insertAll(const Connection& connection, mongoc_collection_t* collection,
                              bool ordered, size_t count,
                              const std::function<BsonPtr(size_t)>& document, const char* what) {
  return bulkWrite(
      connection, collection, ordered, what,
      [&](mongoc_bulk_operation_t* bulk, bson_error_t* error) {
        for (size_t i = 0; i < count; ++i) {
          BsonPtr doc = document(i);
          if (!mongoc_bulk_operation_insert_with_opts(bulk, doc.get(), nullptr, error)) {
            return false;
          }
        }
        return true;
      });
}

}  // namespace

Result<BulkOutcome> insertUnordered(const Connection& connection, mongoc_collection_t* collection,
                                    size_t count, const std::function<BsonPtr(size_t)>& document,
                                    const char* what) {
  return insertAll(connection, collection, /*ordered=*/false, count, document, what);
}

Result<BulkOutcome> insertOrdered(const Connection& connection, mongoc_collection_t* collection,
                                  size_t count, const std::function<BsonPtr(size_t)>& document,
                                  const char* what) {
  return insertAll(connection, collection, /*ordered=*/true, count, document, what);
}

}  // namespace parley::mongo
