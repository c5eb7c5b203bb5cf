#pragma once
// What the contract suites of group invitations and group join requests share: two groups with
// their owner, calls to the repository under test that expect success, and the membership and
// versions an accept changes.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "store/group_repository.h"
#include "store/request_search_contract_test.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

template <typename Repository, typename Record, typename Reply, typename Search>
class GroupRequestContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;
  static constexpr int64_t kGroup = 7;
  static constexpr int64_t kOtherGroup = 8;
  static constexpr int64_t kOwner = 1;

  // Two groups, owned by kOwner, its only member; their members versions at kT0 + 1 (the owner's
  // join moved them past the creation's kT0).
  void SetUp() override {
    StoreContractTest::SetUp();
    for (const int64_t group_id : {kGroup, kOtherGroup}) {
      ASSERT_NO_FATAL_FAILURE(insertGroup(group_id, kOwner, kT0));
      GroupMemberRecord owner;
      owner.group_id = group_id;
      owner.user_id = kOwner;
      owner.role = kGroupRoleOwner;
      owner.join_date = kT0;
      ASSERT_TRUE(store_->groupMembers().insertMany(std::span(&owner, 1)).ok());
    }
  }

  // The store's repository of the kind under test.
  virtual Repository& requests() = 0;
  // A PENDING request of the kind under test for user (the invitee, the requester: who would
  // join) to join group_id, created at creation_date.
  virtual Record makePending(int64_t id, int64_t group_id, int64_t user_id,
                             int64_t creation_date) = 0;

  void insert(const Record& record) {
    const VoidResult inserted = requests().insert(record, record.creation_date);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  std::optional<Record> find(int64_t id) {
    auto found = requests().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  bool reply(const Reply& reply) {
    auto replied = requests().replyIfPending(reply);
    EXPECT_TRUE(replied.ok()) << replied.status().reason;
    return replied.ok() && replied.value();
  }

  bool accept(const Reply& reply) {
    auto accepted = requests().acceptIfPending(reply);
    EXPECT_TRUE(accepted.ok()) << accepted.status().reason;
    return accepted.ok() && accepted.value();
  }

  // Calls acceptIfPending with every reply at once, each from a thread of its own (two managers,
  // or two devices of one invitee, answering together); returns how many of them won.
  int acceptAtOnce(const std::vector<Reply>& replies) {
    std::atomic<int> winners{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> answerers;
    for (const Reply& reply : replies) {
      answerers.emplace_back([&, reply] {
        while (!go.load()) std::this_thread::yield();
        auto accepted = requests().acceptIfPending(reply);
        EXPECT_TRUE(accepted.ok()) << accepted.status().reason;
        if (accepted.ok() && accepted.value()) ++winners;
      });
    }
    go = true;
    for (std::thread& answerer : answerers) answerer.join();
    return winners.load();
  }

  // Of accepts at once exactly one wins where the store's conditional updates are atomic; on
  // FerretDB (see StoreTestEnv) at least one.
  void expectOneWinner(int winners, int64_t round) {
    if (conditionalUpdatesAreAtomic()) {
      EXPECT_EQ(winners, 1) << "round " << round;
    } else {
      EXPECT_GE(winners, 1) << "round " << round;
    }
  }

  static std::vector<int64_t> idsOf(const Result<std::vector<Record>>& found) {
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (!found.ok()) return ids;
    for (const Record& record : found.value()) ids.push_back(record.id);
    return ids;
  }

  static std::optional<int64_t> valueOf(const Result<std::optional<int64_t>>& version) {
    EXPECT_TRUE(version.ok()) << version.status().reason;
    return version.ok() ? version.value() : std::nullopt;
  }
  std::optional<int64_t> groupVersion(int64_t group_id = kGroup) {
    return valueOf(requests().findGroupVersion(group_id));
  }
  std::optional<int64_t> sentVersion(int64_t user_id) {
    return valueOf(requests().findSentVersion(user_id));
  }
  std::optional<int64_t> joinedGroupsVersion(int64_t user_id) {
    return valueOf(store_->groupMembers().findJoinedGroupsVersion(user_id));
  }

  int64_t membersVersion(int64_t group_id = kGroup) {
    auto group = store_->groups().findById(group_id);
    EXPECT_TRUE(group.ok() && group->has_value());
    return group.ok() && group->has_value() ? (*group)->members_last_updated_date : -1;
  }

  std::optional<GroupMemberRecord> member(int64_t group_id, int64_t user_id) {
    auto found = store_->groupMembers().find(group_id, user_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  // search() and count() as for every kind of request, and by group.
  void expectSearchReadsStatusesDatesAndPages() {
    contract::expectSearchReadsStatusesDatesAndPages<Search>(
        requests(),
        [this](int64_t id, int64_t created) {
          return makePending(id, id == 4 ? kOtherGroup : kGroup, 19 + id, created);
        },
        [this](const Record& record) { insert(record); }, kT0);
    Search by_group;
    by_group.group_ids = {kOtherGroup};
    EXPECT_EQ(idsOf(requests().search(by_group, 0, 10)), std::vector<int64_t>{4});
    EXPECT_EQ(requests().count(by_group).value(), 1);
  }

  // user as a muted MANAGER of kGroup since before kT0: an accept must leave them as they are.
  GroupMemberRecord addManager(int64_t user_id) {
    GroupMemberRecord manager;
    manager.group_id = kGroup;
    manager.user_id = user_id;
    manager.name = "boss";
    manager.role = kGroupRoleManager;
    manager.join_date = kT0 - 50;
    manager.mute_end_date = kT0 + 1000;
    EXPECT_TRUE(store_->groupMembers().insertMany(std::span(&manager, 1)).ok());
    return manager;
  }

  // The member an accept at `now` adds.
  void expectJoinedAsMember(int64_t user_id, int64_t now) {
    const auto joined = member(kGroup, user_id);
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ(joined->role, kGroupRoleMember);
    EXPECT_EQ(joined->join_date, now);
    EXPECT_EQ(joined->mute_end_date, std::nullopt);
  }
};

}  // namespace parley::contract
