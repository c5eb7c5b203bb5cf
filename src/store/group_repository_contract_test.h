#pragma once
// The behaviour every GroupRepository and GroupMemberRepository must have, as one
// value-parameterized GoogleTest suite. An implementation's test file includes this header once
// and instantiates the suite with its store environment (store/store_test_env.h), e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, GroupRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"sqlite", makeEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/group_repository.h"
#include "store/store_test_env.h"

namespace parley::contract {

class GroupRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;

  GroupRepository& groups() { return store_->groups(); }
  GroupMemberRepository& members() { return store_->groupMembers(); }

  static GroupRecord makeGroup(int64_t id) {
    GroupRecord group;
    group.id = id;
    group.type_id = 0;
    group.creator_id = 100 + id % 1000;
    group.owner_id = 100 + id % 1000;
    group.name = "group-" + std::to_string(id);
    group.intro = "intro of " + std::to_string(id);
    group.announcement = "announcement of " + std::to_string(id);
    group.minimum_score = 5;
    group.creation_date = kT0 + id % 1000;
    group.last_updated_date = kT0 + id % 1000;
    group.members_last_updated_date = kT0 + id % 1000;
    group.is_active = true;
    return group;
  }

  static GroupMemberRecord makeMember(int64_t group_id, int64_t user_id,
                                      int32_t role = kGroupRoleMember, int64_t join_date = kT0) {
    GroupMemberRecord member;
    member.group_id = group_id;
    member.user_id = user_id;
    member.name = "member " + std::to_string(user_id);
    member.role = role;
    member.join_date = join_date;
    return member;
  }

  std::optional<GroupRecord> findGroup(int64_t id) {
    auto found = groups().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::optional<GroupMemberRecord> findMember(int64_t group_id, int64_t user_id) {
    auto found = members().find(group_id, user_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  int64_t membersVersion(int64_t group_id) {
    const std::optional<GroupRecord> group = findGroup(group_id);
    EXPECT_TRUE(group.has_value()) << group_id;
    return group ? group->members_last_updated_date : -1;
  }

  std::optional<int64_t> joinedVersion(int64_t user_id) {
    auto version = members().findJoinedGroupsVersion(user_id);
    EXPECT_TRUE(version.ok()) << version.status().reason;
    return version.ok() ? version.value() : std::nullopt;
  }

  void addMembers(std::vector<GroupMemberRecord> batch) {
    auto added = members().insertMany(batch);
    ASSERT_TRUE(added.ok()) << added.status().reason;
  }

  std::vector<int64_t> memberIds(int64_t group_id) {
    auto ids = members().findMemberIds(group_id);
    EXPECT_TRUE(ids.ok()) << ids.status().reason;
    if (!ids.ok()) return {};
    std::vector<int64_t> sorted = ids.value();
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

  std::vector<int64_t> joinedGroupIds(int64_t user_id) {
    auto ids = members().findJoinedGroupIds(user_id);
    EXPECT_TRUE(ids.ok()) << ids.status().reason;
    if (!ids.ok()) return {};
    std::vector<int64_t> sorted = ids.value();
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

  static std::vector<int64_t> idsOf(const std::vector<GroupRecord>& records) {
    std::vector<int64_t> ids;
    for (const GroupRecord& record : records) ids.push_back(record.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

inline void expectSameGroup(const GroupRecord& actual, const GroupRecord& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.type_id, expected.type_id);
  EXPECT_EQ(actual.creator_id, expected.creator_id);
  EXPECT_EQ(actual.owner_id, expected.owner_id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.intro, expected.intro);
  EXPECT_EQ(actual.announcement, expected.announcement);
  EXPECT_EQ(actual.minimum_score, expected.minimum_score);
  EXPECT_EQ(actual.mute_end_date, expected.mute_end_date);
  EXPECT_EQ(actual.creation_date, expected.creation_date);
  EXPECT_EQ(actual.deletion_date, expected.deletion_date);
  EXPECT_EQ(actual.last_updated_date, expected.last_updated_date);
  EXPECT_EQ(actual.members_last_updated_date, expected.members_last_updated_date);
  EXPECT_EQ(actual.is_active, expected.is_active);
}

inline void expectSameMember(const GroupMemberRecord& actual, const GroupMemberRecord& expected) {
  EXPECT_EQ(actual.group_id, expected.group_id);
  EXPECT_EQ(actual.user_id, expected.user_id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.role, expected.role);
  EXPECT_EQ(actual.join_date, expected.join_date);
  EXPECT_EQ(actual.mute_end_date, expected.mute_end_date);
}

// Groups

TEST_P(GroupRepositoryContractTest, InsertThenFindReturnsEveryField) {
  GroupRecord group = makeGroup(42);
  group.type_id = 3;
  group.name = "名前 with ünïcode";
  group.intro = "";
  group.minimum_score = -7;
  group.mute_end_date = kT0 + 60'000;
  group.is_active = false;
  ASSERT_TRUE(groups().insert(group).ok());
  const std::optional<GroupRecord> found = findGroup(42);
  ASSERT_TRUE(found.has_value());
  expectSameGroup(*found, group);
}

TEST_P(GroupRepositoryContractTest, ExtremeIdsRoundTrip) {
  // Snowflake ids use the whole positive range.
  for (const int64_t id : {int64_t{1}, int64_t{INT64_MAX}}) {
    GroupRecord group = makeGroup(id);
    group.owner_id = INT64_MAX;
    ASSERT_TRUE(groups().insert(group).ok());
    const std::optional<GroupRecord> found = findGroup(id);
    ASSERT_TRUE(found.has_value());
    expectSameGroup(*found, group);
  }
  addMembers({makeMember(INT64_MAX, INT64_MAX, kGroupRoleOwner)});
  EXPECT_EQ(memberIds(INT64_MAX), (std::vector<int64_t>{INT64_MAX}));
  EXPECT_EQ(joinedGroupIds(INT64_MAX), (std::vector<int64_t>{INT64_MAX}));
}

TEST_P(GroupRepositoryContractTest, DuplicateInsertIsRejected) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  GroupRecord other = makeGroup(1);
  other.name = "another";
  const VoidResult again = groups().insert(other);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(findGroup(1)->name, makeGroup(1).name);
}

TEST_P(GroupRepositoryContractTest, FindMissingIsEmpty) {
  EXPECT_FALSE(findGroup(404).has_value());
  auto none = groups().findByIds({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(GroupRepositoryContractTest, FindByIdsIgnoresMissingAndIncludesDeleted) {
  for (const int64_t id : {1, 2, 3}) ASSERT_TRUE(groups().insert(makeGroup(id)).ok());
  ASSERT_TRUE(groups().softDelete(2, kT0 + 5).value());
  const std::vector<int64_t> ids{3, 404, 2, 1, 1};
  auto found = groups().findByIds(ids);
  ASSERT_TRUE(found.ok());
  std::vector<int64_t> found_ids = idsOf(found.value());
  found_ids.erase(std::unique(found_ids.begin(), found_ids.end()), found_ids.end());
  EXPECT_EQ(found_ids, (std::vector<int64_t>{1, 2, 3}));
  for (const GroupRecord& group : found.value()) {
    EXPECT_EQ(group.deletion_date.has_value(), group.id == 2) << group.id;
  }
}

TEST_P(GroupRepositoryContractTest, UpdateChangesOnlyGivenFields) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  GroupUpdate rename;
  rename.name = "renamed";
  rename.last_updated_date = kT0 + 10;
  auto updated = groups().update(1, rename);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated.value());
  GroupRecord expected = makeGroup(1);
  expected.name = "renamed";
  expected.last_updated_date = kT0 + 10;
  expectSameGroup(*findGroup(1), expected);

  GroupUpdate everything;
  everything.name = "";
  everything.intro = "new intro";
  everything.announcement = "";
  everything.minimum_score = 0;
  everything.type_id = 9;
  everything.mute_end_date = kT0 + 99;
  everything.owner_id = 777;
  everything.creator_id = 778;
  everything.creation_date = kT0 - 5;
  everything.is_active = false;
  everything.last_updated_date = kT0 + 11;
  ASSERT_TRUE(groups().update(1, everything).value());
  expected.name = "";
  expected.intro = "new intro";
  expected.announcement = "";
  expected.minimum_score = 0;
  expected.type_id = 9;
  expected.mute_end_date = kT0 + 99;
  expected.owner_id = 777;
  expected.creator_id = 778;
  expected.creation_date = kT0 - 5;
  expected.is_active = false;
  expected.last_updated_date = kT0 + 11;
  expectSameGroup(*findGroup(1), expected);

  // Unmuting is done with a date in the past, not by clearing the field.
  GroupUpdate unmute;
  unmute.mute_end_date = 0;
  unmute.last_updated_date = kT0 + 12;
  ASSERT_TRUE(groups().update(1, unmute).value());
  EXPECT_EQ(findGroup(1)->mute_end_date, std::optional<int64_t>(0));
}

TEST_P(GroupRepositoryContractTest, UpdateOfUnknownOrDeletedGroupReturnsFalse) {
  GroupUpdate update;
  update.name = "ghost";
  update.last_updated_date = kT0;
  auto unknown = groups().update(404, update);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown.value());
  EXPECT_FALSE(findGroup(404).has_value());

  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  ASSERT_TRUE(groups().softDelete(1, kT0 + 1).value());
  auto deleted = groups().update(1, update);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted.value());
  EXPECT_EQ(findGroup(1)->name, makeGroup(1).name);
}

TEST_P(GroupRepositoryContractTest, SearchFiltersByEveryFieldInIdOrderAndPages) {
  for (const int64_t id : {1, 2, 3, 4}) {
    GroupRecord group = makeGroup(id);
    group.type_id = id % 2;
    group.owner_id = 10 + id;
    if (id == 3) group.is_active = false;
    if (id == 4) group.mute_end_date = kT0 + 100;
    ASSERT_TRUE(groups().insert(group).ok());
  }
  ASSERT_TRUE(groups().softDelete(2, kT0 + 50).value());
  addMembers({makeMember(1, 7), makeMember(3, 7), makeMember(4, 8)});
  const auto found = [&](const GroupSearch& search, int64_t skip = 0, int64_t limit = 10) {
    auto records = groups().search(search, skip, limit);
    EXPECT_TRUE(records.ok()) << records.status().reason;
    std::vector<int64_t> ids;
    if (records.ok()) {
      for (const GroupRecord& record : *records) ids.push_back(record.id);
    }
    return ids;
  };
  const GroupSearch everything;
  EXPECT_EQ(found(everything), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(found(everything, 1, 2), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(groups().count(everything).value(), 4);
  GroupSearch by_type;
  by_type.type_ids = {1};
  by_type.owner_ids = {11, 12, 13};
  EXPECT_EQ(found(by_type), (std::vector<int64_t>{1, 3}));
  GroupSearch by_member;
  by_member.member_ids = {7, 9};
  EXPECT_EQ(found(by_member), (std::vector<int64_t>{1, 3}));
  by_member.ids = {3, 4};
  EXPECT_EQ(found(by_member), std::vector<int64_t>{3});
  EXPECT_EQ(groups().count(by_member).value(), 1);
  by_member.member_ids = {9};
  EXPECT_EQ(found(by_member), std::vector<int64_t>{});
  EXPECT_EQ(groups().count(by_member).value(), 0);
  GroupSearch inactive;
  inactive.is_active = false;
  EXPECT_EQ(found(inactive), std::vector<int64_t>{3});
  GroupSearch deleted;
  deleted.deletion_date = {kT0 + 50, kT0 + 51};
  EXPECT_EQ(found(deleted), std::vector<int64_t>{2});
  GroupSearch muted;
  muted.mute_end_date.start = kT0;
  EXPECT_EQ(found(muted), std::vector<int64_t>{4});
  GroupSearch dates;
  dates.creation_date = {kT0 + 2, kT0 + 4};
  dates.last_updated_date.end = kT0 + 10;  // 2 was updated by its deletion
  dates.creator_ids = {makeGroup(2).creator_id, makeGroup(3).creator_id};
  EXPECT_EQ(found(dates), std::vector<int64_t>{3});
}

TEST_P(GroupRepositoryContractTest, SoftDeleteSetsTheDatesOnce) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  auto deleted = groups().softDelete(1, kT0 + 500);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted.value());
  const std::optional<GroupRecord> found = findGroup(1);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->deletion_date, std::optional<int64_t>(kT0 + 500));
  EXPECT_EQ(found->last_updated_date, kT0 + 500);
  EXPECT_EQ(found->name, makeGroup(1).name);

  auto again = groups().softDelete(1, kT0 + 600);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
  EXPECT_EQ(findGroup(1)->deletion_date, std::optional<int64_t>(kT0 + 500));

  auto unknown = groups().softDelete(404, kT0);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown.value());
}

// Members

TEST_P(GroupRepositoryContractTest, InsertedMembersAreFoundWithEveryField) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  GroupMemberRecord owner = makeMember(1, 10, kGroupRoleOwner, kT0 + 1);
  GroupMemberRecord muted = makeMember(1, 30, kGroupRoleManager, kT0 + 2);
  muted.name = "";
  muted.mute_end_date = INT64_MAX;
  GroupMemberRecord plain = makeMember(1, 20, kGroupRoleMember, kT0 + 3);
  auto added = members().insertMany(std::vector<GroupMemberRecord>{owner, muted, plain});
  ASSERT_TRUE(added.ok()) << added.status().reason;
  EXPECT_EQ(added.value(), 3);

  expectSameMember(*findMember(1, 10), owner);
  expectSameMember(*findMember(1, 30), muted);
  EXPECT_FALSE(findMember(1, 404).has_value());
  EXPECT_FALSE(findMember(2, 10).has_value());

  auto all = members().findMembers(1, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  expectSameMember(all.value()[0], owner);
  expectSameMember(all.value()[1], plain);
  expectSameMember(all.value()[2], muted);

  const std::vector<int64_t> some{30, 404, 10};
  auto subset = members().findMembers(1, some);
  ASSERT_TRUE(subset.ok());
  ASSERT_EQ(subset->size(), 2u);
  EXPECT_EQ(subset.value()[0].user_id, 10);
  EXPECT_EQ(subset.value()[1].user_id, 30);

  EXPECT_EQ(memberIds(1), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_TRUE(memberIds(2).empty());
}

TEST_P(GroupRepositoryContractTest, InsertManySkipsExistingMembers) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  addMembers({makeMember(1, 10, kGroupRoleOwner)});
  GroupMemberRecord again = makeMember(1, 10, kGroupRoleMember);
  again.name = "not me";
  const std::vector<GroupMemberRecord> batch{again, makeMember(1, 20), makeMember(1, 20)};
  auto added = members().insertMany(batch);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added.value(), 1);
  expectSameMember(*findMember(1, 10), makeMember(1, 10, kGroupRoleOwner));

  auto none = members().insertMany({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0);
}

TEST_P(GroupRepositoryContractTest, JoinedGroupsAreListedPerUser) {
  for (const int64_t id : {1, 2, 3}) ASSERT_TRUE(groups().insert(makeGroup(id)).ok());
  addMembers({makeMember(3, 10), makeMember(1, 10), makeMember(2, 20), makeMember(1, 20)});
  EXPECT_EQ(joinedGroupIds(10), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(joinedGroupIds(20), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(joinedGroupIds(404).empty());
}

TEST_P(GroupRepositoryContractTest, RemoveDeletesOnlyTheGivenMembers) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  ASSERT_TRUE(groups().insert(makeGroup(2)).ok());
  addMembers({makeMember(1, 10), makeMember(1, 20), makeMember(1, 30), makeMember(2, 20)});
  const std::vector<int64_t> gone{20, 404, 30};
  auto removed = members().remove(1, gone, kT0 + 100);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 2);
  EXPECT_EQ(memberIds(1), (std::vector<int64_t>{10}));
  EXPECT_EQ(memberIds(2), (std::vector<int64_t>{20}));
  EXPECT_EQ(joinedGroupIds(20), (std::vector<int64_t>{2}));

  auto nothing = members().remove(1, gone, kT0 + 101);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing.value(), 0);
  auto empty = members().remove(1, {}, kT0 + 102);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value(), 0);
}

TEST_P(GroupRepositoryContractTest, RemoveAllEmptiesOneGroup) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  ASSERT_TRUE(groups().insert(makeGroup(2)).ok());
  addMembers({makeMember(1, 10), makeMember(1, 20), makeMember(2, 10)});
  auto removed = members().removeAll(1, kT0 + 100);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 2);
  EXPECT_TRUE(memberIds(1).empty());
  EXPECT_EQ(memberIds(2), (std::vector<int64_t>{10}));
  EXPECT_EQ(joinedGroupIds(10), (std::vector<int64_t>{2}));
  EXPECT_TRUE(joinedGroupIds(20).empty());

  auto again = members().removeAll(1, kT0 + 101);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), 0);
}

TEST_P(GroupRepositoryContractTest, UpdateRoleChangesOneMember) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  addMembers({makeMember(1, 10, kGroupRoleOwner), makeMember(1, 20)});
  auto updated = members().updateRole(1, 20, kGroupRoleManager, kT0 + 5);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated.value());
  EXPECT_EQ(findMember(1, 20)->role, kGroupRoleManager);
  EXPECT_EQ(findMember(1, 10)->role, kGroupRoleOwner);

  auto missing = members().updateRole(1, 404, kGroupRoleManager, kT0 + 6);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value());
  EXPECT_FALSE(findMember(1, 404).has_value());
}

TEST_P(GroupRepositoryContractTest, UpdateChangesOnlyTheGivenMemberFields) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  addMembers({makeMember(1, 10, kGroupRoleOwner), makeMember(1, 20)});
  const int64_t version = membersVersion(1);

  GroupMemberUpdate mute;
  mute.mute_end_date = kT0 + 3600'000;
  auto muted = members().update(1, 20, mute, kT0 + 5);
  ASSERT_TRUE(muted.ok()) << muted.status().reason;
  EXPECT_TRUE(muted.value());
  GroupMemberRecord expected = makeMember(1, 20);
  expected.mute_end_date = kT0 + 3600'000;
  expectSameMember(*findMember(1, 20), expected);
  EXPECT_GT(membersVersion(1), version);

  GroupMemberUpdate everything;
  everything.name = "";
  everything.role = kGroupRoleManager;
  everything.mute_end_date = 0;  // unmuted by a past date
  everything.join_date = kT0 - 9;
  ASSERT_TRUE(members().update(1, 20, everything, kT0 + 6).value());
  expected.name = "";
  expected.role = kGroupRoleManager;
  expected.join_date = kT0 - 9;
  expected.mute_end_date = 0;
  expectSameMember(*findMember(1, 20), expected);
  expectSameMember(*findMember(1, 10), makeMember(1, 10, kGroupRoleOwner));

  auto missing = members().update(1, 404, everything, kT0 + 7);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value());
  EXPECT_FALSE(findMember(1, 404).has_value());
}

TEST_P(GroupRepositoryContractTest, MemberSearchFiltersInKeyOrderAndPages) {
  GroupMemberRecord muted = makeMember(2, 10, kGroupRoleManager, kT0 + 5);
  muted.mute_end_date = kT0 + 100;
  addMembers({makeMember(1, 20, kGroupRoleOwner), makeMember(1, 10), muted,
              makeMember(3, 20, kGroupRoleGuest, kT0 + 9)});
  const auto found = [&](const GroupMemberSearch& search, int64_t skip = 0, int64_t limit = 10) {
    auto records = members().search(search, skip, limit);
    EXPECT_TRUE(records.ok()) << records.status().reason;
    std::vector<std::string> keys;
    if (records.ok()) {
      for (const GroupMemberRecord& member : *records) {
        keys.push_back(std::to_string(member.group_id) + "/" + std::to_string(member.user_id));
      }
    }
    return keys;
  };
  const GroupMemberSearch everything;
  EXPECT_EQ(found(everything), (std::vector<std::string>{"1/10", "1/20", "2/10", "3/20"}));
  EXPECT_EQ(found(everything, 1, 2), (std::vector<std::string>{"1/20", "2/10"}));
  EXPECT_EQ(members().count(everything).value(), 4);
  auto records = members().search(everything, 2, 1);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  expectSameMember(records->at(0), muted);
  GroupMemberSearch keys;
  keys.group_ids = {1, 3};
  keys.user_ids = {20};
  EXPECT_EQ(found(keys), (std::vector<std::string>{"1/20", "3/20"}));
  EXPECT_EQ(members().count(keys).value(), 2);
  GroupMemberSearch roles;
  roles.roles = {kGroupRoleOwner, kGroupRoleGuest};
  EXPECT_EQ(found(roles), (std::vector<std::string>{"1/20", "3/20"}));
  GroupMemberSearch dates;
  dates.join_date = {kT0 + 1, kT0 + 9};
  EXPECT_EQ(found(dates), std::vector<std::string>{"2/10"});
  GroupMemberSearch mute;
  mute.mute_end_date.end = kT0 + 101;
  EXPECT_EQ(found(mute), std::vector<std::string>{"2/10"});
  EXPECT_EQ(members().count(mute).value(), 1);
}

TEST_P(GroupRepositoryContractTest, EveryMemberChangeMovesTheMembersVersionForward) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  ASSERT_TRUE(groups().insert(makeGroup(2)).ok());
  const int64_t initial = membersVersion(1);

  addMembers({makeMember(1, 10, kGroupRoleOwner, kT0 + 1000), makeMember(1, 20)});
  const int64_t after_insert = membersVersion(1);
  EXPECT_GE(after_insert, kT0 + 1000);  // the newest join date
  EXPECT_EQ(membersVersion(2), makeGroup(2).members_last_updated_date);

  // Skipped members change nothing.
  addMembers({makeMember(1, 20, kGroupRoleMember, kT0 + 5000)});
  EXPECT_EQ(membersVersion(1), after_insert);

  // Changes within the same millisecond (or with a clock that went back) still move it.
  ASSERT_TRUE(members().updateRole(1, 20, kGroupRoleManager, kT0 + 1000).value());
  const int64_t after_role = membersVersion(1);
  EXPECT_GT(after_role, after_insert);

  const std::vector<int64_t> twenty{20};
  ASSERT_EQ(members().remove(1, twenty, kT0).value(), 1);
  const int64_t after_remove = membersVersion(1);
  EXPECT_GT(after_remove, after_role);

  ASSERT_EQ(members().remove(1, twenty, kT0 + 9000).value(), 0);
  EXPECT_EQ(membersVersion(1), after_remove);

  ASSERT_EQ(members().removeAll(1, kT0 + 9000).value(), 1);
  EXPECT_GE(membersVersion(1), kT0 + 9000);
  EXPECT_GT(after_insert, initial);
}

TEST_P(GroupRepositoryContractTest, JoiningAndLeavingMoveTheUsersJoinedGroupsVersion) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  ASSERT_TRUE(groups().insert(makeGroup(2)).ok());
  EXPECT_FALSE(joinedVersion(10).has_value());

  addMembers({makeMember(1, 10, kGroupRoleMember, kT0 + 100)});
  const std::optional<int64_t> joined = joinedVersion(10);
  ASSERT_TRUE(joined.has_value());
  EXPECT_GE(*joined, kT0 + 100);
  EXPECT_FALSE(joinedVersion(20).has_value());

  // A role change is not a change of the joined groups.
  ASSERT_TRUE(members().updateRole(1, 10, kGroupRoleManager, kT0 + 200).value());
  EXPECT_EQ(joinedVersion(10), joined);

  const std::vector<int64_t> ten{10};
  ASSERT_EQ(members().remove(1, ten, kT0 + 100).value(), 1);
  const std::optional<int64_t> left = joinedVersion(10);
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(*left, *joined);

  addMembers({makeMember(2, 10, kGroupRoleMember, kT0 + 300), makeMember(2, 20)});
  const std::optional<int64_t> rejoined = joinedVersion(10);
  ASSERT_TRUE(rejoined.has_value());
  EXPECT_GT(*rejoined, *left);
  ASSERT_EQ(members().removeAll(2, kT0 + 400).value(), 2);
  EXPECT_GE(joinedVersion(10).value_or(0), kT0 + 400);
  EXPECT_GE(joinedVersion(20).value_or(0), kT0 + 400);
}

TEST_P(GroupRepositoryContractTest, InsertManyHandlesALargeBatch) {
  ASSERT_TRUE(groups().insert(makeGroup(1)).ok());
  std::vector<GroupMemberRecord> batch;
  for (int64_t user = 1; user <= 1000; ++user) batch.push_back(makeMember(1, user));
  auto added = members().insertMany(batch);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added.value(), 1000);
  EXPECT_EQ(memberIds(1).size(), 1000u);
}

TEST_P(GroupRepositoryContractTest, DataSurvivesReopening) {
  GroupRecord group = makeGroup(1);
  ASSERT_TRUE(groups().insert(group).ok());
  addMembers({makeMember(1, 10, kGroupRoleOwner, kT0 + 7)});
  const int64_t version = membersVersion(1);
  const std::optional<int64_t> joined = joinedVersion(10);
  reopen();

  group.members_last_updated_date = version;
  expectSameGroup(*findGroup(1), group);
  expectSameMember(*findMember(1, 10), makeMember(1, 10, kGroupRoleOwner, kT0 + 7));
  EXPECT_EQ(joinedVersion(10), joined);
  EXPECT_EQ(joinedGroupIds(10), (std::vector<int64_t>{1}));
}

}  // namespace parley::contract
