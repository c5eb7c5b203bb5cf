#include "service/relationship/relationship_group_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "service/relationship/relationship_handlers.h"
#include "testing/service_test_fixture.h"

namespace parley {
namespace {

// Relationship groups and the relationship requests that move users between them, over the real
// dispatcher and a real SQLite store.
class RelationshipGroupHandlersTest : public testing::ServiceTestFixture {
 protected:
  RelationshipGroupHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    registerRelationshipHandlers(dispatcher_, deps());
    registerRelationshipGroupHandlers(dispatcher_, deps());
    for (int64_t id = 1; id <= 5; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
  }

  void TearDown() override {
    EXPECT_EQ(control_.directly_pushed_users, 0);
    EXPECT_EQ(control_.closes, 0);
  }

  int32_t createGroup(int64_t owner_id, const std::string& name) {
    TurmsRequest request;
    request.mutable_create_relationship_group_request()->set_name(name);
    const HandlerResult created = dispatch(owner_id, request);
    EXPECT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
    EXPECT_TRUE(created.pushes.empty());  // upstream tells nobody
    if (!created.data || !created.data->has_long_()) {
      ADD_FAILURE() << "no index answered";
      return -1;
    }
    return static_cast<int32_t>(created.data->long_());
  }

  HandlerResult queryGroups(int64_t owner_id, std::optional<int64_t> last_updated_date = {}) {
    TurmsRequest request;
    auto* query = request.mutable_query_relationship_groups_request();
    if (last_updated_date) query->set_last_updated_date(*last_updated_date);
    return dispatch(owner_id, request);
  }

  // (index, name) of the owner's groups as answered.
  std::vector<std::pair<int32_t, std::string>> groupsOf(int64_t owner_id) {
    const HandlerResult result = queryGroups(owner_id);
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    std::vector<std::pair<int32_t, std::string>> groups;
    if (!result.data) return groups;
    for (const auto& group :
         result.data->user_relationship_groups_with_version().user_relationship_groups()) {
      groups.emplace_back(group.index(), group.name());
    }
    return groups;
  }

  HandlerResult rename(int64_t owner_id, int32_t index, const std::string& name) {
    TurmsRequest request;
    auto* update = request.mutable_update_relationship_group_request();
    update->set_group_index(index);
    update->set_new_name(name);
    return dispatch(owner_id, request);
  }

  HandlerResult deleteGroup(int64_t owner_id, int32_t index,
                            std::optional<int32_t> target = std::nullopt) {
    TurmsRequest request;
    auto* remove = request.mutable_delete_relationship_group_request();
    remove->set_group_index(index);
    if (target) remove->set_target_group_index(*target);
    return dispatch(owner_id, request);
  }

  HandlerResult relate(int64_t owner_id, int64_t user_id, std::optional<int32_t> group = {}) {
    TurmsRequest request;
    auto* create = request.mutable_create_relationship_request();
    create->set_user_id(user_id);
    create->set_blocked(false);
    if (group) create->set_group_index(*group);
    return dispatch(owner_id, request);
  }

  HandlerResult move(int64_t owner_id, int64_t user_id, std::optional<int32_t> new_group,
                     std::optional<int32_t> delete_group) {
    TurmsRequest request;
    auto* update = request.mutable_update_relationship_request();
    update->set_user_id(user_id);
    if (new_group) update->set_new_group_index(*new_group);
    if (delete_group) update->set_delete_group_index(*delete_group);
    return dispatch(owner_id, request);
  }

  std::vector<int32_t> groupIndexesOf(int64_t owner_id, int64_t user_id) {
    auto found = store_->relationships().find(owner_id, user_id);
    EXPECT_TRUE(found.ok() && found.value().has_value());
    return found.ok() && found.value() ? found.value()->group_indexes : std::vector<int32_t>{};
  }

  // Related user ids in `group` as QueryRelatedUserIds answers them, sorted; empty on NO_CONTENT.
  std::vector<int64_t> membersOf(int64_t owner_id, int32_t group) {
    TurmsRequest request;
    request.mutable_query_related_user_ids_request()->add_group_indexes(group);
    const HandlerResult result = dispatch(owner_id, request);
    if (result.status.code == StatusCode::kNoContent) return {};
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    std::vector<int64_t> ids(result.data->longs_with_version().longs().begin(),
                             result.data->longs_with_version().longs().end());
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

using Groups = std::vector<std::pair<int32_t, std::string>>;

TEST_F(RelationshipGroupHandlersTest, EveryUserHasTheDefaultGroup) {
  EXPECT_EQ(groupsOf(1), (Groups{{0, ""}}));
}

TEST_F(RelationshipGroupHandlersTest, CreatedGroupsAreQueriedWithTheirIndexes) {
  const int32_t work = createGroup(1, "work");
  const int32_t family = createGroup(1, "family");
  EXPECT_GT(work, 0);
  EXPECT_GT(family, 0);
  EXPECT_NE(work, family);
  Groups expected{{0, ""}, {work, "work"}, {family, "family"}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(groupsOf(1), expected);
  EXPECT_EQ(groupsOf(2), (Groups{{0, ""}}));
}

TEST_F(RelationshipGroupHandlersTest, GroupQueriesAreVersioned) {
  createGroup(1, "work");
  const HandlerResult first = queryGroups(1);
  ASSERT_EQ(first.status.code, StatusCode::kOk);
  const int64_t version = first.data->user_relationship_groups_with_version().last_updated_date();
  EXPECT_EQ(version, clock_.nowMillis());
  EXPECT_EQ(queryGroups(1, version).status.code, StatusCode::kAlreadyUpToDate);
  // Nothing ever changed for user 2: up to date whatever the client holds.
  EXPECT_EQ(queryGroups(2, 1).status.code, StatusCode::kAlreadyUpToDate);
  const int32_t index = createGroup(1, "other");
  ASSERT_EQ(rename(1, index, "renamed").status.code, StatusCode::kOk);
  const HandlerResult changed = queryGroups(1, version);
  ASSERT_EQ(changed.status.code, StatusCode::kOk);
  EXPECT_GT(changed.data->user_relationship_groups_with_version().last_updated_date(), version);
}

TEST_F(RelationshipGroupHandlersTest, RenamePushesOnlyARealChange) {
  const int32_t index = createGroup(1, "work");
  const HandlerResult renamed = rename(1, index, "colleagues");
  ASSERT_EQ(renamed.status.code, StatusCode::kOk);
  expectSelfPushOnly(renamed);
  EXPECT_FALSE(renamed.pushes[0].request.has_value());  // the request itself is relayed
  const HandlerResult same = rename(1, index, "colleagues");
  EXPECT_EQ(same.status.code, StatusCode::kOk);
  EXPECT_TRUE(same.pushes.empty());
  const HandlerResult missing = rename(1, index + 1, "ghost");
  EXPECT_EQ(missing.status.code, StatusCode::kOk);
  EXPECT_TRUE(missing.pushes.empty());
  // The default group can be renamed too.
  ASSERT_EQ(rename(1, 0, "friends").status.code, StatusCode::kOk);
  EXPECT_EQ(groupsOf(1).front(), (std::pair<int32_t, std::string>{0, "friends"}));
}

TEST_F(RelationshipGroupHandlersTest, TheDefaultGroupCannotBeDeleted) {
  const HandlerResult refused = deleteGroup(1, 0);
  EXPECT_EQ(refused.status.code, StatusCode::kIllegalArgument);
  EXPECT_TRUE(refused.pushes.empty());
  EXPECT_EQ(groupsOf(1), (Groups{{0, ""}}));
}

TEST_F(RelationshipGroupHandlersTest, DeletingAGroupMovesItsMembers) {
  const int32_t work = createGroup(1, "work");
  const int32_t old = createGroup(1, "old");
  ASSERT_EQ(relate(1, 2, work).status.code, StatusCode::kOk);
  ASSERT_EQ(relate(1, 3, old).status.code, StatusCode::kOk);
  ASSERT_EQ(relate(1, 4).status.code, StatusCode::kOk);

  // Into the default group when no target is named; the relayed copy names it.
  const HandlerResult deleted = deleteGroup(1, work);
  ASSERT_EQ(deleted.status.code, StatusCode::kOk) << deleted.status.reason;
  expectSelfPushOnly(deleted);
  ASSERT_TRUE(deleted.pushes[0].request.has_value());
  EXPECT_EQ(deleted.pushes[0].request->delete_relationship_group_request().target_group_index(), 0);
  EXPECT_EQ(groupIndexesOf(1, 2), std::vector<int32_t>{0});
  EXPECT_EQ(membersOf(1, 0), (std::vector<int64_t>{2, 4}));

  // Into a named group.
  const int32_t target = createGroup(1, "target");
  ASSERT_EQ(deleteGroup(1, old, target).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 3), std::vector<int32_t>{target});
  EXPECT_EQ(groupsOf(1), (Groups{{0, ""}, {target, "target"}}));

  // Into itself, or a group that does not exist: nothing changes, and it is OK.
  EXPECT_EQ(deleteGroup(1, target, target).status.code, StatusCode::kOk);
  EXPECT_EQ(deleteGroup(1, target + 1).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 3), std::vector<int32_t>{target});
}

TEST_F(RelationshipGroupHandlersTest, UpdateRelationshipMovesBetweenGroupsAsUpstream) {
  const int32_t work = createGroup(1, "work");
  const int32_t family = createGroup(1, "family");
  ASSERT_EQ(relate(1, 2).status.code, StatusCode::kOk);
  // Only a new group: added to it, kept in the others.
  ASSERT_EQ(move(1, 2, work, std::nullopt).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 2), (std::vector<int32_t>{0, work}));
  // Both: moved from one to the other.
  const HandlerResult moved = move(1, 2, family, work);
  ASSERT_EQ(moved.status.code, StatusCode::kOk);
  expectSelfPushOnly(moved);
  std::vector<int32_t> expected{0, family};
  EXPECT_EQ(groupIndexesOf(1, 2), expected);
  // Into a group it is already in: upstream's duplicate key, and nothing changes.
  EXPECT_EQ(move(1, 2, family, 0).status.code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(groupIndexesOf(1, 2), expected);
  // Both the same: refused.
  EXPECT_EQ(move(1, 2, work, work).status.code, StatusCode::kIllegalArgument);
  // Only a group to leave: back in the default group.
  ASSERT_EQ(move(1, 2, std::nullopt, family).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 2), std::vector<int32_t>{0});
  // Leaving the default group alone is not possible that way.
  ASSERT_EQ(move(1, 2, std::nullopt, 0).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 2), std::vector<int32_t>{0});
  // An update that creates the relationship puts it in the new group only.
  ASSERT_EQ(move(1, 3, work, std::nullopt).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 3), std::vector<int32_t>{work});
}

TEST_F(RelationshipGroupHandlersTest, DeletingFromOneGroupKeepsTheOthers) {
  const int32_t work = createGroup(1, "work");
  ASSERT_EQ(relate(1, 2).status.code, StatusCode::kOk);
  ASSERT_EQ(move(1, 2, work, std::nullopt).status.code, StatusCode::kOk);
  TurmsRequest from_default;
  from_default.mutable_delete_relationship_request()->set_user_id(2);
  from_default.mutable_delete_relationship_request()->set_group_index(0);
  ASSERT_EQ(dispatch(1, from_default).status.code, StatusCode::kOk);
  EXPECT_EQ(groupIndexesOf(1, 2), std::vector<int32_t>{work});
  EXPECT_TRUE(membersOf(1, 0).empty());
  // From its last group: the relationship goes.
  TurmsRequest from_work = from_default;
  from_work.mutable_delete_relationship_request()->set_group_index(work);
  ASSERT_EQ(dispatch(1, from_work).status.code, StatusCode::kOk);
  EXPECT_FALSE(store_->relationships().find(1, 2).value().has_value());
}

TEST_F(RelationshipGroupHandlersTest, RelationshipQueriesAreVersioned) {
  ASSERT_EQ(relate(1, 2).status.code, StatusCode::kOk);
  TurmsRequest query;
  query.mutable_query_relationships_request();
  const HandlerResult first = dispatch(1, query);
  ASSERT_EQ(first.status.code, StatusCode::kOk);
  const int64_t version = first.data->user_relationships_with_version().last_updated_date();
  EXPECT_EQ(version, clock_.nowMillis());
  query.mutable_query_relationships_request()->set_last_updated_date(version);
  EXPECT_EQ(dispatch(1, query).status.code, StatusCode::kAlreadyUpToDate);
  TurmsRequest ids;
  ids.mutable_query_related_user_ids_request()->set_last_updated_date(version);
  EXPECT_EQ(dispatch(1, ids).status.code, StatusCode::kAlreadyUpToDate);
  // A move between groups changes what a group-filtered query answers: a new version.
  ASSERT_EQ(move(1, 2, createGroup(1, "work"), std::nullopt).status.code, StatusCode::kOk);
  const HandlerResult changed = dispatch(1, query);
  ASSERT_EQ(changed.status.code, StatusCode::kOk);
  EXPECT_GT(changed.data->user_relationships_with_version().last_updated_date(), version);
  EXPECT_EQ(dispatch(1, ids).status.code, StatusCode::kOk);
}

}  // namespace
}  // namespace parley
