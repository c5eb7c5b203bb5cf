#pragma once
// Private to src/store: small BSON and driver helpers shared by the Mongo repositories, so each
// repository reads as its queries rather than as libbson plumbing. Every helper that talks to the
// server returns a Result (never throws) and logs a failure once, naming `what`.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/date_range.h"
#include "store/mongo/mongo_client.h"

namespace parley::mongo {

// ---- Building documents ----

// The key of array element i ("0", "1", ...).
std::string arrayKey(uint32_t i);

// UTF-8 with an explicit length, so strings holding NULs are stored whole.
void appendString(bson_t* doc, const char* key, std::string_view value);
// Opaque bytes as BSON binary (generic subtype).
void appendBinary(bson_t* doc, const char* key, std::string_view bytes);
// An array of opaque byte strings, each BSON binary.
void appendBinaryArray(bson_t* doc, const char* key, const std::vector<std::string>& values);
// An array of UTF-8 strings.
void appendStringArray(bson_t* doc, const char* key, std::span<const std::string> values);
// Unix milliseconds as a BSON date (upstream's choice for every date field).
void appendDate(bson_t* doc, const char* key, int64_t millis);
// Absent fields are left out rather than stored as null: a query for "not set" is then
// {field: {$exists: false}} or {field: null}, and both match.
void appendOptionalInt64(bson_t* doc, const char* key, const std::optional<int64_t>& value);
void appendOptionalInt32(bson_t* doc, const char* key, const std::optional<int32_t>& value);
void appendOptionalDate(bson_t* doc, const char* key, const std::optional<int64_t>& millis);
// {field: {$in: [values...]}}.
void appendAnyOf(bson_t* doc, const char* field, std::span<const int64_t> values);
void appendAnyOf(bson_t* doc, const char* field, std::span<const std::string> values);
// {field: {$gte: start, $lt: end}} with the sides the range has; nothing when it has none.
void appendDateRange(bson_t* doc, const char* field, const DateRange& range);

// ---- Reading documents ----
// Paths may be dotted ("_id.oid"). Readers accept every numeric BSON type and dates for
// integers, because documents written by another driver or by hand (mongosh stores numbers as
// doubles) must still read back.

std::optional<int64_t> int64OfIter(const bson_iter_t* iter);
std::optional<int64_t> int64At(const bson_t* doc, const char* path);
std::optional<bool> boolAt(const bson_t* doc, const char* path);
// Empty when absent or not a string.
std::string stringAt(const bson_t* doc, const char* path);
// nullopt when absent or not a string (an optional text field, e.g. a request's reason).
std::optional<std::string> optionalStringAt(const bson_t* doc, const char* path);
// Empty when absent or not binary.
std::string binaryAt(const bson_t* doc, const char* path);

// Typed reads for required fields: a missing or mistyped field is a corrupted document, which is
// kServerInternalError naming the field (and logged once), never a crash or a silent zero.
class DocReader {
 public:
  // `what` names the document in errors, e.g. "message 42".
  DocReader(const bson_t* doc, std::string what) : doc_(doc), what_(std::move(what)) {}

  int64_t int64(const char* path);
  int32_t int32(const char* path);
  bool boolean(const char* path);
  int64_t date(const char* path);
  std::string string(const char* path);
  std::optional<int64_t> optionalInt64(const char* path);
  std::optional<int32_t> optionalInt32(const char* path);
  std::optional<int64_t> optionalDate(const char* path);
  // An array of BSON binary values; an absent field reads as empty.
  std::vector<std::string> binaryArray(const char* path);
  // An array of strings; an absent field reads as empty.
  std::vector<std::string> stringArray(const char* path);

  // OK, or the first field that could not be read.
  VoidResult status() const;

 private:
  bool find(const char* path, bson_iter_t* found);
  void fail(const char* path, const char* expected);
  // The array at path, each element read by `element` (false: not of the expected type).
  std::vector<std::string> array(const char* path, const char* expected,
                                 bool (*element)(const bson_iter_t*, std::string*));

  const bson_t* doc_;
  std::string what_;
  std::optional<std::string> failure_;
};

// ---- Talking to the server ----

bool isDuplicateKeyError(const bson_error_t& error);

// Calls fn for every document of the cursor (valid during the call only); then the cursor's
// error, if any, as a status.
VoidResult forEach(mongoc_cursor_t* cursor, const char* what,
                   const std::function<void(const bson_t*)>& fn);

// Every document of the cursor read with `read`; the first unreadable one fails the whole read.
template <typename T>
Result<std::vector<T>> readAll(mongoc_cursor_t* cursor, const char* what,
                               Result<T> (*read)(const bson_t*)) {
  std::vector<T> records;
  Status failure;
  const VoidResult done = forEach(cursor, what, [&](const bson_t* doc) {
    Result<T> record = read(doc);
    if (!record.ok()) {
      if (failure.isOk()) failure = record.status();
      return;
    }
    records.push_back(std::move(record).value());
  });
  if (!done.ok()) return done.status();
  if (!failure.isOk()) return failure;
  return records;
}

// The first document matching filter (opts: projection, sort...), or none.
Result<std::optional<BsonPtr>> findOne(mongoc_collection_t* collection, const bson_t* filter,
                                       const char* what, const bson_t* opts = nullptr);

Result<int64_t> countDocuments(mongoc_collection_t* collection, const bson_t* filter,
                               const char* what);

struct UpdateOutcome {
  int64_t matched = 0;
  int64_t modified = 0;
  int64_t upserted = 0;
};

// updateOne with the connection's write concern. A duplicate key (an upsert racing another) is
// kRecordContainsDuplicateKey, so callers can retry it.
Result<UpdateOutcome> updateOne(const Connection& connection, const char* collection,
                                const bson_t* filter, const bson_t* update, bool upsert,
                                const char* what);

// updateMany with the connection's write concern, never upserting.
Result<UpdateOutcome> updateMany(const Connection& connection, const char* collection,
                                 const bson_t* filter, const bson_t* update, const char* what);

// deleteMany with the connection's write concern; returns how many were deleted.
Result<int64_t> deleteMany(const Connection& connection, const char* collection,
                           const bson_t* filter, const char* what);

// Replaces the one document filter matches (filter names its shard key, so the write is targeted)
// with doc. When doc's shard key differs from the stored one (`moves_shard_key`), a replacement
// cannot move it to another shard's range: it is deleted and inserted again instead, and a failure
// between the two loses it (the caller reports the error). Whether filter matched.
Result<bool> replaceOrMove(const Connection& connection, const char* collection,
                           const bson_t* filter, const bson_t* doc, bool moves_shard_key,
                           const char* what);

struct BulkOutcome {
  int64_t inserted = 0;
  int64_t matched = 0;
  int64_t modified = 0;
  int64_t upserted = 0;
  int64_t deleted = 0;
  // Operations (by their index in the bulk) that failed only because of a duplicate key.
  std::vector<size_t> duplicate_indexes;
};

// Runs a bulk write filled by `fill` (which returns false with *error set when an operation
// cannot be added). Duplicate-key failures are reported in duplicate_indexes, not as an error
// (callers decide whether an existing document is a retry or a conflict); any other write error,
// a write-concern error or a failure to reach the server is the status.
Result<BulkOutcome> bulkWrite(
    const Connection& connection, mongoc_collection_t* collection, bool ordered, const char* what,
    const std::function<bool(mongoc_bulk_operation_t*, bson_error_t*)>& fill);

// Inserts document(0) .. document(count - 1) in one unordered bulk write: a document whose key
// exists fails alone (in duplicate_indexes) and the others are still inserted.
Result<BulkOutcome> insertUnordered(const Connection& connection, mongoc_collection_t* collection,
                                    size_t count, const std::function<BsonPtr(size_t)>& document,
                                    const char* what);
// The same in one ordered bulk write: the first document whose key exists stops it (its index
// alone in duplicate_indexes), and the documents before it stay inserted.
Result<BulkOutcome> insertOrdered(const Connection& connection, mongoc_collection_t* collection,
                                  size_t count, const std::function<BsonPtr(size_t)>& document,
                                  const char* what);

// findAndModify with the connection's write concern; the document before or (return_new) after
// the update, or none when nothing matched and nothing was upserted.
Result<std::optional<BsonPtr>> findAndModify(const Connection& connection,
                                             mongoc_collection_t* collection, const bson_t* filter,
                                             const bson_t* update, bool upsert, bool return_new,
                                             const char* what);

}  // namespace parley::mongo
