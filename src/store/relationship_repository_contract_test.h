#pragma once
// The behaviour every RelationshipRepository must have, as one value-parameterized GoogleTest
// suite. An implementation's test file includes this header once and instantiates the suite
// with its store environment (store/store_test_env.h), e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, RelationshipRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"sqlite", makeEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/relationship_repository.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class RelationshipRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kNow = 1'700'000'900'000;

  RelationshipRepository& relationships() { return store_->relationships(); }

  static RelationshipRecord makeRelationship(int64_t owner_id, int64_t related_user_id) {
    RelationshipRecord relationship;
    relationship.owner_id = owner_id;
    relationship.related_user_id = related_user_id;
    relationship.establishment_date = 1'700'000'000'000 + related_user_id % 1000;
    relationship.name = "contact " + std::to_string(related_user_id);
    return relationship;
  }

  static RelationshipRecord makeBlock(int64_t owner_id, int64_t related_user_id) {
    RelationshipRecord relationship = makeRelationship(owner_id, related_user_id);
    relationship.block_date = 1'700'000'500'000 + related_user_id % 1000;
    return relationship;
  }

  std::optional<RelationshipRecord> find(int64_t owner_id, int64_t related_user_id) {
    auto found = relationships().find(owner_id, related_user_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  bool isBlocked(int64_t owner_id, int64_t related_user_id) {
    auto blocked = relationships().isBlocked(owner_id, related_user_id);
    EXPECT_TRUE(blocked.ok()) << blocked.status().reason;
    return blocked.ok() && blocked.value();
  }

  // Related user ids of a query, sorted: the contract does not fix an order.
  std::vector<int64_t> relatedIds(const RelationshipFilter& filter) {
    auto found = relationships().query(filter);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (!found.ok()) return ids;
    for (const RelationshipRecord& relationship : found.value()) {
      EXPECT_EQ(relationship.owner_id, filter.owner_id);
      ids.push_back(relationship.related_user_id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

inline void expectSameRelationship(const RelationshipRecord& actual,
                                   const RelationshipRecord& expected) {
  EXPECT_EQ(actual.owner_id, expected.owner_id);
  EXPECT_EQ(actual.related_user_id, expected.related_user_id);
  EXPECT_EQ(actual.block_date, expected.block_date);
  EXPECT_EQ(actual.group_indexes, expected.group_indexes);
  EXPECT_EQ(actual.establishment_date, expected.establishment_date);
  EXPECT_EQ(actual.name, expected.name);
}

TEST_P(RelationshipRepositoryContractTest, InsertThenFindReturnsEveryField) {
  RelationshipRecord relationship = makeBlock(1, 2);
  relationship.group_indexes = {7};
  relationship.name = "名前 with ünïcode";
  ASSERT_TRUE(relationships().insert(relationship, kNow).ok());
  const std::optional<RelationshipRecord> found = find(1, 2);
  ASSERT_TRUE(found.has_value());
  expectSameRelationship(*found, relationship);

  RelationshipRecord plain = makeRelationship(1, 3);
  plain.name = "";
  ASSERT_TRUE(relationships().insert(plain, kNow).ok());
  expectSameRelationship(*find(1, 3), plain);
}

TEST_P(RelationshipRepositoryContractTest, RelationshipsAreOneSided) {
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  EXPECT_TRUE(find(1, 2).has_value());
  EXPECT_FALSE(find(2, 1).has_value());
  // The other side is a record of its own, with its own fields.
  ASSERT_TRUE(relationships().insert(makeBlock(2, 1), kNow).ok());
  EXPECT_FALSE(find(1, 2)->block_date.has_value());
  EXPECT_TRUE(find(2, 1)->block_date.has_value());
}

TEST_P(RelationshipRepositoryContractTest, ExtremeIdsRoundTrip) {
  ASSERT_TRUE(relationships().insert(makeRelationship(INT64_MAX, 1), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeBlock(1, INT64_MAX), kNow).ok());
  expectSameRelationship(*find(INT64_MAX, 1), makeRelationship(INT64_MAX, 1));
  expectSameRelationship(*find(1, INT64_MAX), makeBlock(1, INT64_MAX));
  EXPECT_TRUE(isBlocked(1, INT64_MAX));
  RelationshipFilter filter;
  filter.owner_id = 1;
  filter.related_user_ids = {INT64_MAX};
  EXPECT_EQ(relatedIds(filter), (std::vector<int64_t>{INT64_MAX}));
}

TEST_P(RelationshipRepositoryContractTest, DuplicateInsertIsRejected) {
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  RelationshipRecord again = makeBlock(1, 2);
  again.name = "someone else";
  const VoidResult inserted = relationships().insert(again, kNow);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.status().code, StatusCode::kRecordContainsDuplicateKey);
  expectSameRelationship(*find(1, 2), makeRelationship(1, 2));
}

TEST_P(RelationshipRepositoryContractTest, UpsertInsertsThenReplacesEveryField) {
  ASSERT_TRUE(relationships().upsert(makeBlock(1, 2), kNow).ok());
  expectSameRelationship(*find(1, 2), makeBlock(1, 2));

  RelationshipRecord replaced = makeRelationship(1, 2);  // no block_date: unblocks
  replaced.group_indexes = {3};
  replaced.name = "renamed";
  replaced.establishment_date = 1'800'000'000'000;
  ASSERT_TRUE(relationships().upsert(replaced, kNow).ok());
  expectSameRelationship(*find(1, 2), replaced);
  EXPECT_FALSE(isBlocked(1, 2));
  EXPECT_FALSE(find(2, 1).has_value());
}

TEST_P(RelationshipRepositoryContractTest, RemoveDeletesOnlyThatSide) {
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeRelationship(2, 1), kNow).ok());
  auto removed = relationships().remove(1, 2, kNow);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed.value());
  EXPECT_FALSE(find(1, 2).has_value());
  EXPECT_TRUE(find(2, 1).has_value());

  auto again = relationships().remove(1, 2, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
  // Removed, the pair can be created again.
  EXPECT_TRUE(relationships().insert(makeBlock(1, 2), kNow).ok());
}

TEST_P(RelationshipRepositoryContractTest, IsBlockedIsDirectedAndNeedsABlockDate) {
  ASSERT_TRUE(relationships().insert(makeBlock(1, 2), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 3), kNow).ok());
  EXPECT_TRUE(isBlocked(1, 2));
  EXPECT_FALSE(isBlocked(2, 1));    // no record
  EXPECT_FALSE(isBlocked(1, 3));    // a record without a block
  EXPECT_FALSE(isBlocked(1, 404));  // nothing at all

  RelationshipRecord unblocked = makeRelationship(1, 2);
  ASSERT_TRUE(relationships().upsert(unblocked, kNow).ok());
  EXPECT_FALSE(isBlocked(1, 2));
}

TEST_P(RelationshipRepositoryContractTest, QueryFiltersByRelatedUsersBlockAndGroup) {
  // Owner 1: 2 and 3 in group 0, 4 blocked in group 0, 5 in group 1, 6 blocked in group 2.
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 3), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeBlock(1, 4), kNow).ok());
  RelationshipRecord grouped = makeRelationship(1, 5);
  grouped.group_indexes = {1};
  ASSERT_TRUE(relationships().insert(grouped, kNow).ok());
  RelationshipRecord blocked_grouped = makeBlock(1, 6);
  blocked_grouped.group_indexes = {2};
  ASSERT_TRUE(relationships().insert(blocked_grouped, kNow).ok());
  // Other owners' records never leak into owner 1's results.
  ASSERT_TRUE(relationships().insert(makeRelationship(2, 1), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeBlock(9, 2), kNow).ok());

  RelationshipFilter all;
  all.owner_id = 1;
  EXPECT_EQ(relatedIds(all), (std::vector<int64_t>{2, 3, 4, 5, 6}));

  RelationshipFilter blocked = all;
  blocked.blocked = true;
  EXPECT_EQ(relatedIds(blocked), (std::vector<int64_t>{4, 6}));
  RelationshipFilter not_blocked = all;
  not_blocked.blocked = false;
  EXPECT_EQ(relatedIds(not_blocked), (std::vector<int64_t>{2, 3, 5}));

  RelationshipFilter by_ids = all;
  by_ids.related_user_ids = {6, 2, 404, 2};
  EXPECT_EQ(relatedIds(by_ids), (std::vector<int64_t>{2, 6}));
  by_ids.blocked = true;
  EXPECT_EQ(relatedIds(by_ids), (std::vector<int64_t>{6}));
  by_ids.blocked = false;
  EXPECT_EQ(relatedIds(by_ids), (std::vector<int64_t>{2}));

  RelationshipFilter by_group = all;
  by_group.group_indexes = {1, 2};
  EXPECT_EQ(relatedIds(by_group), (std::vector<int64_t>{5, 6}));
  by_group.blocked = true;
  EXPECT_EQ(relatedIds(by_group), (std::vector<int64_t>{6}));
  by_group.blocked = false;
  EXPECT_EQ(relatedIds(by_group), (std::vector<int64_t>{5}));
  by_group.blocked.reset();
  by_group.related_user_ids = {2, 5};
  EXPECT_EQ(relatedIds(by_group), (std::vector<int64_t>{5}));

  RelationshipFilter nobody;
  nobody.owner_id = 404;
  EXPECT_TRUE(relatedIds(nobody).empty());

  // Every field comes back from a query, not only the keys.
  auto records = relationships().query(blocked);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  for (const RelationshipRecord& record : records.value()) {
    expectSameRelationship(record, record.related_user_id == 4 ? makeBlock(1, 4) : blocked_grouped);
  }
}

TEST_P(RelationshipRepositoryContractTest, InsertManySkipsExistingPairs) {
  RelationshipRecord existing = makeRelationship(1, 2);
  existing.name = "original";
  ASSERT_TRUE(relationships().insert(existing, kNow).ok());

  const std::vector<RelationshipRecord> batch{makeRelationship(1, 2), makeRelationship(1, 3),
                                              makeBlock(3, 1), makeBlock(3, 1)};
  auto inserted = relationships().insertMany(batch, kNow);
  ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  EXPECT_EQ(inserted.value(), 2);
  EXPECT_EQ(find(1, 2)->name, "original");
  expectSameRelationship(*find(1, 3), makeRelationship(1, 3));
  EXPECT_TRUE(isBlocked(3, 1));

  auto again = relationships().insertMany(batch, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), 0);
  auto none = relationships().insertMany({}, kNow);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0);
}

TEST_P(RelationshipRepositoryContractTest, MembershipsAreStoredExactly) {
  RelationshipRecord relationship = makeRelationship(1, 2);
  relationship.group_indexes = {3, 5};
  ASSERT_TRUE(relationships().insert(relationship, kNow).ok());
  EXPECT_EQ(find(1, 2)->group_indexes, (std::vector<int32_t>{3, 5}));
  relationship.group_indexes = {5, 7};
  ASSERT_TRUE(relationships().upsert(relationship, kNow).ok());
  EXPECT_EQ(find(1, 2)->group_indexes, (std::vector<int32_t>{5, 7}));
  // In no group means in the default one.
  relationship.group_indexes.clear();
  ASSERT_TRUE(relationships().upsert(relationship, kNow).ok());
  EXPECT_EQ(find(1, 2)->group_indexes, std::vector<int32_t>{kDefaultRelationshipGroupIndex});
}

TEST_P(RelationshipRepositoryContractTest, AGroupFilterMatchesAnyMembership) {
  RelationshipRecord two = makeRelationship(1, 2);
  two.group_indexes = {3, 5};
  RelationshipRecord three = makeBlock(1, 3);
  three.group_indexes = {5};
  ASSERT_TRUE(relationships().insert(two, kNow).ok());
  ASSERT_TRUE(relationships().insert(three, kNow).ok());
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 4), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeRelationship(9, 2), kNow).ok());  // another owner
  const auto in = [](std::vector<int32_t> groups, std::optional<bool> blocked = std::nullopt,
                     std::vector<int64_t> related = {}) {
    RelationshipFilter filter;
    filter.owner_id = 1;
    filter.group_indexes = std::move(groups);
    filter.blocked = blocked;
    filter.related_user_ids = std::move(related);
    return filter;
  };
  EXPECT_EQ(relatedIds(in({3})), (std::vector<int64_t>{2}));
  EXPECT_EQ(relatedIds(in({5})), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(relatedIds(in({0})), (std::vector<int64_t>{4}));
  EXPECT_EQ(relatedIds(in({0, 3})), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(relatedIds(in({5}, true)), (std::vector<int64_t>{3}));
  EXPECT_EQ(relatedIds(in({5}, false)), (std::vector<int64_t>{2}));
  EXPECT_EQ(relatedIds(in({5}, std::nullopt, {3, 4})), (std::vector<int64_t>{3}));
  EXPECT_TRUE(relatedIds(in({42})).empty());
}

TEST_P(RelationshipRepositoryContractTest, RemovingTakesTheMembershipsAlong) {
  RelationshipRecord relationship = makeRelationship(1, 2);
  relationship.group_indexes = {3};
  ASSERT_TRUE(relationships().insert(relationship, kNow).ok());
  ASSERT_TRUE(relationships().remove(1, 2, kNow).value());
  // Created again without a group: no leftover of group 3.
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  EXPECT_EQ(find(1, 2)->group_indexes, std::vector<int32_t>{kDefaultRelationshipGroupIndex});
  RelationshipFilter in_three;
  in_three.owner_id = 1;
  in_three.group_indexes = {3};
  EXPECT_TRUE(relatedIds(in_three).empty());
}

TEST_P(RelationshipRepositoryContractTest, EveryChangeMovesTheOwnersVersionForward) {
  const auto version = [&](int64_t owner_id) {
    auto found = relationships().findVersion(owner_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  };
  EXPECT_EQ(version(1), std::nullopt);
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  const std::optional<int64_t> created = version(1);
  ASSERT_TRUE(created.has_value());
  EXPECT_GE(*created, kNow);
  EXPECT_EQ(version(2), std::nullopt);  // the related user's copy did not change
  // Within the same millisecond (or with a clock behind) a change still moves it.
  ASSERT_TRUE(relationships().upsert(makeBlock(1, 2), kNow).ok());
  const std::optional<int64_t> blocked = version(1);
  EXPECT_GT(blocked.value_or(0), *created);
  ASSERT_TRUE(relationships().remove(1, 2, kNow - 1000).value());
  const std::optional<int64_t> removed = version(1);
  EXPECT_GT(removed.value_or(0), blocked.value_or(0));
  // Removing nothing changes nothing.
  ASSERT_FALSE(relationships().remove(1, 2, kNow + 1000).value());
  EXPECT_EQ(version(1), removed);
  // Bulk loading moves the versions of the owners it wrote for.
  ASSERT_EQ(relationships().insertMany(std::vector{makeRelationship(3, 1)}, kNow + 5000).value(),
            1);
  EXPECT_GE(version(3).value_or(0), kNow + 5000);
}

TEST_P(RelationshipRepositoryContractTest, FindBlockedTellsNoneFromContactFromBlock) {
  ASSERT_TRUE(relationships().insert(makeRelationship(1, 2), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeBlock(1, 3), kNow).ok());
  EXPECT_EQ(relationships().findBlocked(1, 2).value(), std::optional<bool>(false));
  EXPECT_EQ(relationships().findBlocked(1, 3).value(), std::optional<bool>(true));
  EXPECT_EQ(relationships().findBlocked(1, 4).value(), std::nullopt);
  EXPECT_EQ(relationships().findBlocked(2, 1).value(), std::nullopt);
}

TEST_P(RelationshipRepositoryContractTest, DataSurvivesReopening) {
  ASSERT_TRUE(relationships().insert(makeBlock(1, 2), kNow).ok());
  ASSERT_TRUE(relationships().insert(makeRelationship(2, 1), kNow).ok());
  reopen();
  expectSameRelationship(*find(1, 2), makeBlock(1, 2));
  expectSameRelationship(*find(2, 1), makeRelationship(2, 1));
  EXPECT_TRUE(isBlocked(1, 2));
}

// (owner, related) pairs of an admin search, in the order returned.
inline std::vector<std::pair<int64_t, int64_t>> pairsOf(
    const Result<std::vector<RelationshipRecord>>& found) {
  EXPECT_TRUE(found.ok()) << found.status().reason;
  std::vector<std::pair<int64_t, int64_t>> pairs;
  if (!found.ok()) return pairs;
  for (const RelationshipRecord& relationship : found.value()) {
    pairs.emplace_back(relationship.owner_id, relationship.related_user_id);
  }
  return pairs;
}

using Pairs = std::vector<std::pair<int64_t, int64_t>>;

TEST_P(RelationshipRepositoryContractTest, SearchSpansOwnersInKeyOrderAndPages) {
  for (const auto& [owner, related] : Pairs{{2, 5}, {1, 9}, {1, 3}, {3, 1}}) {
    ASSERT_TRUE(relationships().insert(makeRelationship(owner, related), kNow).ok());
  }
  const RelationshipSearch everything;
  EXPECT_EQ(pairsOf(relationships().search(everything, 0, 10)),
            (Pairs{{1, 3}, {1, 9}, {2, 5}, {3, 1}}));
  EXPECT_EQ(pairsOf(relationships().search(everything, 1, 2)), (Pairs{{1, 9}, {2, 5}}));
  EXPECT_EQ(pairsOf(relationships().search(everything, 4, 2)), Pairs{});
  EXPECT_EQ(relationships().count(everything).value(), 4);

  RelationshipSearch owners;
  owners.owner_ids = {1, 3};
  EXPECT_EQ(pairsOf(relationships().search(owners, 0, 10)), (Pairs{{1, 3}, {1, 9}, {3, 1}}));
  EXPECT_EQ(relationships().count(owners).value(), 3);
  // Records come whole, memberships included.
  auto found = relationships().search(owners, 0, 1);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  expectSameRelationship(found->front(), makeRelationship(1, 3));
}

TEST_P(RelationshipRepositoryContractTest, SearchFiltersCombine) {
  RelationshipRecord in_group = makeRelationship(1, 2);
  in_group.group_indexes = {0, 7};
  RelationshipRecord blocked = makeBlock(1, 3);
  blocked.group_indexes = {7};
  RelationshipRecord other_owner = makeRelationship(2, 3);
  other_owner.group_indexes = {7};
  RelationshipRecord late = makeRelationship(1, 4);
  late.establishment_date = 1'800'000'000'000;
  for (const RelationshipRecord& relationship : {in_group, blocked, other_owner, late}) {
    ASSERT_TRUE(relationships().insert(relationship, kNow).ok());
  }
  RelationshipSearch search;
  search.group_indexes = {7};
  EXPECT_EQ(pairsOf(relationships().search(search, 0, 10)), (Pairs{{1, 2}, {1, 3}, {2, 3}}));
  EXPECT_EQ(relationships().count(search).value(), 3);
  // A group filter pages like any other.
  EXPECT_EQ(pairsOf(relationships().search(search, 1, 1)), (Pairs{{1, 3}}));
  search.owner_ids = {1};
  search.blocked = false;
  EXPECT_EQ(pairsOf(relationships().search(search, 0, 10)), (Pairs{{1, 2}}));
  EXPECT_EQ(relationships().count(search).value(), 1);

  RelationshipSearch related;
  related.related_user_ids = {3};
  related.blocked = true;
  EXPECT_EQ(pairsOf(relationships().search(related, 0, 10)), (Pairs{{1, 3}}));

  // Establishment dates: start inclusive, end exclusive.
  RelationshipSearch dates;
  dates.establishment_date.start = late.establishment_date;
  EXPECT_EQ(pairsOf(relationships().search(dates, 0, 10)), (Pairs{{1, 4}}));
  dates.establishment_date = {std::nullopt, late.establishment_date};
  EXPECT_EQ(relationships().count(dates).value(), 3);
}

}  // namespace parley::contract
