#include "store/mongo/mongo_client.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>

namespace parley::mongo {
namespace {

// libmongoc prints to stderr by default (even DEBUG lines); route it into Parley's log instead.
void logHandler(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL:
      spdlog::error("mongoc [{}]: {}", domain, message);
      break;
    case MONGOC_LOG_LEVEL_WARNING:
      spdlog::warn("mongoc [{}]: {}", domain, message);
      break;
    case MONGOC_LOG_LEVEL_MESSAGE:
    case MONGOC_LOG_LEVEL_INFO:
      spdlog::debug("mongoc [{}]: {}", domain, message);
      break;
    default:
      break;  // DEBUG and TRACE are far too chatty for an operator's log
  }
}

void initDriverOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    mongoc_init();
    mongoc_log_set_handler(&logHandler, nullptr);
  });
}

// Duplicate-key server errors; 11001 is the legacy code some servers still send.
bool isDuplicateKey(const bson_error_t& error) {
  return error.code == 11000 || error.code == 11001;
}

}  // namespace

PooledClient::PooledClient(mongoc_client_pool_t* pool, const Connection& connection)
    : pool_(pool), client_(mongoc_client_pool_pop(pool)), connection_(connection) {}

PooledClient::~PooledClient() { mongoc_client_pool_push(pool_, client_); }

CollectionPtr PooledClient::collection(const char* name) const {
  return CollectionPtr(mongoc_client_get_collection(client_, connection_.database().c_str(), name));
}

Connection::Connection(const MongoConfig& config) : database_(config.database) {
  initDriverOnce();
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(config.uri.c_str(), &error);
  if (!uri) {
    throw std::runtime_error("mongo.uri: " + std::string(error.message));
  }
  // Bounded waits everywhere: a request must fail with a clear status, not hang, while the
  // database is down. The URI's own settings win when it has them.
  if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, config.timeout_ms);
  }
  if (!mongoc_uri_has_option(uri, MONGOC_URI_SOCKETTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, config.timeout_ms);
  }
  if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, config.timeout_ms);
  }
  if (!mongoc_uri_has_option(uri, MONGOC_URI_APPNAME)) {
    mongoc_uri_set_appname(uri, "parley");
  }
  pool_ = mongoc_client_pool_new(uri);
  mongoc_uri_destroy(uri);
  if (!pool_) throw std::runtime_error("mongo.uri: cannot create a client pool");
  mongoc_client_pool_set_error_api(pool_, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_pool_max_size(pool_, static_cast<uint32_t>(config.pool_size));

  write_concern_ = mongoc_write_concern_new();
  if (config.write_concern == "majority") {
    mongoc_write_concern_set_w(write_concern_, MONGOC_WRITE_CONCERN_W_MAJORITY);
  } else {
    mongoc_write_concern_set_w(write_concern_, std::stoi(config.write_concern));
  }
  // Acknowledged means on disk: clients are told OK only after the journal has the write.
  mongoc_write_concern_set_journal(write_concern_, true);
  mongoc_write_concern_set_wtimeout_int64(write_concern_, config.timeout_ms);
}

Connection::~Connection() {
  mongoc_write_concern_destroy(write_concern_);
  mongoc_client_pool_destroy(pool_);
}

VoidResult Connection::ping() const {
  auto pooled = client();
  BsonPtr command(BCON_NEW("ping", BCON_INT32(1)));
  bson_error_t error;
  bson_t reply;
  bool ok =
      mongoc_client_command_simple(pooled.get(), "admin", command.get(), nullptr, &reply, &error);
  bson_destroy(&reply);
  if (!ok) return parley::error(StatusCode::kServerUnavailable, error.message);
  return {};
}

Result<bool> Connection::isMongos() const {
  auto pooled = client();
  BsonPtr command(BCON_NEW("hello", BCON_INT32(1)));
  bson_error_t error;
  bson_t reply;
  bool ok =
      mongoc_client_command_simple(pooled.get(), "admin", command.get(), nullptr, &reply, &error);
  if (!ok) {
    bson_destroy(&reply);
    return parley::error(StatusCode::kServerUnavailable, error.message);
  }
  bson_iter_t iter;
  bool mongos = bson_iter_init_find(&iter, &reply, "msg") && BSON_ITER_HOLDS_UTF8(&iter) &&
                std::string(bson_iter_utf8(&iter, nullptr)) == "isdbgrid";
  bson_destroy(&reply);
  return mongos;
}

Status toStatus(const bson_error_t& error, const char* what) {
  if (isDuplicateKey(error)) {
    return parley::error(StatusCode::kRecordContainsDuplicateKey, error.message);
  }
  const bool unavailable =
      error.domain == MONGOC_ERROR_SERVER_SELECTION || error.domain == MONGOC_ERROR_STREAM ||
      error.domain == MONGOC_ERROR_CLIENT || error.domain == MONGOC_ERROR_WRITE_CONCERN;
  spdlog::error("mongo {}: {} (domain {}, code {})", what, error.message, error.domain, error.code);
  return parley::error(
      unavailable ? StatusCode::kServerUnavailable : StatusCode::kServerInternalError,
      error.message);
}

BsonPtr writeOptions(const Connection& connection) {
  BsonPtr options(bson_new());
  mongoc_write_concern_append(const_cast<mongoc_write_concern_t*>(connection.writeConcern()),
                              options.get());
  return options;
}

}  // namespace parley::mongo
