#pragma once
// The behaviour every GroupTypeRepository must have, as one value-parameterized GoogleTest suite.
// An implementation's test file includes this header once and instantiates the suite with its
// store environment (store/store_test_env.h), e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, GroupTypeRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"sqlite", makeEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/group_type_repository.h"
#include "store/store_test_env.h"

namespace parley::contract {

class GroupTypeRepositoryContractTest : public StoreContractTest {
 protected:
  GroupTypeRepository& types() { return store_->groupTypes(); }

  static GroupTypeRecord makeType(int64_t id) {
    return {.id = id,
            .name = "type-" + std::to_string(id),
            .group_size_limit = static_cast<int32_t>(10 + id),
            .invitation_strategy = GroupInvitationStrategy::kOwner,
            .join_strategy = GroupJoinStrategy::kQuestion,
            .group_info_update_strategy = GroupUpdateStrategy::kAll,
            .member_info_update_strategy = GroupUpdateStrategy::kOwnerManagerMember,
            .guest_speakable = true,
            .self_info_updatable = false,
            .enable_read_receipt = false,
            .message_editable = true};
  }

  void insert(const GroupTypeRecord& type) {
    const VoidResult inserted = types().insert(type);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  std::optional<GroupTypeRecord> find(int64_t id) {
    auto found = types().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::vector<int64_t> listedIds(int64_t skip, int64_t limit) {
    auto found = types().findAll(skip, limit);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (found.ok()) {
      for (const GroupTypeRecord& type : *found) ids.push_back(type.id);
    }
    return ids;
  }

  int64_t count() {
    auto counted = types().count();
    EXPECT_TRUE(counted.ok()) << counted.status().reason;
    return counted.ok() ? *counted : -1;
  }
};

TEST_P(GroupTypeRepositoryContractTest, AFreshStoreHoldsTheDefaultTypeAlone) {
  EXPECT_EQ(find(kDefaultGroupTypeId), defaultGroupType());
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(listedIds(0, 10), std::vector<int64_t>{kDefaultGroupTypeId});
}

TEST_P(GroupTypeRepositoryContractTest, ReopeningKeepsOneDefaultTypeAsChanged) {
  GroupTypeUpdate update;
  update.group_size_limit = 1000;
  const int64_t ids[] = {kDefaultGroupTypeId};
  ASSERT_TRUE(types().update(ids, update).ok());
  reopen();
  EXPECT_EQ(count(), 1);
  const std::optional<GroupTypeRecord> stored = find(kDefaultGroupTypeId);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->group_size_limit, 1000);
}

TEST_P(GroupTypeRepositoryContractTest, InsertedTypeReadsBackWhole) {
  insert(makeType(7));
  EXPECT_EQ(find(7), makeType(7));
  EXPECT_EQ(find(8), std::nullopt);
}

TEST_P(GroupTypeRepositoryContractTest, EveryStrategyValueRoundTrips) {
  for (int32_t i = 0; i < kGroupInvitationStrategyCount; ++i) {
    GroupTypeRecord type = makeType(100 + i);
    type.invitation_strategy = static_cast<GroupInvitationStrategy>(i);
    type.join_strategy = static_cast<GroupJoinStrategy>(i % kGroupJoinStrategyCount);
    type.group_info_update_strategy = static_cast<GroupUpdateStrategy>(i % 4);
    type.member_info_update_strategy = static_cast<GroupUpdateStrategy>((i + 1) % 4);
    insert(type);
    EXPECT_EQ(find(type.id), type);
  }
}

TEST_P(GroupTypeRepositoryContractTest, InsertingATakenIdIsADuplicateKey) {
  insert(makeType(7));
  GroupTypeRecord other = makeType(7);
  other.name = "other";
  const VoidResult again = types().insert(other);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  const VoidResult default_again = types().insert(defaultGroupType());
  ASSERT_FALSE(default_again.ok());
  EXPECT_EQ(default_again.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find(7), makeType(7));
}

TEST_P(GroupTypeRepositoryContractTest, FindAllPagesInIdOrder) {
  for (const int64_t id : {30, 10, 20, 40}) insert(makeType(id));
  EXPECT_EQ(count(), 5);
  EXPECT_EQ(listedIds(0, 100), (std::vector<int64_t>{0, 10, 20, 30, 40}));
  EXPECT_EQ(listedIds(0, 2), (std::vector<int64_t>{0, 10}));
  EXPECT_EQ(listedIds(2, 2), (std::vector<int64_t>{20, 30}));
  EXPECT_EQ(listedIds(4, 2), (std::vector<int64_t>{40}));
  EXPECT_EQ(listedIds(5, 2), std::vector<int64_t>{});
}

TEST_P(GroupTypeRepositoryContractTest, UpdateSetsOnlyTheGivenFieldsOfTheGivenTypes) {
  for (const int64_t id : {1, 2, 3}) insert(makeType(id));
  GroupTypeUpdate update;
  update.name = "renamed";
  update.group_size_limit = 99;
  update.join_strategy = GroupJoinStrategy::kJoinRequest;
  update.guest_speakable = false;
  const int64_t ids[] = {1, 3, 404};
  auto updated = types().update(ids, update);
  ASSERT_TRUE(updated.ok()) << updated.status().reason;
  EXPECT_EQ(*updated, 2);

  for (const int64_t id : {1, 3}) {
    GroupTypeRecord expected = makeType(id);
    expected.name = "renamed";
    expected.group_size_limit = 99;
    expected.join_strategy = GroupJoinStrategy::kJoinRequest;
    expected.guest_speakable = false;
    EXPECT_EQ(find(id), expected);
  }
  EXPECT_EQ(find(2), makeType(2));
  EXPECT_EQ(find(kDefaultGroupTypeId), defaultGroupType());
}

TEST_P(GroupTypeRepositoryContractTest, UpdateCountsMatchedTypesEvenWhenUnchanged) {
  insert(makeType(1));
  GroupTypeUpdate same;
  same.name = makeType(1).name;
  const int64_t ids[] = {1};
  auto updated = types().update(ids, same);
  ASSERT_TRUE(updated.ok()) << updated.status().reason;
  EXPECT_EQ(*updated, 1);
  auto nothing = types().update(ids, GroupTypeUpdate{});
  ASSERT_TRUE(nothing.ok()) << nothing.status().reason;
  EXPECT_EQ(*nothing, 1);
  EXPECT_EQ(find(1), makeType(1));
}

TEST_P(GroupTypeRepositoryContractTest, RemoveDeletesTheGivenTypesAndCountsThem) {
  for (const int64_t id : {1, 2, 3}) insert(makeType(id));
  const int64_t ids[] = {1, 3, 404};
  auto removed = types().remove(ids);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(listedIds(0, 10), (std::vector<int64_t>{0, 2}));
  auto again = types().remove(ids);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  auto none = types().remove({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
}

}  // namespace parley::contract
