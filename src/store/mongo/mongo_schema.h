#pragma once
// Private to src/store: what each Mongo repository needs of the database — its collections,
// their indexes (every query Parley makes is served by one) and, behind mongos, their shard keys.
// Each repository declares its own CollectionSpecs next to its code; bootstrap() applies them all.
#include <string_view>
#include <vector>

#include "store/mongo/mongo_client.h"

namespace parley::mongo {

struct IndexSpec {
  std::string_view name;
  std::string_view keys_json;  // e.g. R"({"tid": 1, "dd": -1})"
  bool unique = false;
};

struct CollectionSpec {
  std::string_view name;
  std::vector<IndexSpec> indexes;
  // Shard key behind mongos, e.g. R"({"tid": "hashed"})"; empty = not sharded. Why each key was
  // chosen is documented in docs/mongodb.md.
  std::string_view shard_key_json;
};

// Idempotent on every start: creates missing collections and indexes (createIndexes is a no-op
// for existing ones) and, when connected through mongos, enables sharding for the database and
// shards every collection that has a shard key and is not sharded yet. Throws std::runtime_error
// with the reason (start-up only).
void bootstrap(const Connection& connection, const std::vector<CollectionSpec>& collections);

}  // namespace parley::mongo
