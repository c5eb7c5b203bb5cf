#include "support/backend.h"

#include <unistd.h>

#include <atomic>
#include <memory>

namespace parley::testing {

FerretDbProcess& sharedFerretDb() {
  // Destroyed at exit, which stops the server; FerretDbProcess also has it die with this process
  // when a test crashes.
  static const std::unique_ptr<FerretDbProcess> server = std::make_unique<FerretDbProcess>();
  return *server;
}

std::string uniqueDatabaseName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  // The pid keeps concurrent test binaries apart when they ever share a server.
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
}

ParleyOptions onBackend(Backend backend, ParleyOptions options, const std::string& database) {
  if (backend == Backend::kMongo) {
    options.extra_args.push_back("--mongo-uri=" + sharedFerretDb().uri());
    options.extra_args.push_back("--mongo-database=" + database);
  }
  return options;
}

}  // namespace parley::testing
