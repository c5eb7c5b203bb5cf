#pragma once
// The behaviour every RelationshipGroupRepository must have, as one value-parameterized
// GoogleTest suite, instantiated by each store's relationship test file (see
// relationship_repository_contract_test.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/relationship_group_repository.h"
#include "store/relationship_repository.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class RelationshipGroupRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kNow = 1'700'000'900'000;

  RelationshipGroupRepository& groups() { return store_->relationshipGroups(); }

  std::vector<RelationshipGroupRecord> all(int64_t owner_id) {
    auto found = groups().findAll(owner_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::vector<RelationshipGroupRecord>{};
  }

  std::optional<int64_t> version(int64_t owner_id) {
    auto found = groups().findVersion(owner_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  int32_t create(int64_t owner_id, const std::string& name) {
    auto group = groups().create(owner_id, name, kNow);
    EXPECT_TRUE(group.ok()) << group.status().reason;
    return group.ok() ? group->index : -1;
  }

  // (owner, related) in exactly `group_indexes`.
  void relate(int64_t owner_id, int64_t related_user_id, std::vector<int32_t> group_indexes) {
    RelationshipRecord relationship;
    relationship.owner_id = owner_id;
    relationship.related_user_id = related_user_id;
    relationship.establishment_date = kNow;
    relationship.group_indexes = std::move(group_indexes);
    ASSERT_TRUE(store_->relationships().upsert(relationship, kNow).ok());
  }

  std::vector<int32_t> groupsOf(int64_t owner_id, int64_t related_user_id) {
    auto found = store_->relationships().find(owner_id, related_user_id);
    EXPECT_TRUE(found.ok() && found.value().has_value());
    return found.ok() && found.value() ? found.value()->group_indexes : std::vector<int32_t>{};
  }

  static const RelationshipGroupRecord kDefaultOfUser1;
};

inline const RelationshipGroupRecord RelationshipGroupRepositoryContractTest::kDefaultOfUser1{
    1, kDefaultRelationshipGroupIndex, "", 0};

TEST_P(RelationshipGroupRepositoryContractTest, EveryUserHasTheDefaultGroupUnstored) {
  EXPECT_EQ(all(1), std::vector<RelationshipGroupRecord>{kDefaultOfUser1});
  EXPECT_EQ(version(1), std::nullopt);
}

TEST_P(RelationshipGroupRepositoryContractTest, CreateAllocatesDistinctPositiveIndexes) {
  std::set<int32_t> indexes;
  for (int i = 0; i < 20; ++i) indexes.insert(create(1, "group " + std::to_string(i)));
  EXPECT_EQ(indexes.size(), 20u);
  EXPECT_GT(*indexes.begin(), 0);
  const std::vector<RelationshipGroupRecord> found = all(1);
  ASSERT_EQ(found.size(), 21u);
  EXPECT_EQ(found.front(), kDefaultOfUser1);
  EXPECT_TRUE(std::is_sorted(found.begin(), found.end(),
                             [](const auto& a, const auto& b) { return a.index < b.index; }));
  for (const RelationshipGroupRecord& group : found) {
    if (group.index == kDefaultRelationshipGroupIndex) continue;
    EXPECT_EQ(group.owner_id, 1);
    EXPECT_EQ(group.creation_date, kNow);
    EXPECT_EQ(group.name.rfind("group ", 0), 0u);
  }
  EXPECT_GE(version(1).value_or(0), kNow);
  EXPECT_EQ(all(2).size(), 1u);  // per owner
}

TEST_P(RelationshipGroupRepositoryContractTest, RenameWritesOnlyAChange) {
  const int32_t index = create(1, "work");
  const std::optional<int64_t> created = version(1);
  EXPECT_FALSE(groups().rename(1, index, "work", kNow).value());
  EXPECT_FALSE(groups().rename(1, index + 1, "other", kNow).value());  // no such group
  EXPECT_FALSE(groups().rename(2, index, "other", kNow).value());      // another owner's
  EXPECT_EQ(version(1), created);
  EXPECT_TRUE(groups().rename(1, index, "colleagues", kNow).value());
  EXPECT_GT(version(1).value_or(0), created.value_or(0));
  EXPECT_EQ(all(1).back().name, "colleagues");
  // The default group: "" is its name already; another name stores it.
  EXPECT_FALSE(groups().rename(1, kDefaultRelationshipGroupIndex, "", kNow).value());
  EXPECT_TRUE(groups().rename(1, kDefaultRelationshipGroupIndex, "friends", kNow).value());
  EXPECT_FALSE(groups().rename(1, kDefaultRelationshipGroupIndex, "friends", kNow).value());
  EXPECT_EQ(all(1).front().name, "friends");
  EXPECT_TRUE(groups().rename(1, kDefaultRelationshipGroupIndex, "", kNow).value());
  EXPECT_EQ(all(1).front().name, "");
  EXPECT_EQ(all(1).size(), 2u);
}

TEST_P(RelationshipGroupRepositoryContractTest, RemoveMovesTheMembersToTheTarget) {
  const int32_t doomed = create(1, "doomed");
  const int32_t target = create(1, "target");
  relate(1, 2, {doomed});
  relate(1, 3, {kDefaultRelationshipGroupIndex, doomed});
  relate(1, 4, {doomed, target});
  relate(1, 5, {kDefaultRelationshipGroupIndex});
  auto relationships_before = store_->relationships().findVersion(1);
  auto moved = groups().remove(1, doomed, target, kNow);
  ASSERT_TRUE(moved.ok()) << moved.status().reason;
  EXPECT_EQ(moved.value(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(groupsOf(1, 2), std::vector<int32_t>{target});
  EXPECT_EQ(groupsOf(1, 3), (std::vector<int32_t>{kDefaultRelationshipGroupIndex, target}));
  EXPECT_EQ(groupsOf(1, 4), std::vector<int32_t>{target});
  EXPECT_EQ(groupsOf(1, 5), std::vector<int32_t>{kDefaultRelationshipGroupIndex});
  const std::vector<RelationshipGroupRecord> left = all(1);
  EXPECT_TRUE(std::none_of(left.begin(), left.end(),
                           [&](const auto& group) { return group.index == doomed; }));
  EXPECT_EQ(left.size(), 2u);
  // Relationship queries filtered by group answer differently now.
  EXPECT_GT(store_->relationships().findVersion(1).value().value_or(0),
            relationships_before.value().value_or(0));
}

TEST_P(RelationshipGroupRepositoryContractTest, RemovingAMissingGroupChangesNothing) {
  create(1, "kept");
  const std::optional<int64_t> before = version(1);
  auto moved = groups().remove(1, 12345, kDefaultRelationshipGroupIndex, kNow + 1000);
  ASSERT_TRUE(moved.ok());
  EXPECT_TRUE(moved->empty());
  EXPECT_EQ(version(1), before);
  EXPECT_EQ(all(1).size(), 2u);
}

TEST_P(RelationshipGroupRepositoryContractTest, InsertManyAddsOnlyNewGroups) {
  const std::vector<RelationshipGroupRecord> batch{
      {1, 7, "seven", kNow - 10}, {1, 8, "eight", kNow - 10}, {2, 7, "other", kNow - 10}};
  EXPECT_EQ(groups().insertMany(batch, kNow).value(), 3);
  EXPECT_EQ(groups().insertMany(batch, kNow).value(), 0);
  EXPECT_EQ(all(1), (std::vector<RelationshipGroupRecord>{kDefaultOfUser1, batch[0], batch[1]}));
  EXPECT_GE(version(2).value_or(0), kNow);
}

TEST_P(RelationshipGroupRepositoryContractTest, DataSurvivesReopening) {
  const int32_t index = create(1, "kept");
  reopen();
  ASSERT_EQ(all(1).size(), 2u);
  EXPECT_EQ(all(1).back(), (RelationshipGroupRecord{1, index, "kept", kNow}));
}

TEST_P(RelationshipGroupRepositoryContractTest, SearchListsStoredGroupsInKeyOrderAndPages) {
  const std::vector<RelationshipGroupRecord> stored{
      {2, 4, "work", kNow - 10}, {1, 9, "family", kNow}, {1, 5, "work", kNow - 5}};
  ASSERT_EQ(groups().insertMany(stored, kNow).value(), 3);
  ASSERT_TRUE(groups().rename(3, kDefaultRelationshipGroupIndex, "renamed", kNow).value());

  const auto keys = [&](const RelationshipGroupSearch& search, int64_t skip, int64_t limit) {
    auto found = groups().search(search, skip, limit);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<std::pair<int64_t, int32_t>> out;
    if (!found.ok()) return out;
    for (const RelationshipGroupRecord& group : found.value()) {
      out.emplace_back(group.owner_id, group.index);
    }
    return out;
  };
  using Keys = std::vector<std::pair<int64_t, int32_t>>;
  const RelationshipGroupSearch everything;
  // A default group is listed once stored (renamed); user 1's, never renamed, is not.
  EXPECT_EQ(keys(everything, 0, 10), (Keys{{1, 5}, {1, 9}, {2, 4}, {3, 0}}));
  EXPECT_EQ(keys(everything, 1, 2), (Keys{{1, 9}, {2, 4}}));
  EXPECT_EQ(groups().count(everything).value(), 4);

  auto whole = groups().search(everything, 0, 1);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->size(), 1u);
  EXPECT_EQ(whole->front(), stored[2]);

  RelationshipGroupSearch search;
  search.names = {"work"};
  EXPECT_EQ(keys(search, 0, 10), (Keys{{1, 5}, {2, 4}}));
  search.owner_ids = {2};
  EXPECT_EQ(groups().count(search).value(), 1);
  RelationshipGroupSearch by_index;
  by_index.indexes = {9, 0};
  EXPECT_EQ(keys(by_index, 0, 10), (Keys{{1, 9}, {3, 0}}));
  // Creation dates: start inclusive, end exclusive.
  RelationshipGroupSearch dates;
  dates.creation_date = {kNow - 5, kNow};
  EXPECT_EQ(keys(dates, 0, 10), (Keys{{1, 5}}));
}

TEST_P(RelationshipGroupRepositoryContractTest, SearchByNameMatchesAnyTextExactly) {
  const std::string quoted = "a \"quoted\", back\\slash\tand 名前";
  const std::vector<RelationshipGroupRecord> stored{{1, 1, quoted, kNow}, {1, 2, "a", kNow}};
  ASSERT_EQ(groups().insertMany(stored, kNow).value(), 2);
  RelationshipGroupSearch search;
  search.names = {quoted};
  auto found = groups().search(search, 0, 10);
  ASSERT_TRUE(found.ok()) << found.status().reason;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().name, quoted);
}

}  // namespace parley::contract
