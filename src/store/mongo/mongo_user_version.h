#pragma once
// userVersion (upstream's collection): one document per user, keyed by user id, holding the dates
// clients sync each kind of that user's data by, one field per kind with upstream's names (jg =
// joined groups, sfr / rfr = sent / received friend requests). Kinds share the document, so any
// field may be missing: a kind that never changed has none.
#include <cstdint>
#include <optional>

#include "core/result.h"
#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_client.h"

namespace parley::mongo {

inline constexpr const char* kUserVersions = "userVersion";

// {$set: {field: millis as a date}}.
BsonPtr setDate(const char* field, int64_t millis);

// The user's version of one kind; nullopt when it never changed.
Result<std::optional<int64_t>> findUserVersion(const Connection& connection, int64_t user_id,
                                               const char* field);

// The second step of moving a version forward, once a write of "now" found it already >= now:
// compare-and-set it to stored + 1 in the document `id` of `collection` (any collection that keeps
// a version date, e.g. group's members version). When the compare fails another writer moved it
// after the caller's data change, which is all a reader needs. Uses `collection` as given, so a
// caller holding a pooled client takes no second one.
VoidResult moveVersionPastStored(const Connection& connection, mongoc_collection_t* collection,
                                 int64_t id, const char* field);

// Moves one user's version of one kind forward to max(now, stored + 1), creating the document or
// field when missing. Versions only move forward, by at least 1 ms, so that two changes within one
// millisecond (or a clock that stepped back) still give a client holding the older version fresh
// data. Callers write their data first, so a reader never pairs a new version with old data.
VoidResult moveUserVersionForward(const Connection& connection, int64_t user_id, const char* field,
                                  int64_t now_millis);

}  // namespace parley::mongo
