#pragma once
// MongoDB stores on FerretDB: the environment the repository contract suites
// (store/store_test_env.h) run against for the tests labelled `mongo`. One FerretDB serves the
// whole test process (started by the first environment, stopped at exit); every environment gets
// a database of its own on it, so tests never see each other's data.
#include <memory>
#include <string>

#include "core/config.h"
#include "store/store.h"
#include "store/store_test_env.h"
#include "testing/ferretdb_process.h"

namespace parley::testing {

// The process-wide FerretDB, started on first use. Throws std::runtime_error when it cannot
// start (see FerretDbProcess).
FerretDbProcess& sharedFerretDb();

class MongoStoreTestEnv final : public contract::StoreTestEnv {
 public:
  // A fresh database on the shared FerretDB.
  MongoStoreTestEnv();
  // A fresh database on `server` (which must outlive the environment), e.g. one a test stops and
  // restarts; timeout_ms bounds every wait for it.
  MongoStoreTestEnv(const FerretDbProcess& server, int timeout_ms);

  // openMongoStore on this environment's database; the same database on every call.
  std::unique_ptr<Store> open() override;
  // FerretDB v1 does not isolate concurrent updates of one document (see StoreTestEnv).
  bool conditionalUpdatesAreAtomic() const override { return false; }
  const MongoConfig& config() const { return config_; }

 private:
  MongoConfig config_;
};

// The contract suites' parameter (named "mongo") for MongoStoreTestEnv.
contract::StoreContractParam mongoStoreContractParam();

}  // namespace parley::testing
