#include "store/mongo/mongo_schema.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

namespace parley::mongo {
namespace {

BsonPtr fromJson(std::string_view json) {
  bson_error_t error;
  bson_t* doc = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                   static_cast<ssize_t>(json.size()), &error);
  if (!doc) throw std::runtime_error("bad schema JSON " + std::string(json) + ": " + error.message);
  return BsonPtr(doc);
}

void runCommand(const Connection& connection, const char* db, const bson_t* command,
                const std::string& what) {
  auto client = connection.client();
  bson_error_t error;
  bson_t reply;
  bool ok = mongoc_client_command_simple(client.get(), db, command, nullptr, &reply, &error);
  bson_destroy(&reply);
  if (!ok) throw std::runtime_error("MongoDB " + what + ": " + error.message);
}

void createIndex(const Connection& connection, std::string_view collection,
                 const IndexSpec& index) {
  BsonPtr command(bson_new());
  BSON_APPEND_UTF8(command.get(), "createIndexes", std::string(collection).c_str());
  bson_t indexes;
  BSON_APPEND_ARRAY_BEGIN(command.get(), "indexes", &indexes);
  bson_t entry;
  BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &entry);
  BsonPtr keys = fromJson(index.keys_json);
  BSON_APPEND_DOCUMENT(&entry, "key", keys.get());
  BSON_APPEND_UTF8(&entry, "name", std::string(index.name).c_str());
  if (index.unique) BSON_APPEND_BOOL(&entry, "unique", true);
  bson_append_document_end(&indexes, &entry);
  bson_append_array_end(command.get(), &indexes);
  runCommand(connection, connection.database().c_str(), command.get(),
             "createIndexes " + std::string(index.name) + " on " + std::string(collection));
}

// One index per createIndexes command: FerretDB v1 drops the connection (a server-side panic)
// when one command lists several indexes that all exist already, i.e. on every restart. Start-up
// only, so the extra round trips cost nothing.
void createIndexes(const Connection& connection, const CollectionSpec& spec) {
  for (const auto& index : spec.indexes) createIndex(connection, spec.name, index);
}

void shard(const Connection& connection, const CollectionSpec& spec) {
  if (spec.shard_key_json.empty()) return;
  const std::string ns = connection.database() + "." + std::string(spec.name);
  BsonPtr command(bson_new());
  BSON_APPEND_UTF8(command.get(), "shardCollection", ns.c_str());
  BsonPtr key = fromJson(spec.shard_key_json);
  BSON_APPEND_DOCUMENT(command.get(), "key", key.get());
  // shardCollection on an already sharded collection with the same key succeeds, so this stays
  // idempotent across restarts.
  runCommand(connection, "admin", command.get(), "shardCollection " + ns);
  spdlog::info("mongo: {} is sharded by {}", ns, spec.shard_key_json);
}

}  // namespace

void bootstrap(const Connection& connection, const std::vector<CollectionSpec>& collections) {
  if (auto ping = connection.ping(); !ping) {
    throw std::runtime_error("cannot reach MongoDB: " + ping.status().reason);
  }
  for (const auto& spec : collections) createIndexes(connection, spec);
  auto mongos = connection.isMongos();
  if (!mongos) throw std::runtime_error("MongoDB hello: " + mongos.status().reason);
  if (*mongos) {
    BsonPtr enable(BCON_NEW("enableSharding", BCON_UTF8(connection.database().c_str())));
    runCommand(connection, "admin", enable.get(), "enableSharding " + connection.database());
    for (const auto& spec : collections) shard(connection, spec);
  }
  spdlog::info("mongo: schema ready in database '{}' ({} collections{})", connection.database(),
               collections.size(), *mongos ? ", sharded" : "");
}

}  // namespace parley::mongo
