#include "testing/mongo_store_test_env.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

namespace parley::testing {
namespace {

// Generous: FerretDB on SQLite shares two cores with the build and the tests, and a bulk write of
// a thousand documents can take seconds there. Tests of a dead server use their own timeout.
constexpr int kTimeoutMillis = 30'000;

// A name no other environment of this process, nor of another test process sharing a server,
// has used: FerretDB keeps each database in a file of its own, so this is also cheap.
std::string freshDatabaseName() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(getpid()) + "_" + std::to_string(counter.fetch_add(1));
}

MongoConfig configFor(const FerretDbProcess& server, int timeout_ms) {
  MongoConfig config;
  config.uri = server.uri();
  config.database = freshDatabaseName();
  config.pool_size = 8;
  config.timeout_ms = timeout_ms;
  return config;
}

}  // namespace

FerretDbProcess& sharedFerretDb() {
  // Destroyed (so stopped) at exit; the server's PDEATHSIG covers a crash.
  static std::unique_ptr<FerretDbProcess> server;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (!server) server = std::make_unique<FerretDbProcess>();
  return *server;
}

MongoStoreTestEnv::MongoStoreTestEnv() : config_(configFor(sharedFerretDb(), kTimeoutMillis)) {}

MongoStoreTestEnv::MongoStoreTestEnv(const FerretDbProcess& server, int timeout_ms)
    : config_(configFor(server, timeout_ms)) {}

std::unique_ptr<Store> MongoStoreTestEnv::open() { return openMongoStore(config_); }

contract::StoreContractParam mongoStoreContractParam() {
  return {"mongo", [] { return std::make_unique<MongoStoreTestEnv>(); }};
}

}  // namespace parley::testing
