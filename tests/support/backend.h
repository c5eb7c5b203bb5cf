#pragma once
// The business store a test's parley processes use, so that one suite runs unchanged on the
// embedded SQLite store and on MongoDB (a FerretDB started by the test process itself).
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "support/parley_process.h"
#include "testing/ferretdb_process.h"

namespace parley::testing {

enum class Backend { kSqlite, kMongo };

// For gtest's messages ("GetParam() = Mongo").
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kMongo ? "Mongo" : "Sqlite");
}

// Instantiate a suite once per backend, with the backend as the prefix ("Sqlite/Suite.Test/0",
// "Mongo/Suite.Test/0"): each instantiation is then a test suite of its own, and ctest selects a
// backend by that prefix.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, Suite, ::testing::Values(Backend::kSqlite));
//   INSTANTIATE_TEST_SUITE_P(Mongo, Suite, ::testing::Values(Backend::kMongo));

// The FerretDB shared by every test of this process, started on first use and stopped when the
// process exits. One server per process, because a start costs about a second.
FerretDbProcess& sharedFerretDb();

// A database name no other parley process of this test run uses, so tests sharing one FerretDB
// never see each other's data (or demo data).
std::string uniqueDatabaseName(const std::string& prefix);

// `options` with the arguments that put business data on `backend`. For kMongo the data goes to
// `database` on sharedFerretDb(); give two processes the same database to share (or reuse) data.
ParleyOptions onBackend(Backend backend, ParleyOptions options, const std::string& database);

// SharedParleySuite parameterized over the backend: the tests of one instantiation share one
// parley process on that backend. Suite may define a public static parleyOptions().
template <typename Suite>
class SharedParleyOnBackend : public ::testing::TestWithParam<Backend> {
 public:
  static ParleyOptions parleyOptions() { return {}; }

 protected:
  // Instantiated per backend as above, each backend's tests form a test suite of their own, so
  // one backend's process is stopped before the other's starts.
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override {
    if (!shared_) {
      shared_ = std::make_unique<ParleyProcess>(
          onBackend(GetParam(), Suite::parleyOptions(), uniqueDatabaseName("e2e")));
    }
    parley_ = shared_.get();
  }

  ParleyProcess* parley_ = nullptr;

 private:
  static inline std::unique_ptr<ParleyProcess> shared_;
};

}  // namespace parley::testing
