#pragma once
// The behaviour every UserRepository must have, as one value-parameterized GoogleTest suite.
// An implementation's test file includes this header once and instantiates the suite with its
// store environment (store/store_test_env.h), e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, UserRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"sqlite", makeEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"
#include "store/store_test_env.h"
#include "store/user_repository.h"

namespace parley::contract {

class UserRepositoryContractTest : public StoreContractTest {
 protected:
  UserRepository& users() { return store_->users(); }

  static UserRecord makeUser(int64_t id) {
    UserRecord user;
    user.id = id;
    user.password_hash = "$sha256$0011223344556677$" + std::string(64, 'a');
    user.name = "user-" + std::to_string(id);
    user.intro = "intro of " + std::to_string(id);
    user.profile_picture = "https://example.com/" + std::to_string(id) + ".png";
    user.profile_access_strategy = 1;
    user.permission_group_id = 7;
    user.registration_date = 1'700'000'000'000 + id % 1000;
    user.last_updated_date = 1'700'000'000'000 + id % 1000;
    user.is_active = true;
    return user;
  }

  std::optional<UserRecord> find(int64_t id) {
    auto found = users().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  void insertAll(std::initializer_list<int64_t> ids) {
    for (const int64_t id : ids) {
      ASSERT_TRUE(users().insert(makeUser(id)).ok()) << id;
    }
  }

  static std::vector<int64_t> idsOf(const std::vector<UserRecord>& records) {
    std::vector<int64_t> ids;
    for (const UserRecord& record : records) ids.push_back(record.id);
    return ids;
  }
};

inline void expectSameUser(const UserRecord& actual, const UserRecord& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.password_hash, expected.password_hash);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.intro, expected.intro);
  EXPECT_EQ(actual.profile_picture, expected.profile_picture);
  EXPECT_EQ(actual.profile_access_strategy, expected.profile_access_strategy);
  EXPECT_EQ(actual.permission_group_id, expected.permission_group_id);
  EXPECT_EQ(actual.registration_date, expected.registration_date);
  EXPECT_EQ(actual.deletion_date, expected.deletion_date);
  EXPECT_EQ(actual.last_updated_date, expected.last_updated_date);
  EXPECT_EQ(actual.is_active, expected.is_active);
}

TEST_P(UserRepositoryContractTest, InsertThenFindReturnsEveryField) {
  UserRecord user = makeUser(42);
  user.name = "名前 with ünïcode";
  user.intro = "";
  user.is_active = false;
  user.profile_access_strategy = 2;
  user.permission_group_id = -3;
  ASSERT_TRUE(users().insert(user).ok());
  const std::optional<UserRecord> found = find(42);
  ASSERT_TRUE(found.has_value());
  expectSameUser(*found, user);
}

TEST_P(UserRepositoryContractTest, ExtremeIdsRoundTrip) {
  // Snowflake ids use the whole positive range.
  for (const int64_t id : {int64_t{1}, int64_t{INT64_MAX}}) {
    ASSERT_TRUE(users().insert(makeUser(id)).ok());
    const std::optional<UserRecord> found = find(id);
    ASSERT_TRUE(found.has_value());
    expectSameUser(*found, makeUser(id));
  }
  const std::vector<int64_t> ids{INT64_MAX, 1};
  auto both = users().findByIds(ids);
  ASSERT_TRUE(both.ok());
  std::vector<int64_t> found_ids = idsOf(both.value());
  std::sort(found_ids.begin(), found_ids.end());
  EXPECT_EQ(found_ids, (std::vector<int64_t>{1, INT64_MAX}));
}

TEST_P(UserRepositoryContractTest, DuplicateInsertIsRejected) {
  ASSERT_TRUE(users().insert(makeUser(1)).ok());
  UserRecord other = makeUser(1);
  other.name = "someone else";
  const VoidResult again = users().insert(other);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find(1)->name, makeUser(1).name);
}

TEST_P(UserRepositoryContractTest, DuplicateOfSoftDeletedUserIsRejected) {
  ASSERT_TRUE(users().insert(makeUser(1)).ok());
  ASSERT_TRUE(users().softDelete(1, 5).value());
  const VoidResult again = users().insert(makeUser(1));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
}

TEST_P(UserRepositoryContractTest, FindMissingIsEmpty) {
  EXPECT_FALSE(find(404).has_value());
  insertAll({1});
  EXPECT_FALSE(find(404).has_value());
}

TEST_P(UserRepositoryContractTest, IsActiveOnlyForExistingActiveUndeletedUsers) {
  insertAll({1, 2, 3});
  UserUpdate deactivate;
  deactivate.is_active = false;
  ASSERT_TRUE(users().update(2, deactivate).value());
  ASSERT_TRUE(users().softDelete(3, 9).value());
  EXPECT_TRUE(users().isActive(1).value());
  EXPECT_FALSE(users().isActive(2).value()) << "deactivated";
  EXPECT_FALSE(users().isActive(3).value()) << "deleted";
  EXPECT_FALSE(users().isActive(404).value()) << "missing";
}

TEST_P(UserRepositoryContractTest, FindByIdsIgnoresMissingIds) {
  insertAll({1, 2, 3});
  const std::vector<int64_t> ids{3, 404, 1, 1};
  auto found = users().findByIds(ids);
  ASSERT_TRUE(found.ok());
  std::vector<int64_t> found_ids = idsOf(found.value());
  std::sort(found_ids.begin(), found_ids.end());
  found_ids.erase(std::unique(found_ids.begin(), found_ids.end()), found_ids.end());
  EXPECT_EQ(found_ids, (std::vector<int64_t>{1, 3}));
  for (const UserRecord& user : found.value()) expectSameUser(user, makeUser(user.id));

  auto none = users().findByIds({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(UserRepositoryContractTest, FindByIdsIncludesSoftDeleted) {
  insertAll({1, 2});
  ASSERT_TRUE(users().softDelete(2, 9).value());
  const std::vector<int64_t> ids{1, 2};
  auto found = users().findByIds(ids);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 2u);
}

TEST_P(UserRepositoryContractTest, UpdateChangesOnlyGivenFields) {
  insertAll({1});
  UserUpdate update;
  update.name = "renamed";
  update.profile_access_strategy = 2;
  update.last_updated_date = 1'800'000'000'000;
  auto updated = users().update(1, update);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated.value());

  UserRecord expected = makeUser(1);
  expected.name = "renamed";
  expected.profile_access_strategy = 2;
  expected.last_updated_date = 1'800'000'000'000;
  expectSameUser(*find(1), expected);

  UserUpdate everything;
  everything.password_hash = "$argon2id$new";
  everything.name = "";
  everything.intro = "new intro";
  everything.profile_picture = "";
  everything.profile_access_strategy = 0;
  everything.permission_group_id = 99;
  everything.is_active = false;
  everything.last_updated_date = 1'800'000'000'001;
  ASSERT_TRUE(users().update(1, everything).value());
  expected.password_hash = "$argon2id$new";
  expected.name = "";
  expected.intro = "new intro";
  expected.profile_picture = "";
  expected.profile_access_strategy = 0;
  expected.permission_group_id = 99;
  expected.is_active = false;
  expected.last_updated_date = 1'800'000'000'001;
  expectSameUser(*find(1), expected);
}

TEST_P(UserRepositoryContractTest, UpdateOfUnknownUserReturnsFalse) {
  UserUpdate update;
  update.name = "ghost";
  update.last_updated_date = 1;
  auto updated = users().update(404, update);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated.value());
  EXPECT_FALSE(find(404).has_value());
}

TEST_P(UserRepositoryContractTest, SoftDeleteHidesUserFromListAndUpdates) {
  insertAll({1, 2, 3});
  auto deleted = users().softDelete(2, 1'900'000'000'000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted.value());

  const std::optional<UserRecord> found = find(2);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->deletion_date, std::optional<int64_t>(1'900'000'000'000));
  EXPECT_FALSE(found->is_active);
  EXPECT_EQ(found->name, makeUser(2).name);

  auto listed = users().list(0, 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(idsOf(listed.value()), (std::vector<int64_t>{1, 3}));

  UserUpdate update;
  update.name = "revived?";
  update.is_active = true;
  update.last_updated_date = 1'900'000'000'001;
  auto updated = users().update(2, update);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated.value());
  EXPECT_EQ(find(2)->name, makeUser(2).name);
  EXPECT_FALSE(find(2)->is_active);

  auto again = users().softDelete(2, 1'900'000'000'002);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
  EXPECT_EQ(find(2)->deletion_date, std::optional<int64_t>(1'900'000'000'000));
}

TEST_P(UserRepositoryContractTest, SoftDeleteOfUnknownUserReturnsFalse) {
  auto deleted = users().softDelete(404, 1);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted.value());
}

TEST_P(UserRepositoryContractTest, ListPagesInIdOrder) {
  insertAll({50, 10, 40, 20, 30, 60});
  ASSERT_TRUE(users().softDelete(40, 1).value());

  std::vector<int64_t> seen;
  int64_t after = 0;
  int pages = 0;
  while (pages < 10) {
    auto page = users().list(after, 2);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    ++pages;
    for (const UserRecord& user : page.value()) expectSameUser(user, makeUser(user.id));
    const std::vector<int64_t> ids = idsOf(page.value());
    seen.insert(seen.end(), ids.begin(), ids.end());
    after = page->back().id;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{10, 20, 30, 50, 60}));
  EXPECT_EQ(pages, 3);

  auto tail = users().list(30, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(idsOf(tail.value()), (std::vector<int64_t>{50, 60}));

  auto nothing = users().list(0, 0);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST_P(UserRepositoryContractTest, CountActiveSkipsDeletedAndInactive) {
  auto empty = users().countActive();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value(), 0);

  insertAll({1, 2, 3, 4});
  UserRecord inactive = makeUser(5);
  inactive.is_active = false;
  ASSERT_TRUE(users().insert(inactive).ok());
  ASSERT_TRUE(users().softDelete(2, 1).value());
  UserUpdate deactivate;
  deactivate.is_active = false;
  deactivate.last_updated_date = 2;
  ASSERT_TRUE(users().update(3, deactivate).value());

  auto count = users().countActive();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count.value(), 2);  // users 1 and 4
}

TEST_P(UserRepositoryContractTest, InsertManySkipsExistingIds) {
  UserRecord existing = makeUser(2);
  existing.name = "original";
  ASSERT_TRUE(users().insert(existing).ok());

  const std::vector<UserRecord> batch{makeUser(1), makeUser(2), makeUser(3), makeUser(3)};
  auto inserted = users().insertMany(batch);
  ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  EXPECT_EQ(inserted.value(), 2);
  EXPECT_EQ(find(2)->name, "original");
  expectSameUser(*find(1), makeUser(1));
  expectSameUser(*find(3), makeUser(3));

  auto again = users().insertMany(batch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), 0);

  auto none = users().insertMany({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0);
}

TEST_P(UserRepositoryContractTest, InsertManyHandlesALargeBatch) {
  std::vector<UserRecord> batch;
  for (int64_t id = 1; id <= 1000; ++id) batch.push_back(makeUser(id));
  auto inserted = users().insertMany(batch);
  ASSERT_TRUE(inserted.ok());
  EXPECT_EQ(inserted.value(), 1000);
  EXPECT_EQ(users().countActive().value(), 1000);
}

TEST_P(UserRepositoryContractTest, IsEmptyUntilTheFirstUser) {
  auto empty = store_->isEmpty();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value());
  insertAll({1});
  ASSERT_TRUE(users().softDelete(1, 1).value());
  // A soft-deleted user is still data: demo seeding must not run over it.
  EXPECT_FALSE(store_->isEmpty().value());
}

TEST_P(UserRepositoryContractTest, DataSurvivesReopening) {
  insertAll({1, 2});
  ASSERT_TRUE(users().softDelete(2, 77).value());
  store_->flush();
  reopen();

  expectSameUser(*find(1), makeUser(1));
  const std::optional<UserRecord> deleted = find(2);
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->deletion_date, std::optional<int64_t>(77));
  EXPECT_FALSE(store_->isEmpty().value());

  // And the reopened store is fully usable.
  insertAll({3});
  EXPECT_EQ(users().countActive().value(), 2);
}

TEST_P(UserRepositoryContractTest, DataSurvivesReopeningWithoutFlush) {
  insertAll({1});
  reopen();
  EXPECT_TRUE(find(1).has_value());
}

TEST_P(UserRepositoryContractTest, SearchByNameIsAPrefixRangeInNameOrder) {
  const std::vector<std::pair<int64_t, std::string>> named{
      {1, "alicia"}, {2, "alice"},  {3, "Alice"}, {4, "al"},
      {5, "bob"},    {6, "alfred"}, {7, "émile"}, {8, "alice"}};
  for (const auto& [id, name] : named) {
    UserRecord user = makeUser(id);
    user.name = name;
    ASSERT_TRUE(users().insert(user).ok());
  }
  ASSERT_TRUE(users().softDelete(6, 1'800'000'000'000).value());
  const auto search = [&](const std::string& prefix, std::vector<int64_t> within = {}, int skip = 0,
                          int limit = 100) {
    auto found = users().searchByName(prefix, within, skip, limit);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (found.ok()) {
      for (const UserRecord& user : found.value()) ids.push_back(user.id);
    }
    return ids;
  };
  // Ordered by name, then id; case-sensitive; deleted users left out.
  EXPECT_EQ(search("ali"), (std::vector<int64_t>{2, 8, 1}));
  EXPECT_EQ(search("al"), (std::vector<int64_t>{4, 2, 8, 1}));
  EXPECT_EQ(search("Al"), (std::vector<int64_t>{3}));
  EXPECT_EQ(search("é"), (std::vector<int64_t>{7}));
  EXPECT_TRUE(search("zed").empty());
  EXPECT_EQ(search("al", {1, 4, 5}), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(search("al", {}, 1, 2), (std::vector<int64_t>{2, 8}));
  EXPECT_TRUE(search("al", {}, 0, 0).empty());
}

}  // namespace parley::contract
