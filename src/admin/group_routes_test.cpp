#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"
#include "store/group_lifecycle.h"

namespace parley {
namespace {

namespace json = boost::json;

class GroupRoutesTest : public testing::AdminStoreTest {
 protected:
  void SetUp() override {
    for (const int64_t id : {1, 2, 3}) addUser(id);
  }

  // A group owned by owner_id with the given members, stored as a client's createGroup does.
  void storeGroup(int64_t id, int64_t owner_id, std::vector<int64_t> member_ids = {},
                  int64_t created = kStartMillis - 1000) {
    GroupRecord group;
    group.id = id;
    group.creator_id = owner_id;
    group.owner_id = owner_id;
    group.name = "group " + std::to_string(id);
    group.creation_date = created;
    group.last_updated_date = created;
    group.members_last_updated_date = created;
    ASSERT_TRUE(createGroupWithOwner(store_->groups(), store_->groupMembers(), group).ok());
    std::vector<GroupMemberRecord> members;
    for (const int64_t user_id : member_ids) {
      members.push_back({.group_id = id, .user_id = user_id, .join_date = created});
    }
    ASSERT_TRUE(store_->groupMembers().insertMany(members).ok());
  }

  std::optional<GroupRecord> stored(int64_t id) {
    auto found = store_->groups().findById(id);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }

  std::optional<int32_t> roleOf(int64_t group_id, int64_t user_id) {
    auto member = store_->groupMembers().find(group_id, user_id);
    EXPECT_TRUE(member.ok());
    if (!member.ok() || !*member) return std::nullopt;
    return (*member)->role;
  }
};

TEST_F(GroupRoutesTest, CreateStoresTheGroupWithItsOwnerAsOwnerMember) {
  const json::value data = dataOf(
      call("POST", "/groups",
           R"({"creatorId":1,"ownerId":"2","name":"team","minimumScore":3,"isActive":false})"));
  const int64_t id = data.at("id").as_int64();
  EXPECT_EQ(data, (json::value{{"id", id},
                               {"typeId", 0},
                               {"creatorId", 1},
                               {"ownerId", 2},
                               {"name", "team"},
                               {"intro", ""},
                               {"announcement", ""},
                               {"minimumScore", 3},
                               {"creationDate", kStartMillis},
                               {"deletionDate", nullptr},
                               {"lastUpdatedDate", kStartMillis},
                               {"muteEndDate", nullptr},
                               {"isActive", false}}));
  const std::optional<GroupRecord> group = stored(id);
  ASSERT_TRUE(group.has_value());
  EXPECT_EQ(group->owner_id, 2);
  EXPECT_FALSE(group->is_active);
  EXPECT_EQ(roleOf(id, 2), kGroupRoleOwner);
  EXPECT_EQ(roleOf(id, 1), std::nullopt);
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(2).value(), kStartMillis);
}

TEST_F(GroupRoutesTest, CreateMakesTheCreatorTheOwnerWhenNoneIsGiven) {
  const json::value data = dataOf(call("POST", "/groups", R"({"creatorId":3})"));
  EXPECT_EQ(data.at("ownerId"), 3);
  EXPECT_EQ(roleOf(data.at("id").as_int64(), 3), kGroupRoleOwner);
}

TEST_F(GroupRoutesTest, CreateRefusesMissingUsersTypesAndFields) {
  EXPECT_EQ(refusal(call("POST", "/groups", R"({"name":"x"})"), 400), "ownerId: required");
  EXPECT_EQ(refusal(call("POST", "/groups", R"({"ownerId":9})"), 404),
            "ownerId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", "/groups", R"({"ownerId":1,"creatorId":9})"), 404),
            "creatorId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", "/groups", R"({"ownerId":1,"typeId":77})"), 404),
            "typeId: group type 77 does not exist");
  EXPECT_EQ(refusal(call("POST", "/groups", R"({"ownerId":1,"minimumScore":-1})"), 400),
            "minimumScore: must not be negative");
  EXPECT_EQ(refusal(call("POST", "/groups", R"({"ownerId":1,"deletionDate":5})"), 400),
            "deletionDate: groups are deleted with DELETE /groups");
  EXPECT_EQ(dataOf(call("GET", "/groups/page")).at("total"), 0);
}

TEST_F(GroupRoutesTest, ListFiltersByIdsUsersMembersAndDates) {
  storeGroup(10, 1, {2}, kStartMillis - 3000);
  storeGroup(11, 2, {}, kStartMillis - 2000);
  storeGroup(12, 3, {1}, kStartMillis - 1000);
  EXPECT_EQ(idsOf(dataOf(call("GET", "/groups"))), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(idsOf(dataOf(call("GET", "/groups?ids=12,11"))), (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(idsOf(dataOf(call("GET", "/groups?ownerIds=1,3&creatorIds=3"))),
            std::vector<int64_t>{12});
  // Owners are members too.
  EXPECT_EQ(idsOf(dataOf(call("GET", "/groups?memberIds=2"))), (std::vector<int64_t>{10, 11}));
  EXPECT_EQ(idsOf(dataOf(
                call("GET", "/groups?creationDateStart=" + std::to_string(kStartMillis - 2000)))),
            (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(idsOf(dataOf(call("GET", "/groups?isActive=false"))), std::vector<int64_t>{});
  const json::value page = dataOf(call("GET", "/groups/page?size=1&page=2"));
  EXPECT_EQ(page.at("total"), 3);
  EXPECT_EQ(idsOf(page.at("records")), std::vector<int64_t>{12});
  EXPECT_EQ(refusal(call("GET", "/groups?typeIds=x"), 400).substr(0, 9), "typeIds: ");
}

TEST_F(GroupRoutesTest, UpdateRewritesTheGivenFields) {
  storeGroup(10, 1);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("PUT", "/groups?ids=10,404",
                        R"({"name":"renamed","muteEndDate":7,"isActive":false,"creatorId":2})")),
            (json::value{{"updatedCount", 1}}));
  const std::optional<GroupRecord> group = stored(10);
  EXPECT_EQ(group->name, "renamed");
  EXPECT_EQ(group->mute_end_date, 7);
  EXPECT_FALSE(group->is_active);
  EXPECT_EQ(group->creator_id, 2);
  EXPECT_EQ(group->owner_id, 1);
  EXPECT_EQ(group->last_updated_date, kStartMillis + 5000);
}

TEST_F(GroupRoutesTest, ANewOwnerIsATransferThatKeepsTheRolesConsistent) {
  storeGroup(10, 1, {2, 3});
  storeGroup(11, 1, {2});
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("PUT", "/groups?ids=10", R"({"ownerId":2})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(stored(10)->owner_id, 2);
  EXPECT_EQ(roleOf(10, 2), kGroupRoleOwner);
  EXPECT_EQ(roleOf(10, 1), kGroupRoleMember);
  // Two members changed role: the version moved past the clock by the second.
  EXPECT_GE(stored(10)->members_last_updated_date, kStartMillis + 5000);

  EXPECT_EQ(dataOf(call("PUT", "/groups?ids=11", R"({"successorId":2,"quitAfterTransfer":true})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(roleOf(11, 2), kGroupRoleOwner);
  EXPECT_EQ(roleOf(11, 1), std::nullopt);
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(1).value(), kStartMillis + 5000);
}

TEST_F(GroupRoutesTest, UpdateRefusesBeforeWritingAnything) {
  storeGroup(10, 1, {3});
  storeGroup(11, 1);
  // 3 is a member of 10 but not of 11: neither group changes.
  EXPECT_EQ(refusal(call("PUT", "/groups?ids=10,11", R"({"ownerId":3,"name":"x"})"), 400),
            "successorId: user 3 is not a member of group 11");
  EXPECT_EQ(stored(10)->owner_id, 1);
  EXPECT_EQ(stored(10)->name, "group 10");
  EXPECT_EQ(roleOf(10, 3), kGroupRoleMember);
  EXPECT_EQ(refusal(call("PUT", "/groups?ids=10", R"({"typeId":77})"), 404),
            "typeId: group type 77 does not exist");
  EXPECT_EQ(refusal(call("PUT", "/groups?ids=10", R"({"ownerId":2,"successorId":3})"), 400),
            "successorId: differs from ownerId");
  EXPECT_EQ(refusal(call("PUT", "/groups?ids=10", R"({"quitAfterTransfer":true})"), 400),
            "quitAfterTransfer: needs a successorId");
  EXPECT_EQ(refusal(call("PUT", "/groups?ids=10", "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/groups", R"({"name":"x"})"), 400), "ids: required");
}

TEST_F(GroupRoutesTest, DeleteSoftDeletesAndRemovesTheMembers) {
  storeGroup(10, 1, {2});
  storeGroup(11, 1);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("DELETE", "/groups?ids=10,404")), (json::value{{"deletedCount", 1}}));
  EXPECT_EQ(stored(10)->deletion_date, kStartMillis + 5000);
  EXPECT_EQ(store_->groupMembers().findMemberIds(10).value(), std::vector<int64_t>{});
  EXPECT_EQ(store_->groupMembers().findJoinedGroupIds(1).value(), std::vector<int64_t>{11});
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(2).value(), kStartMillis + 5000);
  // Deleting again counts nothing; a deleted group is no longer updated.
  EXPECT_EQ(dataOf(call("DELETE", "/groups?ids=10")), (json::value{{"deletedCount", 0}}));
  EXPECT_EQ(dataOf(call("PUT", "/groups?ids=10", R"({"name":"x"})")),
            (json::value{{"updatedCount", 0}}));
  EXPECT_EQ(refusal(call("DELETE", "/groups?ids=11&deleteLogically=false"), 400),
            "deleteLogically: groups are only deleted logically");
  EXPECT_FALSE(stored(11)->deletion_date.has_value());
  EXPECT_EQ(refusal(call("DELETE", "/groups"), 400), "ids: required");
}

}  // namespace
}  // namespace parley
