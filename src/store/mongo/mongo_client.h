#pragma once
// Private to src/store: the MongoDB connection shared by the Mongo repositories. libmongoc is
// blocking; Parley calls it from its blocking thread pool (handlers never run on io threads), and
// its thread-safe client pool gives each caller its own connection.
#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include <memory>
#include <string>

#include "core/config.h"
#include "core/result.h"

namespace parley::mongo {

// RAII owners for libmongoc/libbson objects.
struct BsonDeleter {
  void operator()(bson_t* b) const { bson_destroy(b); }
};
using BsonPtr = std::unique_ptr<bson_t, BsonDeleter>;
struct CollectionDeleter {
  void operator()(mongoc_collection_t* c) const { mongoc_collection_destroy(c); }
};
using CollectionPtr = std::unique_ptr<mongoc_collection_t, CollectionDeleter>;
struct CursorDeleter {
  void operator()(mongoc_cursor_t* c) const { mongoc_cursor_destroy(c); }
};
using CursorPtr = std::unique_ptr<mongoc_cursor_t, CursorDeleter>;

class Connection;

// A client borrowed from the pool for the duration of one operation.
class PooledClient {
 public:
  PooledClient(mongoc_client_pool_t* pool, const Connection& connection);
  ~PooledClient();
  PooledClient(const PooledClient&) = delete;
  PooledClient& operator=(const PooledClient&) = delete;

  mongoc_client_t* get() const { return client_; }
  CollectionPtr collection(const char* name) const;

 private:
  mongoc_client_pool_t* pool_;
  mongoc_client_t* client_;
  const Connection& connection_;
};

class Connection {
 public:
  // Parses the URI and creates the pool; does not connect yet. Throws std::runtime_error with
  // the reason on a malformed URI (start-up only).
  explicit Connection(const MongoConfig& config);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PooledClient client() const { return PooledClient(pool_, *this); }
  const std::string& database() const { return database_; }
  // The configured write concern, for write options.
  const mongoc_write_concern_t* writeConcern() const { return write_concern_; }

  // Runs {ping: 1}; fails with kServerUnavailable (and the driver's reason) when no server is
  // reachable within the timeout.
  VoidResult ping() const;
  // True when connected to a mongos router (a sharded cluster): {hello} answers "isdbgrid".
  Result<bool> isMongos() const;

 private:
  mongoc_client_pool_t* pool_ = nullptr;
  mongoc_write_concern_t* write_concern_ = nullptr;
  std::string database_;
};

// Maps a driver error to a client-visible status: duplicate keys become
// kRecordContainsDuplicateKey, connection and selection failures kServerUnavailable (the client
// may retry), anything else kServerInternalError. Logs once per call with `what`.
Status toStatus(const bson_error_t& error, const char* what);

// Options document {writeConcern: ...} for writes (insert, update, delete, findAndModify).
BsonPtr writeOptions(const Connection& connection);

}  // namespace parley::mongo
