#include "service/group/group_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

constexpr int64_t kT0 = 1'800'000'000'000;

std::vector<int64_t> sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Users 1..6 exist; 7 is deactivated and 8 deleted.
class GroupHandlersTest : public testing::ServiceTestFixture {
 protected:
  GroupHandlersTest() : ServiceTestFixture(kT0) {
    registerGroupHandlers(dispatcher_, deps());
    std::vector<UserRecord> users;
    for (int64_t id = 1; id <= 8; ++id) {
      UserRecord user = userRecord(id);
      user.registration_date = kT0 - 1000;
      user.last_updated_date = kT0 - 1000;
      user.is_active = id != 7;
      if (id == 8) user.deletion_date = kT0 - 500;
      users.push_back(user);
    }
    EXPECT_EQ(store_->users().insertMany(users).value(), 8);
    // Most tests build their groups by adding members directly, which DEFAULT's strategy (users
    // approve by accepting an invitation) does not allow: here owners and managers add users
    // directly (OWNER_MANAGER). The strategy tests below set the type they test.
    setInvitationStrategy(kDefaultGroupTypeId, GroupInvitationStrategy::kOwnerManager);
  }

  void setInvitationStrategy(int64_t type_id, GroupInvitationStrategy strategy) {
    updateGroupType(type_id, {.invitation_strategy = strategy});
  }

  void setJoinStrategy(int64_t type_id, GroupJoinStrategy strategy) {
    updateGroupType(type_id, {.join_strategy = strategy});
  }

  // Each request a millisecond after the previous one, under an id of its own.
  HandlerResult send(int64_t user_id, const TurmsRequest& request) {
    clock_.advance(1);
    RequestContext ctx = context(user_id, ++request_id_);
    ctx.device_type = pb::DESKTOP;
    return dispatcher_.dispatch(ctx, request);
  }

  static TurmsRequest request() {
    TurmsRequest request;
    request.set_request_id(1);
    return request;
  }

  // Stores a group type like the fixture's DEFAULT but for its id and size limit.
  void addGroupType(int64_t id, int32_t group_size_limit) {
    GroupTypeRecord type = defaultGroupType();
    type.invitation_strategy = GroupInvitationStrategy::kOwnerManager;
    type.id = id;
    type.name = "type-" + std::to_string(id);
    type.group_size_limit = group_size_limit;
    const VoidResult inserted = store_->groupTypes().insert(type);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  // Creates a group owned by owner_id with the given members (role MEMBER) and returns its id.
  int64_t createGroup(int64_t owner_id, std::vector<int64_t> member_ids = {},
                      const std::string& name = "team",
                      std::optional<int64_t> type_id = std::nullopt) {
    TurmsRequest create = request();
    create.mutable_create_group_request()->set_name(name);
    if (type_id) create.mutable_create_group_request()->set_type_id(*type_id);
    const HandlerResult created = send(owner_id, create);
    EXPECT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
    if (!created.data) return 0;
    const int64_t group_id = created.data->long_();
    if (!member_ids.empty()) {
      EXPECT_EQ(addMembers(owner_id, group_id, member_ids).status.code, StatusCode::kOk);
    }
    return group_id;
  }

  HandlerResult addMembers(int64_t requester, int64_t group_id, std::vector<int64_t> user_ids,
                           std::optional<pb::GroupMemberRole> role = std::nullopt) {
    TurmsRequest add = request();
    auto* req = add.mutable_create_group_members_request();
    req->set_group_id(group_id);
    for (const int64_t id : user_ids) req->add_user_ids(id);
    if (role) req->set_role(*role);
    return send(requester, add);
  }

  HandlerResult removeMembers(int64_t requester, int64_t group_id, std::vector<int64_t> member_ids,
                              std::optional<int64_t> successor_id = std::nullopt) {
    TurmsRequest remove = request();
    auto* req = remove.mutable_delete_group_members_request();
    req->set_group_id(group_id);
    for (const int64_t id : member_ids) req->add_member_ids(id);
    if (successor_id) req->set_successor_id(*successor_id);
    return send(requester, remove);
  }

  HandlerResult queryGroups(int64_t requester, std::vector<int64_t> group_ids,
                            std::optional<int64_t> last_updated_date = std::nullopt) {
    TurmsRequest query = request();
    auto* req = query.mutable_query_groups_request();
    for (const int64_t id : group_ids) req->add_group_ids(id);
    if (last_updated_date) req->set_last_updated_date(*last_updated_date);
    return send(requester, query);
  }

  HandlerResult queryJoinedIds(int64_t requester,
                               std::optional<int64_t> last_updated_date = std::nullopt) {
    TurmsRequest query = request();
    auto* req = query.mutable_query_joined_group_ids_request();
    if (last_updated_date) req->set_last_updated_date(*last_updated_date);
    return send(requester, query);
  }

  HandlerResult queryJoinedInfos(int64_t requester,
                                 std::optional<int64_t> last_updated_date = std::nullopt) {
    TurmsRequest query = request();
    auto* req = query.mutable_query_joined_group_infos_request();
    if (last_updated_date) req->set_last_updated_date(*last_updated_date);
    return send(requester, query);
  }

  HandlerResult queryMembers(int64_t requester, int64_t group_id,
                             std::optional<int64_t> last_updated_date = std::nullopt,
                             bool with_status = false, std::vector<int64_t> member_ids = {}) {
    TurmsRequest query = request();
    auto* req = query.mutable_query_group_members_request();
    req->set_group_id(group_id);
    if (last_updated_date) req->set_last_updated_date(*last_updated_date);
    if (with_status) req->set_with_status(true);
    for (const int64_t id : member_ids) req->add_member_ids(id);
    return send(requester, query);
  }

  HandlerResult updateGroup(int64_t requester, int64_t group_id,
                            const std::function<void(pb::UpdateGroupRequest&)>& fill) {
    TurmsRequest update = request();
    auto* req = update.mutable_update_group_request();
    req->set_group_id(group_id);
    fill(*req);
    return send(requester, update);
  }

  HandlerResult updateMember(int64_t requester, int64_t group_id, int64_t member_id,
                             const std::function<void(pb::UpdateGroupMemberRequest&)>& fill) {
    TurmsRequest update = request();
    auto* req = update.mutable_update_group_member_request();
    req->set_group_id(group_id);
    req->set_member_id(member_id);
    fill(*req);
    return send(requester, update);
  }

  HandlerResult deleteGroup(int64_t requester, int64_t group_id) {
    TurmsRequest remove = request();
    remove.mutable_delete_group_request()->set_group_id(group_id);
    return send(requester, remove);
  }

  std::vector<int64_t> memberIds(int64_t group_id) {
    return store_->groupMembers().findMemberIds(group_id).value();
  }

  std::optional<int32_t> roleOf(int64_t group_id, int64_t user_id) {
    auto member = store_->groupMembers().find(group_id, user_id).value();
    if (!member) return std::nullopt;
    return member->role;
  }

  std::vector<int64_t> joinedIds(int64_t user_id) {
    const HandlerResult result = queryJoinedIds(user_id);
    if (result.status.code != StatusCode::kOk) return {};
    const auto& longs = result.data->longs_with_version().longs();
    return sorted({longs.begin(), longs.end()});
  }

  static void expectPush(const HandlerResult& result, std::vector<int64_t> user_ids) {
    ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    ASSERT_EQ(result.pushes.size(), 1u);
    EXPECT_EQ(sorted(result.pushes[0].user_ids), sorted(user_ids));
    EXPECT_TRUE(result.pushes[0].include_requester_other_sessions);
    // The client's own request is relayed unchanged.
    EXPECT_FALSE(result.pushes[0].request.has_value());
  }

  int64_t request_id_ = 0;
};

// Create and query

TEST_F(GroupHandlersTest, CreateMakesTheCreatorTheOwnerAndReturnsTheId) {
  TurmsRequest create = request();
  auto* req = create.mutable_create_group_request();
  req->set_name("Parley devs");
  req->set_intro("intro");
  req->set_announcement("welcome");
  req->set_min_score(3);
  req->set_mute_end_date(kT0 + 60'000);
  const HandlerResult created = send(1, create);
  ASSERT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
  ASSERT_TRUE(created.data.has_value());
  ASSERT_TRUE(created.data->has_long_());
  const int64_t group_id = created.data->long_();
  EXPECT_GT(group_id, 0);
  expectPush(created, {});  // +self only

  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1}));
  EXPECT_EQ(roleOf(group_id, 1), kGroupRoleOwner);

  const HandlerResult queried = queryGroups(2, {group_id});
  ASSERT_EQ(queried.status.code, StatusCode::kOk) << queried.status.reason;
  ASSERT_EQ(queried.data->groups_with_version().groups_size(), 1);
  const pb::Group& group = queried.data->groups_with_version().groups(0);
  EXPECT_EQ(group.id(), group_id);
  EXPECT_EQ(group.type_id(), 0);
  EXPECT_EQ(group.creator_id(), 1);
  EXPECT_EQ(group.owner_id(), 1);
  EXPECT_EQ(group.name(), "Parley devs");
  EXPECT_EQ(group.intro(), "intro");
  EXPECT_EQ(group.announcement(), "welcome");
  EXPECT_EQ(group.mute_end_date(), kT0 + 60'000);
  EXPECT_TRUE(group.active());
  EXPECT_GT(group.creation_date(), kT0);
  EXPECT_EQ(group.last_updated_date(), group.creation_date());
  EXPECT_EQ(queried.data->groups_with_version().last_updated_date(), group.last_updated_date());
}

TEST_F(GroupHandlersTest, CreateIsRefusedForInactiveUsersUnknownTypesAndNegativeScores) {
  TurmsRequest create = request();
  create.mutable_create_group_request()->set_name("x");
  EXPECT_EQ(send(7, create).status.code, StatusCode::kNotActiveUserToCreateGroup);
  EXPECT_EQ(send(8, create).status.code, StatusCode::kNotActiveUserToCreateGroup);
  EXPECT_EQ(send(404, create).status.code, StatusCode::kNotActiveUserToCreateGroup);

  TurmsRequest typed = create;
  typed.mutable_create_group_request()->set_type_id(5);
  EXPECT_EQ(send(1, typed).status.code, StatusCode::kCreateGroupWithNonexistentGroupType);
  typed.mutable_create_group_request()->set_type_id(0);
  EXPECT_EQ(send(1, typed).status.code, StatusCode::kOk);

  TurmsRequest scored = create;
  scored.mutable_create_group_request()->set_min_score(-1);
  EXPECT_EQ(send(1, scored).status.code, StatusCode::kIllegalArgument);

  // Only the one valid request left a group behind.
  EXPECT_EQ(joinedIds(1).size(), 1u);
  EXPECT_TRUE(joinedIds(7).empty());
}

TEST_F(GroupHandlersTest, QueryGroupsSkipsDeletedAndUnknownGroups) {
  const int64_t kept = createGroup(1, {}, "kept");
  const int64_t gone = createGroup(1, {}, "gone");
  ASSERT_EQ(deleteGroup(1, gone).status.code, StatusCode::kOk);

  const HandlerResult queried = queryGroups(3, {gone, 404, kept, kept});
  ASSERT_EQ(queried.status.code, StatusCode::kOk);
  ASSERT_EQ(queried.data->groups_with_version().groups_size(), 1);
  EXPECT_EQ(queried.data->groups_with_version().groups(0).name(), "kept");

  EXPECT_EQ(queryGroups(3, {gone, 404}).status.code, StatusCode::kNoContent);
  EXPECT_EQ(queryGroups(3, {}).status.code, StatusCode::kIllegalArgument);
  TurmsRequest by_name = request();
  by_name.mutable_query_groups_request()->set_name("kept");
  EXPECT_EQ(send(3, by_name).status.code, StatusCode::kIllegalArgument);
}

TEST_F(GroupHandlersTest, QueryGroupsIsAlreadyUpToDateUntilTheGroupChanges) {
  const int64_t group_id = createGroup(1);
  const HandlerResult first = queryGroups(1, {group_id});
  ASSERT_EQ(first.status.code, StatusCode::kOk);
  const int64_t version = first.data->groups_with_version().last_updated_date();

  EXPECT_EQ(queryGroups(1, {group_id}, version).status.code, StatusCode::kAlreadyUpToDate);
  EXPECT_EQ(queryGroups(1, {group_id}, version - 1).status.code, StatusCode::kOk);

  ASSERT_EQ(updateGroup(1, group_id, [](auto& req) { req.set_name("renamed"); }).status.code,
            StatusCode::kOk);
  const HandlerResult changed = queryGroups(1, {group_id}, version);
  ASSERT_EQ(changed.status.code, StatusCode::kOk);
  EXPECT_EQ(changed.data->groups_with_version().groups(0).name(), "renamed");
  EXPECT_GT(changed.data->groups_with_version().last_updated_date(), version);
}

TEST_F(GroupHandlersTest, JoinedGroupIdsFollowJoiningAndLeaving) {
  EXPECT_EQ(queryJoinedIds(2).status.code, StatusCode::kNoContent);
  const int64_t first = createGroup(1, {2});
  const int64_t second = createGroup(3, {2});
  createGroup(4);  // not joined by 2

  const HandlerResult joined = queryJoinedIds(2);
  ASSERT_EQ(joined.status.code, StatusCode::kOk);
  const auto& longs = joined.data->longs_with_version().longs();
  EXPECT_EQ(sorted({longs.begin(), longs.end()}), sorted({first, second}));
  const int64_t version = joined.data->longs_with_version().last_updated_date();
  EXPECT_EQ(queryJoinedIds(2, version).status.code, StatusCode::kAlreadyUpToDate);

  // Leaving changes no remaining row, yet the client must learn of it.
  ASSERT_EQ(removeMembers(2, first, {2}).status.code, StatusCode::kOk);
  const HandlerResult after_quit = queryJoinedIds(2, version);
  ASSERT_EQ(after_quit.status.code, StatusCode::kOk);
  EXPECT_EQ(after_quit.data->longs_with_version().longs_size(), 1);
  EXPECT_EQ(after_quit.data->longs_with_version().longs(0), second);
}

TEST_F(GroupHandlersTest, JoinedGroupInfosFollowMembershipAndGroupChanges) {
  EXPECT_EQ(queryJoinedInfos(2).status.code, StatusCode::kNoContent);
  const int64_t group_id = createGroup(1, {2}, "first");
  const HandlerResult infos = queryJoinedInfos(2);
  ASSERT_EQ(infos.status.code, StatusCode::kOk);
  ASSERT_EQ(infos.data->groups_with_version().groups_size(), 1);
  EXPECT_EQ(infos.data->groups_with_version().groups(0).id(), group_id);
  EXPECT_EQ(infos.data->groups_with_version().groups(0).name(), "first");
  const int64_t version = infos.data->groups_with_version().last_updated_date();
  EXPECT_EQ(queryJoinedInfos(2, version).status.code, StatusCode::kAlreadyUpToDate);

  ASSERT_EQ(updateGroup(1, group_id, [](auto& req) { req.set_intro("new"); }).status.code,
            StatusCode::kOk);
  const HandlerResult edited = queryJoinedInfos(2, version);
  ASSERT_EQ(edited.status.code, StatusCode::kOk);
  EXPECT_EQ(edited.data->groups_with_version().groups(0).intro(), "new");

  const int64_t edited_version = edited.data->groups_with_version().last_updated_date();
  ASSERT_EQ(removeMembers(1, group_id, {2}).status.code, StatusCode::kOk);
  // Removed from its only group: not "up to date", but nothing left to return.
  EXPECT_EQ(queryJoinedInfos(2, edited_version).status.code, StatusCode::kNoContent);
}

// Members: add

TEST_F(GroupHandlersTest, OwnerAddsMembersAndEveryoneHearsOfIt) {
  const int64_t group_id = createGroup(1, {2});
  const HandlerResult added = addMembers(1, group_id, {3, 4});
  expectPush(added, {2, 3, 4});  // the added users, the other members, and +self
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(roleOf(group_id, 3), kGroupRoleMember);

  // Members already in the group are skipped.
  const HandlerResult again = addMembers(1, group_id, {2, 5});
  expectPush(again, {2, 3, 4, 5});
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  const HandlerResult nothing_new = addMembers(1, group_id, {2});
  EXPECT_EQ(nothing_new.status.code, StatusCode::kOk);
  EXPECT_TRUE(nothing_new.pushes.empty());
}

TEST_F(GroupHandlersTest, MembersBeyondTheTypesSizeLimitAreRefused) {
  addGroupType(9, 4);
  group_config_.creatable_type_ids = {0, 9};
  const int64_t group_id = createGroup(1, {2, 3}, "team", 9);
  // Owner + 2 + 2 would be 5: refused as a whole, nobody is added.
  EXPECT_EQ(addMembers(1, group_id, {4, 5}).status.code,
            StatusCode::kAddUserToGroupWithSizeLimitReached);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(addMembers(1, group_id, {4}).status.code, StatusCode::kOk);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(addMembers(1, group_id, {5}).status.code,
            StatusCode::kAddUserToGroupWithSizeLimitReached);

  // A DEFAULT group beside it takes the DEFAULT type's 500.
  const int64_t default_group = createGroup(1, {2, 3, 4, 5, 6});
  EXPECT_EQ(memberIds(default_group).size(), 6u);
}

TEST_F(GroupHandlersTest, ANewSizeLimitAppliesOnceTheTypesAreReloaded) {
  addGroupType(9, 3);
  group_config_.creatable_type_ids = {9};
  const int64_t group_id = createGroup(1, {2, 3}, "team", 9);
  GroupTypeUpdate bigger;
  bigger.group_size_limit = 4;
  const int64_t ids[] = {9};
  ASSERT_EQ(store_->groupTypes().update(ids, bigger).value(), 1);
  // The node's copy is fresh: still 3 until it is invalidated (as the admin API does) ...
  EXPECT_EQ(addMembers(1, group_id, {4}).status.code,
            StatusCode::kAddUserToGroupWithSizeLimitReached);
  group_types_->invalidate();
  EXPECT_EQ(addMembers(1, group_id, {4}).status.code, StatusCode::kOk);
  // ... or until it is older than its refresh time (a change made on another node).
  bigger.group_size_limit = 5;
  ASSERT_EQ(store_->groupTypes().update(ids, bigger).value(), 1);
  clock_.advance(GroupTypes::kDefaultRefreshAfterMillis);
  EXPECT_EQ(addMembers(1, group_id, {5}).status.code, StatusCode::kOk);
}

TEST_F(GroupHandlersTest, GroupsOfADeletedTypeTakeNoMembers) {
  addGroupType(9, 10);
  group_config_.creatable_type_ids = {9};
  const int64_t group_id = createGroup(1, {2}, "team", 9);
  const int64_t ids[] = {9};
  ASSERT_EQ(store_->groupTypes().remove(ids).value(), 1);
  group_types_->invalidate();
  EXPECT_EQ(addMembers(1, group_id, {3}).status.code, StatusCode::kAddUserToInactiveGroup);
}

TEST_F(GroupHandlersTest, CreateHonoursTheTypeWhenItExistsAndIsCreatable) {
  addGroupType(9, 10);
  addGroupType(11, 10);
  group_config_.creatable_type_ids = {11, 0, 9};
  TurmsRequest create = request();
  create.mutable_create_group_request()->set_name("typed");
  create.mutable_create_group_request()->set_type_id(9);
  const HandlerResult created = send(1, create);
  ASSERT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
  const int64_t group_id = created.data->long_();
  EXPECT_EQ(queryGroups(1, {group_id}).data->groups_with_version().groups(0).type_id(), 9);
  EXPECT_EQ(store_->groups().findById(group_id).value()->type_id, 9);

  create.mutable_create_group_request()->set_type_id(404);
  EXPECT_EQ(send(1, create).status.code, StatusCode::kCreateGroupWithNonexistentGroupType);

  group_config_.creatable_type_ids = {11, 0};
  create.mutable_create_group_request()->set_type_id(9);
  const HandlerResult refused = send(1, create);
  EXPECT_EQ(refused.status.code, StatusCode::kNoPermissionToCreateGroupWithGroupType);
  EXPECT_EQ(refused.status.reason,
            "The requester is only allowed to create groups with the types: 0, 11");
  // Upstream's order: a type that does not exist is that, whether it is listed or not.
  group_config_.creatable_type_ids = {404};
  create.mutable_create_group_request()->set_type_id(404);
  EXPECT_EQ(send(1, create).status.code, StatusCode::kCreateGroupWithNonexistentGroupType);
  // With no type given, a group is of the DEFAULT type, which must be creatable too.
  create.mutable_create_group_request()->clear_type_id();
  EXPECT_EQ(send(1, create).status.code, StatusCode::kNoPermissionToCreateGroupWithGroupType);
  EXPECT_EQ(joinedIds(1), (std::vector<int64_t>{group_id}));
}

TEST_F(GroupHandlersTest, ATypeCreatedOnAnotherNodeIsFoundBeforeTheNextReload) {
  ASSERT_NE(createGroup(1), 0);  // the node's copy is loaded now
  addGroupType(9, 10);
  group_config_.creatable_type_ids = {9};
  TurmsRequest create = request();
  create.mutable_create_group_request()->set_name("typed");
  create.mutable_create_group_request()->set_type_id(9);
  EXPECT_EQ(send(1, create).status.code, StatusCode::kOk);
}

TEST_F(GroupHandlersTest, ChangingTheTypeIsOffByDefaultAndThenLimitedToCreatableTypes) {
  addGroupType(9, 10);
  addGroupType(10, 10);
  const int64_t group_id = createGroup(1, {2});
  auto setType = [](int64_t type_id) {
    return [type_id](pb::UpdateGroupRequest& req) { req.set_type_id(type_id); };
  };
  EXPECT_EQ(updateGroup(1, group_id, setType(9)).status.code,
            StatusCode::kUpdatingGroupTypeIsDisabled);

  group_config_.allow_group_owner_change_group_type = true;
  group_config_.creatable_type_ids = {0, 9};
  EXPECT_EQ(updateGroup(1, group_id, setType(404)).status.code,
            StatusCode::kUpdateGroupToNonexistentGroupType);
  const HandlerResult refused = updateGroup(1, group_id, setType(10));
  EXPECT_EQ(refused.status.code, StatusCode::kNoPermissionToUpdateGroupToGroupType);
  EXPECT_EQ(refused.status.reason,
            "The requester is only allowed to update groups to the types: 0, 9");
  EXPECT_EQ(updateGroup(2, group_id, setType(9)).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupInfo);
  const HandlerResult changed = updateGroup(1, group_id, setType(9));
  ASSERT_EQ(changed.status.code, StatusCode::kOk) << changed.status.reason;
  expectPush(changed, {2});
  EXPECT_EQ(queryGroups(2, {group_id}).data->groups_with_version().groups(0).type_id(), 9);
}

TEST_F(GroupHandlersTest, OwnersAndManagersAddMembersAndOnlyOwnersAddManagers) {
  const int64_t group_id = createGroup(1, {2});
  // A plain member cannot add anyone, a non-member neither.
  EXPECT_EQ(addMembers(2, group_id, {3}).status.code,
            StatusCode::kNotGroupOwnerOrManagerToAddGroupMember);
  EXPECT_EQ(addMembers(5, group_id, {3}).status.code,
            StatusCode::kNotGroupOwnerOrManagerToAddGroupMember);
  EXPECT_EQ(addMembers(2, group_id, {3}, pb::MANAGER).status.code,
            StatusCode::kNotGroupOwnerToAddGroupManager);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2}));

  // The owner adds a manager, who adds members but not managers.
  ASSERT_EQ(addMembers(1, group_id, {3}, pb::MANAGER).status.code, StatusCode::kOk);
  EXPECT_EQ(roleOf(group_id, 3), kGroupRoleManager);
  EXPECT_EQ(addMembers(3, group_id, {4}).status.code, StatusCode::kOk);
  EXPECT_EQ(addMembers(3, group_id, {5}, pb::MANAGER).status.code,
            StatusCode::kNotGroupOwnerToAddGroupManager);
  EXPECT_EQ(addMembers(1, group_id, {5}, pb::OWNER).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(GroupHandlersTest, AddingRequiresActiveUsersAndALiveGroup) {
  const int64_t group_id = createGroup(1);
  EXPECT_EQ(addMembers(1, group_id, {2, 7}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(addMembers(1, group_id, {8}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(addMembers(1, group_id, {404}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(addMembers(1, group_id, {}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1}));

  // Joining oneself needs an invitation in a DEFAULT group.
  EXPECT_EQ(addMembers(2, group_id, {2}).status.code,
            StatusCode::kUserJoinGroupWithoutAcceptingGroupInvitation);
  EXPECT_EQ(addMembers(1, group_id, {1, 2}).status.code, StatusCode::kIllegalArgument);

  EXPECT_EQ(addMembers(1, 404, {2}).status.code, StatusCode::kAddUserToInactiveGroup);
  ASSERT_EQ(deleteGroup(1, group_id).status.code, StatusCode::kOk);
  EXPECT_EQ(addMembers(1, group_id, {2}).status.code, StatusCode::kAddUserToInactiveGroup);
}

// Members: the group type's strategies

TEST_F(GroupHandlersTest, UnderTheDefaultStrategyUsersAreInvitedNotAdded) {
  setInvitationStrategy(kDefaultGroupTypeId,
                        GroupInvitationStrategy::kOwnerManagerMemberRequiringApproval);
  const int64_t group_id = createGroup(1);
  // Even the owner cannot add users directly: they accept an invitation.
  EXPECT_EQ(addMembers(1, group_id, {2}).status.code,
            StatusCode::kAddUserToGroupRequiringUsersApproval);
  EXPECT_EQ(addMembers(3, group_id, {2}).status.code,
            StatusCode::kAddUserToGroupRequiringUsersApproval);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1}));
}

// Who may add users directly under each strategy that needs no approval: the owner (1), a
// manager (2), a member (3) and a non-member (4).
TEST_F(GroupHandlersTest, EachStrategyLetsItsRolesAddUsers) {
  struct Case {
    GroupInvitationStrategy strategy;
    std::vector<StatusCode> by_owner_manager_member_outsider;
  };
  const std::vector<Case> cases = {
      {GroupInvitationStrategy::kAll,
       {StatusCode::kOk, StatusCode::kOk, StatusCode::kOk, StatusCode::kOk}},
      {GroupInvitationStrategy::kOwnerManagerMember,
       {StatusCode::kOk, StatusCode::kOk, StatusCode::kOk,
        StatusCode::kNotGroupMemberToAddGroupMember}},
      {GroupInvitationStrategy::kOwnerManager,
       {StatusCode::kOk, StatusCode::kOk, StatusCode::kNotGroupOwnerOrManagerToAddGroupMember,
        StatusCode::kNotGroupOwnerOrManagerToAddGroupMember}},
      {GroupInvitationStrategy::kOwner,
       {StatusCode::kOk, StatusCode::kNotGroupOwnerToAddGroupMember,
        StatusCode::kNotGroupOwnerToAddGroupMember, StatusCode::kNotGroupOwnerToAddGroupMember}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.strategy));
    setInvitationStrategy(kDefaultGroupTypeId, GroupInvitationStrategy::kOwnerManager);
    const int64_t group_id = createGroup(1, {3});
    ASSERT_EQ(addMembers(1, group_id, {2}, pb::MANAGER).status.code, StatusCode::kOk);
    setInvitationStrategy(kDefaultGroupTypeId, c.strategy);
    const int64_t requesters[] = {1, 2, 3, 4};
    for (size_t i = 0; i < 4; ++i) {
      SCOPED_TRACE(requesters[i]);
      EXPECT_EQ(addMembers(requesters[i], group_id, {5}).status.code,
                c.by_owner_manager_member_outsider[i]);
      if (c.by_owner_manager_member_outsider[i] == StatusCode::kOk) {
        const std::vector<int64_t> ids = memberIds(group_id);
        EXPECT_NE(std::find(ids.begin(), ids.end(), 5), ids.end());
        ASSERT_EQ(removeMembers(1, group_id, {5}).status.code, StatusCode::kOk);
      }
      // Only the owner adds managers, whatever the strategy.
      EXPECT_EQ(addMembers(requesters[i], group_id, {6}, pb::MANAGER).status.code,
                requesters[i] == 1 ? StatusCode::kOk : StatusCode::kNotGroupOwnerToAddGroupManager);
      if (requesters[i] == 1) {
        ASSERT_EQ(removeMembers(1, group_id, {6}).status.code, StatusCode::kOk);
      }
    }
    // Nobody is added as a guest or as a second owner.
    EXPECT_EQ(addMembers(1, group_id, {5}, pb::GUEST).status.code, StatusCode::kIllegalArgument);
    EXPECT_EQ(addMembers(1, group_id, {5}, pb::OWNER).status.code, StatusCode::kIllegalArgument);
  }
}

TEST_F(GroupHandlersTest, JoiningOneselfFollowsTheJoinStrategy) {
  const int64_t group_id = createGroup(1, {2});
  const std::pair<GroupJoinStrategy, StatusCode> refusals[] = {
      {GroupJoinStrategy::kInvitation, StatusCode::kUserJoinGroupWithoutAcceptingGroupInvitation},
      {GroupJoinStrategy::kQuestion, StatusCode::kUserJoinGroupWithoutAnsweringGroupQuestion},
      {GroupJoinStrategy::kJoinRequest, StatusCode::kUserJoinGroupWithoutSendingGroupJoinRequest},
  };
  for (const auto& [strategy, code] : refusals) {
    setJoinStrategy(kDefaultGroupTypeId, strategy);
    EXPECT_EQ(addMembers(3, group_id, {3}).status.code, code);
  }
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2}));

  setJoinStrategy(kDefaultGroupTypeId, GroupJoinStrategy::kMembershipRequest);
  // Only as a plain member, and alone.
  EXPECT_EQ(addMembers(3, group_id, {3}, pb::MANAGER).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(addMembers(3, group_id, {3, 4}).status.code, StatusCode::kIllegalArgument);
  const HandlerResult joined = addMembers(3, group_id, {3});
  ASSERT_EQ(joined.status.code, StatusCode::kOk) << joined.status.reason;
  expectPush(joined, {1, 2});  // the members hear of it (and the joiner's other sessions)
  EXPECT_EQ(roleOf(group_id, 3), kGroupRoleMember);

  // A blocked user cannot join, whatever the strategy.
  ASSERT_TRUE(store_->groupBlocklist().block({group_id, 4, kT0, 1}, kT0).ok());
  EXPECT_EQ(addMembers(4, group_id, {4}).status.code, StatusCode::kAddBlockedUserToGroup);
}

// Members: remove and quit

TEST_F(GroupHandlersTest, OwnerRemovesAMemberAndTellsFormerAndRemainingMembers) {
  const int64_t group_id = createGroup(1, {2, 3, 4});
  const HandlerResult removed = removeMembers(1, group_id, {3, 404});
  expectPush(removed, {2, 3, 4});
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_TRUE(joinedIds(3).empty());
}

TEST_F(GroupHandlersTest, RemovingNeedsARoleAboveTheTarget) {
  const int64_t group_id = createGroup(1, {2, 3});
  ASSERT_EQ(addMembers(1, group_id, {4, 5}, pb::MANAGER).status.code, StatusCode::kOk);
  EXPECT_EQ(removeMembers(2, group_id, {3}).status.code,
            StatusCode::kNotGroupOwnerOrManagerToRemoveGroupMember);
  EXPECT_EQ(removeMembers(6, group_id, {3}).status.code,
            StatusCode::kNotGroupOwnerOrManagerToRemoveGroupMember);
  EXPECT_EQ(removeMembers(4, group_id, {5}).status.code,
            StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager);
  EXPECT_EQ(removeMembers(4, group_id, {1}).status.code,
            StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager);
  // Nothing is removed when one target is out of reach.
  EXPECT_EQ(removeMembers(4, group_id, {3, 5}).status.code,
            StatusCode::kNotGroupOwnerToRemoveGroupOwnerOrManager);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 3, 4, 5}));

  expectPush(removeMembers(4, group_id, {3}), {1, 2, 3, 5});
  expectPush(removeMembers(1, group_id, {5}), {2, 4, 5});
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 2, 4}));
}

TEST_F(GroupHandlersTest, MembersQuitButTheOwnerNeedsASuccessor) {
  const int64_t group_id = createGroup(1, {2, 3});
  expectPush(removeMembers(2, group_id, {2}), {1, 3});
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 3}));

  EXPECT_EQ(removeMembers(1, group_id, {1}).status.code,
            StatusCode::kGroupOwnerQuitWithoutSpecifyingSuccessor);
  EXPECT_EQ(removeMembers(1, group_id, {1, 3}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(removeMembers(1, group_id, {1}, 2).status.code,
            StatusCode::kGroupSuccessorNotGroupMember);
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 3}));

  // With a successor the ownership moves first, then the old owner leaves.
  expectPush(removeMembers(1, group_id, {1}, 3), {3});
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{3}));
  EXPECT_EQ(roleOf(group_id, 3), kGroupRoleOwner);
  EXPECT_EQ(queryGroups(3, {group_id}).data->groups_with_version().groups(0).owner_id(), 3);
}

// Update and transfer

TEST_F(GroupHandlersTest, OwnerAndManagersUpdateTheGroupAndMembersAreTold) {
  const int64_t group_id = createGroup(1, {2, 3});
  ASSERT_EQ(addMembers(1, group_id, {4}, pb::MANAGER).status.code, StatusCode::kOk);

  const HandlerResult by_manager = updateGroup(4, group_id, [](auto& req) {
    req.set_name("new name");
    req.set_announcement("news");
    req.set_mute_end_date(kT0 + 1'000'000);
  });
  expectPush(by_manager, {1, 2, 3});
  const pb::Group group = queryGroups(2, {group_id}).data->groups_with_version().groups(0);
  EXPECT_EQ(group.name(), "new name");
  EXPECT_EQ(group.announcement(), "news");
  EXPECT_EQ(group.intro(), "");
  EXPECT_EQ(group.mute_end_date(), kT0 + 1'000'000);

  EXPECT_EQ(updateGroup(2, group_id, [](auto& req) { req.set_name("mine"); }).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupInfo);
  EXPECT_EQ(updateGroup(6, group_id, [](auto& req) { req.set_name("mine"); }).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupInfo);
  EXPECT_EQ(updateGroup(1, 404, [](auto& req) { req.set_name("x"); }).status.code,
            StatusCode::kUpdateInfoOfNonexistentGroup);
  EXPECT_EQ(updateGroup(1, group_id, [](auto& req) { req.set_type_id(2); }).status.code,
            StatusCode::kUpdatingGroupTypeIsDisabled);
  EXPECT_EQ(queryGroups(2, {group_id}).data->groups_with_version().groups(0).name(), "new name");
}

TEST_F(GroupHandlersTest, OnlyTheOwnerTransfersAndOnlyToAMember) {
  const int64_t group_id = createGroup(1, {2, 3});
  auto transferTo = [](int64_t successor, bool quit = false) {
    return [successor, quit](pb::UpdateGroupRequest& req) {
      req.set_successor_id(successor);
      if (quit) req.set_quit_after_transfer(true);
    };
  };
  EXPECT_EQ(updateGroup(2, group_id, transferTo(3)).status.code,
            StatusCode::kNotGroupOwnerToTransferGroup);
  EXPECT_EQ(updateGroup(1, group_id, transferTo(5)).status.code,
            StatusCode::kGroupSuccessorNotGroupMember);
  EXPECT_EQ(updateGroup(1, 404, transferTo(2)).status.code, StatusCode::kTransferNonexistentGroup);
  // The successor must be allowed to have a group of its type.
  group_config_.creatable_type_ids = {9};
  EXPECT_EQ(updateGroup(1, group_id, transferTo(2)).status.code,
            StatusCode::kNoPermissionToCreateGroupWithGroupType);
  EXPECT_EQ(roleOf(group_id, 1), kGroupRoleOwner);
  group_config_.creatable_type_ids = {0};

  expectPush(updateGroup(1, group_id, transferTo(2)), {2, 3});
  EXPECT_EQ(roleOf(group_id, 2), kGroupRoleOwner);
  EXPECT_EQ(roleOf(group_id, 1), kGroupRoleMember);
  EXPECT_EQ(queryGroups(1, {group_id}).data->groups_with_version().groups(0).owner_id(), 2);
  // The new owner may delete; the old one may not any more.
  EXPECT_EQ(deleteGroup(1, group_id).status.code, StatusCode::kNotGroupOwnerToDeleteGroup);

  expectPush(updateGroup(2, group_id, transferTo(3, true)), {1, 3});
  EXPECT_EQ(roleOf(group_id, 3), kGroupRoleOwner);
  EXPECT_FALSE(roleOf(group_id, 2).has_value());
  EXPECT_EQ(memberIds(group_id), (std::vector<int64_t>{1, 3}));
}

// Delete

TEST_F(GroupHandlersTest, DeleteIsForTheOwnerAndTellsEveryFormerMember) {
  const int64_t group_id = createGroup(1, {2, 3});
  EXPECT_EQ(deleteGroup(2, group_id).status.code, StatusCode::kNotGroupOwnerToDeleteGroup);
  EXPECT_EQ(deleteGroup(5, group_id).status.code, StatusCode::kNotGroupOwnerToDeleteGroup);
  EXPECT_EQ(deleteGroup(1, 404).status.code, StatusCode::kNotGroupOwnerToDeleteGroup);

  const HandlerResult deleted = deleteGroup(1, group_id);
  expectPush(deleted, {2, 3});

  EXPECT_EQ(queryGroups(1, {group_id}).status.code, StatusCode::kNoContent);
  EXPECT_EQ(queryJoinedIds(1).status.code, StatusCode::kNoContent);
  EXPECT_EQ(queryJoinedIds(2).status.code, StatusCode::kNoContent);
  EXPECT_EQ(queryJoinedInfos(3).status.code, StatusCode::kNoContent);
  EXPECT_EQ(queryMembers(1, group_id).status.code,
            StatusCode::kNotGroupMemberToQueryGroupMemberInfo);
  EXPECT_EQ(deleteGroup(1, group_id).status.code, StatusCode::kNotGroupOwnerToDeleteGroup);
}

// Query members

TEST_F(GroupHandlersTest, MembersAreQueriedByMembersOnly) {
  const int64_t group_id = createGroup(1, {2, 3});
  EXPECT_EQ(queryMembers(5, group_id).status.code,
            StatusCode::kNotGroupMemberToQueryGroupMemberInfo);
  EXPECT_EQ(queryMembers(5, 404).status.code, StatusCode::kNotGroupMemberToQueryGroupMemberInfo);

  const HandlerResult all = queryMembers(2, group_id);
  ASSERT_EQ(all.status.code, StatusCode::kOk) << all.status.reason;
  const auto& with_version = all.data->group_members_with_version();
  ASSERT_EQ(with_version.group_members_size(), 3);
  const pb::GroupMember& owner = with_version.group_members(0);
  EXPECT_EQ(owner.group_id(), group_id);
  EXPECT_EQ(owner.user_id(), 1);
  EXPECT_EQ(owner.role(), pb::OWNER);
  EXPECT_GT(owner.join_date(), kT0);
  EXPECT_FALSE(owner.has_mute_end_date());
  EXPECT_FALSE(owner.has_user_status());  // only with with_status
  EXPECT_EQ(with_version.group_members(1).role(), pb::MEMBER);
  EXPECT_GT(with_version.last_updated_date(), 0);

  const HandlerResult some = queryMembers(2, group_id, std::nullopt, false, {3, 404});
  ASSERT_EQ(some.status.code, StatusCode::kOk);
  ASSERT_EQ(some.data->group_members_with_version().group_members_size(), 1);
  EXPECT_EQ(some.data->group_members_with_version().group_members(0).user_id(), 3);
  EXPECT_EQ(queryMembers(2, group_id, std::nullopt, false, {404}).status.code,
            StatusCode::kNoContent);
}

TEST_F(GroupHandlersTest, MembersQueryIsAlreadyUpToDateUntilMembersChange) {
  const int64_t group_id = createGroup(1, {2});
  const HandlerResult first = queryMembers(1, group_id);
  ASSERT_EQ(first.status.code, StatusCode::kOk);
  const int64_t version = first.data->group_members_with_version().last_updated_date();
  EXPECT_EQ(queryMembers(1, group_id, version).status.code, StatusCode::kAlreadyUpToDate);

  // A group info change is not a member change.
  ASSERT_EQ(updateGroup(1, group_id, [](auto& req) { req.set_name("x"); }).status.code,
            StatusCode::kOk);
  EXPECT_EQ(queryMembers(1, group_id, version).status.code, StatusCode::kAlreadyUpToDate);

  ASSERT_EQ(addMembers(1, group_id, {3}).status.code, StatusCode::kOk);
  const HandlerResult after_add = queryMembers(1, group_id, version);
  ASSERT_EQ(after_add.status.code, StatusCode::kOk);
  EXPECT_EQ(after_add.data->group_members_with_version().group_members_size(), 3);
  const int64_t version2 = after_add.data->group_members_with_version().last_updated_date();
  EXPECT_GT(version2, version);

  ASSERT_EQ(removeMembers(3, group_id, {3}).status.code, StatusCode::kOk);
  EXPECT_EQ(queryMembers(1, group_id, version2).status.code, StatusCode::kOk);
}

TEST_F(GroupHandlersTest, InvisibleMembersShowAsInvisibleUnlessConfiguredToShowOffline) {
  const int64_t group_id = createGroup(1, {2, 3});
  ASSERT_TRUE(sessions_->registerDevice(3, pb::IOS, kUserStatusInvisible, "n1", kT0).ok());
  const auto statusOf3 = [&](int64_t requester) {
    const HandlerResult result = queryMembers(requester, group_id, std::nullopt, true);
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    for (const auto& member : result.data->group_members_with_version().group_members()) {
      if (member.user_id() == 3) {
        return std::pair{member.user_status(), member.using_device_types_size()};
      }
    }
    return std::pair{pb::UserStatus(-1), -1};
  };
  // Upstream's default: others see INVISIBLE.
  EXPECT_EQ(statusOf3(2), std::pair(pb::INVISIBLE, 1));
  user_config_.respond_offline_if_invisible = true;
  EXPECT_EQ(statusOf3(2), std::pair(pb::OFFLINE, 0));
  EXPECT_EQ(statusOf3(3), std::pair(pb::INVISIBLE, 1));  // oneself: as it is
}

TEST_F(GroupHandlersTest, MembersQueryWithStatusShowsOnlineDevices) {
  const int64_t group_id = createGroup(1, {2, 3, 4});
  ASSERT_TRUE(sessions_->registerDevice(2, pb::ANDROID, kUserStatusAvailable, "n1", kT0).ok());
  ASSERT_TRUE(sessions_->registerDevice(2, pb::BROWSER, kUserStatusAvailable, "n1", kT0).ok());
  ASSERT_TRUE(sessions_->registerDevice(3, pb::IOS, kUserStatusInvisible, "n1", kT0).ok());
  ASSERT_TRUE(sessions_->registerDevice(1, pb::DESKTOP, pb::BUSY, "n1", kT0).ok());

  const HandlerResult result = queryMembers(3, group_id, std::nullopt, true);
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  const auto& members = result.data->group_members_with_version().group_members();
  ASSERT_EQ(members.size(), 4);
  EXPECT_EQ(members[0].user_status(), pb::BUSY);
  EXPECT_EQ(std::vector<int>(members[0].using_device_types().begin(),
                             members[0].using_device_types().end()),
            (std::vector<int>{pb::DESKTOP}));
  EXPECT_EQ(members[1].user_status(), pb::AVAILABLE);
  std::vector<int> devices(members[1].using_device_types().begin(),
                           members[1].using_device_types().end());
  std::sort(devices.begin(), devices.end());
  EXPECT_EQ(devices, (std::vector<int>{pb::BROWSER, pb::ANDROID}));
  // Invisible users see themselves as they are.
  EXPECT_EQ(members[2].user_status(), pb::INVISIBLE);
  EXPECT_EQ(members[3].user_status(), pb::OFFLINE);
  EXPECT_EQ(members[3].using_device_types_size(), 0);

  // ...and so do the others, by upstream's default (see the test of the switch above).
  const HandlerResult seen_by_owner = queryMembers(1, group_id, std::nullopt, true);
  ASSERT_EQ(seen_by_owner.status.code, StatusCode::kOk);
  const pb::GroupMember& invisible =
      seen_by_owner.data->group_members_with_version().group_members(2);
  EXPECT_EQ(invisible.user_id(), 3);
  EXPECT_EQ(invisible.user_status(), pb::INVISIBLE);
  EXPECT_EQ(invisible.using_device_types_size(), 1);
}

// Update members

TEST_F(GroupHandlersTest, OwnerChangesRolesAndOthersCannot) {
  const int64_t group_id = createGroup(1, {2, 3});
  const int64_t version =
      queryMembers(1, group_id).data->group_members_with_version().last_updated_date();
  const HandlerResult promoted = updateMember(1, group_id, 2, [](auto& req) {
    req.set_role(pb::MANAGER);
    req.set_name("deputy");
  });
  expectPush(promoted, {});  // +self only, as upstream's defaults
  EXPECT_EQ(roleOf(group_id, 2), kGroupRoleManager);
  EXPECT_EQ(store_->groupMembers().find(group_id, 2).value()->name, "deputy");
  // Members who cached the list see the change.
  EXPECT_EQ(queryMembers(3, group_id, version).status.code, StatusCode::kOk);

  auto toRole = [](pb::GroupMemberRole role) {
    return [role](pb::UpdateGroupMemberRequest& req) { req.set_role(role); };
  };
  EXPECT_EQ(updateMember(2, group_id, 3, toRole(pb::MANAGER)).status.code,
            StatusCode::kNotGroupOwnerToUpdateGroupMemberRole);
  EXPECT_EQ(updateMember(1, group_id, 3, toRole(pb::OWNER)).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(updateMember(1, group_id, 1, toRole(pb::MEMBER)).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(updateMember(1, group_id, 5, toRole(pb::MANAGER)).status.code,
            StatusCode::kUpdateInfoOfNonexistentGroupMember);
  EXPECT_EQ(updateMember(1, 404, 3, toRole(pb::MANAGER)).status.code,
            StatusCode::kUpdateGroupMemberRoleOfNonexistentGroup);
  EXPECT_EQ(roleOf(group_id, 3), kGroupRoleMember);
  EXPECT_EQ(roleOf(group_id, 1), kGroupRoleOwner);
}

TEST_F(GroupHandlersTest, MutingNeedsARoleAboveTheTarget) {
  const int64_t group_id = createGroup(1, {2, 3});
  ASSERT_EQ(addMembers(1, group_id, {4}, pb::MANAGER).status.code, StatusCode::kOk);
  auto muteUntil = [](int64_t date) {
    return [date](pb::UpdateGroupMemberRequest& req) { req.set_mute_end_date(date); };
  };
  EXPECT_EQ(updateMember(4, group_id, 2, muteUntil(kT0 + 3600'000)).status.code, StatusCode::kOk);
  EXPECT_EQ(store_->groupMembers().find(group_id, 2).value()->mute_end_date,
            std::optional<int64_t>(kT0 + 3600'000));
  const HandlerResult listed = queryMembers(3, group_id, std::nullopt, false, {2});
  EXPECT_EQ(listed.data->group_members_with_version().group_members(0).mute_end_date(),
            kT0 + 3600'000);

  EXPECT_EQ(updateMember(3, group_id, 2, muteUntil(kT0)).status.code,
            StatusCode::kMuteGroupMemberWithRoleEqualToOrHigherThanRequester);
  EXPECT_EQ(updateMember(4, group_id, 1, muteUntil(kT0)).status.code,
            StatusCode::kMuteGroupMemberWithRoleEqualToOrHigherThanRequester);
  EXPECT_EQ(updateMember(3, group_id, 3, muteUntil(kT0)).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(updateMember(5, group_id, 2, muteUntil(kT0)).status.code,
            StatusCode::kNotGroupOwnerOrManagerToMuteGroupMember);
  EXPECT_EQ(updateMember(1, group_id, 5, muteUntil(kT0)).status.code,
            StatusCode::kMuteNonexistentGroupMember);
  EXPECT_EQ(updateMember(1, 404, 2, muteUntil(kT0)).status.code,
            StatusCode::kMuteGroupMemberOfNonexistentGroup);

  // Unmuting is muting until a date in the past.
  EXPECT_EQ(updateMember(1, group_id, 2, muteUntil(0)).status.code, StatusCode::kOk);
  EXPECT_EQ(store_->groupMembers().find(group_id, 2).value()->mute_end_date,
            std::optional<int64_t>(0));
}

TEST_F(GroupHandlersTest, MembersRenameThemselvesAndManagersRenameOthers) {
  const int64_t group_id = createGroup(1, {2, 3});
  auto rename = [](const std::string& name) {
    return [name](pb::UpdateGroupMemberRequest& req) { req.set_name(name); };
  };
  EXPECT_EQ(updateMember(2, group_id, 2, rename("me")).status.code, StatusCode::kOk);
  EXPECT_EQ(updateMember(2, group_id, 3, rename("you")).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupMemberInfo);
  EXPECT_EQ(updateMember(5, group_id, 3, rename("you")).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupMemberInfo);
  EXPECT_EQ(updateMember(1, group_id, 3, rename("three")).status.code, StatusCode::kOk);
  EXPECT_EQ(updateMember(1, group_id, 5, rename("five")).status.code,
            StatusCode::kUpdateInfoOfNonexistentGroupMember);
  EXPECT_EQ(updateMember(1, 404, 3, rename("x")).status.code,
            StatusCode::kUpdateGroupMemberInfoOfNonexistentGroup);
  EXPECT_EQ(store_->groupMembers().find(group_id, 2).value()->name, "me");
  EXPECT_EQ(store_->groupMembers().find(group_id, 3).value()->name, "three");
  // Nothing to change is not an error.
  EXPECT_EQ(updateMember(2, group_id, 3, [](auto&) {}).status.code, StatusCode::kOk);
}

}  // namespace
}  // namespace parley
