#pragma once
// The behaviour every UserValuesRepository must have (a store's user settings and its users'
// user-defined attributes alike), as one value-parameterized GoogleTest suite, instantiated by
// each store's user-values test file. Every test runs on both kinds of values, of users that
// exist (attributes live in the user's own record on MongoDB).
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_env.h"
#include "store/user_values_repository.h"

namespace parley::contract {

class UserValuesRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kNow = 1'700'000'900'000;
  // Serialized Values are opaque bytes to the store, NUL and high bytes included.
  inline static const std::string kBytes{"\x08\x00\xff\x01", 4};

  void SetUp() override {
    StoreContractTest::SetUp();
    for (const int64_t id : {1, 2}) {
      UserRecord user;
      user.id = id;
      user.name = "user " + std::to_string(id);
      ASSERT_TRUE(store_->users().insert(user).ok());
    }
  }

  // Runs `body` once with the settings, once with the attributes, each from a clean slate of its
  // own (the two never share values).
  void forEachKind(const std::function<void()>& body) {
    for (const bool attributes : {false, true}) {
      attributes_ = attributes;
      SCOPED_TRACE(attributes ? "user-defined attributes" : "user settings");
      body();
    }
  }

  UserValuesRepository& values() {
    return attributes_ ? store_->userDefinedAttributes() : store_->userSettings();
  }

  std::optional<UserValuesRecord> find(int64_t user_id) {
    auto found = values().find(user_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::vector<std::string> upsert(int64_t user_id, std::map<std::string, std::string> named,
                                  std::vector<std::string> immutable = {}, int64_t now = kNow) {
    auto written = values().upsert(user_id, named, immutable, now);
    EXPECT_TRUE(written.ok()) << written.status().reason;
    return written.ok() ? written.value() : std::vector<std::string>{"<failed>"};
  }

  bool attributes_ = false;
};

TEST_P(UserValuesRepositoryContractTest, NothingStoredIsNone) {
  forEachKind([&] {
    EXPECT_EQ(find(1), std::nullopt);
    EXPECT_TRUE(values().findMany(std::vector<int64_t>{1, 2}).value().empty());
  });
}

TEST_P(UserValuesRepositoryContractTest, UpsertMergesAndReplacesByName) {
  forEachKind([&] {
    EXPECT_TRUE(upsert(1, {{"theme", "dark"}, {"blob", kBytes}}).empty());
    EXPECT_TRUE(upsert(1, {{"theme", "light"}, {"lang", "en"}}, {}, kNow + 10).empty());
    const std::optional<UserValuesRecord> stored = find(1);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->values, (std::map<std::string, std::string>{
                                  {"blob", kBytes}, {"lang", "en"}, {"theme", "light"}}));
    EXPECT_EQ(stored->last_updated_date, kNow + 10);
    EXPECT_EQ(find(2), std::nullopt);
  });
}

TEST_P(UserValuesRepositoryContractTest, FindManyReturnsTheUsersThatHaveValues) {
  forEachKind([&] {
    upsert(1, {{"a", "1"}});
    upsert(2, {{"b", "2"}}, {}, kNow + 1);
    auto found = values().findMany(std::vector<int64_t>{2, 1, 404});
    ASSERT_TRUE(found.ok()) << found.status().reason;
    ASSERT_EQ(found->size(), 2u);
    std::map<int64_t, UserValuesRecord> by_user;
    for (const UserValuesRecord& record : *found) by_user[record.user_id] = record;
    EXPECT_EQ(by_user.at(1).values, (std::map<std::string, std::string>{{"a", "1"}}));
    EXPECT_EQ(by_user.at(2).values, (std::map<std::string, std::string>{{"b", "2"}}));
    EXPECT_EQ(by_user.at(2).last_updated_date, kNow + 1);
  });
}

TEST_P(UserValuesRepositoryContractTest, AnImmutableValueIsWrittenOnceAndTheRefusalWritesNothing) {
  forEachKind([&] {
    EXPECT_TRUE(upsert(1, {{"pin", "1234"}}, {"pin", "other"}).empty());
    EXPECT_EQ(upsert(1, {{"pin", "9999"}, {"theme", "dark"}}, {"pin"}, kNow + 10),
              std::vector<std::string>{"pin"});
    const std::optional<UserValuesRecord> stored = find(1);
    EXPECT_EQ(stored->values, (std::map<std::string, std::string>{{"pin", "1234"}}));
    EXPECT_EQ(stored->last_updated_date, kNow);
    // Immutable names not in the update do not matter.
    EXPECT_TRUE(upsert(1, {{"theme", "dark"}}, {"pin"}).empty());
  });
}

TEST_P(UserValuesRepositoryContractTest, RemoveTellsWhetherAnythingWent) {
  forEachKind([&] {
    upsert(1, {{"theme", "dark"}, {"lang", "en"}});
    EXPECT_FALSE(values().remove(1, {"nothing"}, kNow + 5).value());
    EXPECT_EQ(find(1)->last_updated_date, kNow);
    EXPECT_TRUE(values().remove(1, {"theme", "nothing"}, kNow + 10).value());
    const std::optional<UserValuesRecord> stored = find(1);
    EXPECT_EQ(stored->values, (std::map<std::string, std::string>{{"lang", "en"}}));
    EXPECT_EQ(stored->last_updated_date, kNow + 10);
    EXPECT_FALSE(values().remove(2, {"theme"}, kNow).value());
    EXPECT_FALSE(values().remove(1, {}, kNow).value());
  });
}

TEST_P(UserValuesRepositoryContractTest, TheDateNeverGoesBack) {
  forEachKind([&] {
    upsert(1, {{"theme", "dark"}}, {}, kNow);
    upsert(1, {{"theme", "light"}}, {}, kNow - 1000);  // a node whose clock is behind
    EXPECT_GE(find(1)->last_updated_date, kNow);
    EXPECT_EQ(find(1)->values.at("theme"), "light");
  });
}

TEST_P(UserValuesRepositoryContractTest, DataSurvivesReopening) {
  forEachKind([&] { upsert(1, {{"blob", kBytes}}); });
  reopen();
  forEachKind([&] { EXPECT_EQ(find(1)->values.at("blob"), kBytes); });
}

}  // namespace parley::contract
