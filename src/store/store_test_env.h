#pragma once
// What every repository contract suite (store/*_repository_contract_test.h) runs against: a store
// in a place of its own. Each suite's fixture derives from StoreContractTest, so one
// implementation's environment serves every suite, one line each, e.g.
//   INSTANTIATE_TEST_SUITE_P(Mongo, UserRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"mongo", makeMongoEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "store/store.h"

namespace parley::contract {

// One isolated place for a store to live (a temp dir, a fresh database name), removed by the
// destructor.
class StoreTestEnv {
 public:
  virtual ~StoreTestEnv() = default;
  // Opens the store; opening again after the previous one was destroyed must see the same data.
  virtual std::unique_ptr<Store> open() = 0;
  // Whether two conditional updates of one record at once can never both match (SQLite's single
  // writer, MongoDB's per-document atomicity). FerretDB v1, which the MongoDB tests run on, does
  // not isolate concurrent updates of one document, so two answers to one request may both win
  // there; real MongoDB lets one win.
  virtual bool conditionalUpdatesAreAtomic() const { return true; }
};

struct StoreContractParam {
  std::string name;  // test name suffix: letters, digits and '_' only
  std::function<std::unique_ptr<StoreTestEnv>()> make_env;  // a fresh, empty place on every call
};

// Failure messages name the implementation instead of dumping the struct's bytes.
inline void PrintTo(const StoreContractParam& param, std::ostream* os) { *os << param.name; }

inline std::string storeContractName(const ::testing::TestParamInfo<StoreContractParam>& info) {
  return info.param.name;
}

class StoreContractTest : public ::testing::TestWithParam<StoreContractParam> {
 protected:
  void SetUp() override {
    env_ = GetParam().make_env();
    ASSERT_NE(env_, nullptr);
    store_ = env_->open();
    ASSERT_NE(store_, nullptr);
  }

  // The store closes before its place is removed.
  void TearDown() override {
    store_.reset();
    env_.reset();
  }

  // Closes the store and opens it again, as a restart would. Repositories taken from the store
  // before are invalid after it.
  bool conditionalUpdatesAreAtomic() const { return env_->conditionalUpdatesAreAtomic(); }

  void reopen() {
    store_.reset();
    store_ = env_->open();
    ASSERT_NE(store_, nullptr);
  }

  // A group that owner_id created at `date` and owns, without members: for suites of a group's
  // other data.
  void insertGroup(int64_t group_id, int64_t owner_id, int64_t date) {
    GroupRecord group;
    group.id = group_id;
    group.creator_id = group.owner_id = owner_id;
    group.name = "g" + std::to_string(group_id);
    group.creation_date = group.last_updated_date = group.members_last_updated_date = date;
    const VoidResult inserted = store_->groups().insert(group);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  std::unique_ptr<StoreTestEnv> env_;
  std::unique_ptr<Store> store_;
};

}  // namespace parley::contract
