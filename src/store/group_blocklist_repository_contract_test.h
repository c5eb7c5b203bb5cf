#pragma once
// The behaviour every GroupBlocklistRepository must have, as one value-parameterized GoogleTest
// suite over a whole store (blocking touches the members and their versions too).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "store/group_blocklist_repository.h"
#include "store/group_repository.h"
#include "store/store_test_env.h"

namespace parley::contract {

class GroupBlocklistRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;
  static constexpr int64_t kGroup = 7;

  void SetUp() override {
    StoreContractTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(insertGroup(kGroup, 1, kT0));
    std::vector<GroupMemberRecord> members;
    for (const int64_t user : {1, 2, 3}) {
      GroupMemberRecord member;
      member.group_id = kGroup;
      member.user_id = user;
      member.role = user == 1 ? kGroupRoleOwner : kGroupRoleMember;
      member.join_date = kT0;
      members.push_back(member);
    }
    ASSERT_TRUE(store_->groupMembers().insertMany(members).ok());
  }

  GroupBlocklistRepository& blocklist() { return store_->groupBlocklist(); }

  GroupBlockOutcome block(int64_t user, int64_t now) {
    auto outcome = blocklist().block({kGroup, user, now, 1}, now);
    EXPECT_TRUE(outcome.ok()) << outcome.status().reason;
    return outcome.ok() ? *outcome : GroupBlockOutcome{};
  }

  std::optional<int64_t> version() {
    auto found = blocklist().findVersion(kGroup);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? *found : std::nullopt;
  }

  int64_t membersVersion() {
    auto group = store_->groups().findById(kGroup);
    EXPECT_TRUE(group.ok() && group->has_value());
    return group.ok() && group->has_value() ? (*group)->members_last_updated_date : -1;
  }

  std::vector<int64_t> memberIds() {
    auto ids = store_->groupMembers().findMemberIds(kGroup);
    EXPECT_TRUE(ids.ok());
    return ids.ok() ? *ids : std::vector<int64_t>{};
  }
};

TEST_P(GroupBlocklistRepositoryContractTest, BlockingAMemberRemovesThemAndMovesEveryVersion) {
  EXPECT_EQ(version(), std::nullopt);
  const GroupBlockOutcome outcome = block(2, kT0 + 100);
  EXPECT_TRUE(outcome.was_member);
  EXPECT_TRUE(outcome.newly_blocked);
  EXPECT_EQ(memberIds(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(membersVersion(), kT0 + 100);
  EXPECT_EQ(version(), kT0 + 100);
  auto joined = store_->groupMembers().findJoinedGroupsVersion(2);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, kT0 + 100);
  auto blocked = blocklist().findBlocked(kGroup);
  ASSERT_TRUE(blocked.ok());
  EXPECT_EQ(*blocked, (std::vector<GroupBlockedUserRecord>{{kGroup, 2, kT0 + 100, 1}}));
}

TEST_P(GroupBlocklistRepositoryContractTest, BlockingAStrangerLeavesTheMembersAlone) {
  const int64_t members_version = membersVersion();
  const GroupBlockOutcome outcome = block(9, kT0 + 100);
  EXPECT_FALSE(outcome.was_member);
  EXPECT_TRUE(outcome.newly_blocked);
  EXPECT_EQ(memberIds(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(membersVersion(), members_version);
  EXPECT_EQ(version(), kT0 + 100);
}

TEST_P(GroupBlocklistRepositoryContractTest, BlockingTwiceChangesNothingTheSecondTime) {
  block(9, kT0 + 100);
  const GroupBlockOutcome again = block(9, kT0 + 200);
  EXPECT_FALSE(again.was_member);
  EXPECT_FALSE(again.newly_blocked);
  EXPECT_EQ(version(), kT0 + 100);
  auto blocked = blocklist().findBlocked(kGroup);
  ASSERT_TRUE(blocked.ok());
  ASSERT_EQ(blocked->size(), 1u);
  EXPECT_EQ(blocked->at(0).block_date, kT0 + 100);  // the first block's record stays
}

TEST_P(GroupBlocklistRepositoryContractTest, UnblockingMovesTheVersionOnlyWhenSomeoneWasBlocked) {
  block(9, kT0 + 100);
  auto unblocked = blocklist().unblock(kGroup, 9, kT0 + 100);  // same millisecond
  ASSERT_TRUE(unblocked.ok());
  EXPECT_TRUE(*unblocked);
  EXPECT_EQ(version(), kT0 + 101);  // still forward
  auto again = blocklist().unblock(kGroup, 9, kT0 + 300);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(version(), kT0 + 101);
  auto blocked = blocklist().findBlocked(kGroup);
  ASSERT_TRUE(blocked.ok());
  EXPECT_TRUE(blocked->empty());
}

TEST_P(GroupBlocklistRepositoryContractTest, FindsTheBlockedAmongGivenUsersInOrder) {
  block(9, kT0 + 1);
  block(3, kT0 + 2);
  block(5, kT0 + 3);
  const std::vector<int64_t> asked{9, 1, 5, 42};
  auto among = blocklist().findBlockedAmong(kGroup, asked);
  ASSERT_TRUE(among.ok());
  EXPECT_EQ(*among, (std::vector<int64_t>{5, 9}));
  auto other_group = blocklist().findBlockedAmong(kGroup + 1, asked);
  ASSERT_TRUE(other_group.ok());
  EXPECT_TRUE(other_group->empty());
  auto all = blocklist().findBlocked(kGroup);
  ASSERT_TRUE(all.ok());
  std::vector<int64_t> ids;
  for (const auto& record : *all) ids.push_back(record.user_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{3, 5, 9}));
}

TEST_P(GroupBlocklistRepositoryContractTest, SearchFiltersInKeyOrderAndPages) {
  ASSERT_TRUE(blocklist().block({kGroup, 2, kT0 + 1, 1}, kT0 + 1).ok());
  ASSERT_TRUE(blocklist().block({kGroup, 9, kT0 + 2, 3}, kT0 + 2).ok());
  ASSERT_TRUE(blocklist().block({kGroup + 1, 2, kT0 + 3, 1}, kT0 + 3).ok());
  const auto found = [&](const GroupBlockedUserSearch& search, int64_t skip = 0,
                         int64_t limit = 10) {
    auto records = blocklist().search(search, skip, limit);
    EXPECT_TRUE(records.ok()) << records.status().reason;
    return records.ok() ? *records : std::vector<GroupBlockedUserRecord>{};
  };
  const GroupBlockedUserSearch everything;
  EXPECT_EQ(found(everything),
            (std::vector<GroupBlockedUserRecord>{
                {kGroup, 2, kT0 + 1, 1}, {kGroup, 9, kT0 + 2, 3}, {kGroup + 1, 2, kT0 + 3, 1}}));
  EXPECT_EQ(found(everything, 1, 1),
            (std::vector<GroupBlockedUserRecord>{{kGroup, 9, kT0 + 2, 3}}));
  EXPECT_EQ(blocklist().count(everything).value(), 3);
  GroupBlockedUserSearch search;
  search.user_ids = {2};
  search.requester_ids = {1};
  search.block_date = {kT0 + 2, kT0 + 4};
  EXPECT_EQ(found(search), (std::vector<GroupBlockedUserRecord>{{kGroup + 1, 2, kT0 + 3, 1}}));
  EXPECT_EQ(blocklist().count(search).value(), 1);
  search.group_ids = {kGroup};
  EXPECT_EQ(found(search), std::vector<GroupBlockedUserRecord>{});
  EXPECT_EQ(blocklist().count(search).value(), 0);
}

TEST_P(GroupBlocklistRepositoryContractTest, UpdateChangesTheGivenFieldsAndMovesTheVersion) {
  block(2, kT0 + 1);
  GroupBlockedUserUpdate update;
  update.requester_id = 3;
  auto updated = blocklist().update(kGroup, 2, update, kT0 + 5);
  ASSERT_TRUE(updated.ok()) << updated.status().reason;
  EXPECT_TRUE(*updated);
  EXPECT_EQ(blocklist().findBlocked(kGroup).value(),
            (std::vector<GroupBlockedUserRecord>{{kGroup, 2, kT0 + 1, 3}}));
  EXPECT_EQ(version(), kT0 + 5);
  update.block_date = kT0 - 1;
  ASSERT_TRUE(blocklist().update(kGroup, 2, update, kT0 + 6).value());
  EXPECT_EQ(blocklist().findBlocked(kGroup).value().at(0).block_date, kT0 - 1);
  auto missing = blocklist().update(kGroup, 3, update, kT0 + 7);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
  EXPECT_EQ(version(), kT0 + 6);
}

}  // namespace parley::contract
