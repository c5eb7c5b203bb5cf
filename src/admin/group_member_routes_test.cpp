#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class GroupMemberRoutesTest : public testing::AdminStoreTest {
 protected:
  void SetUp() override {
    for (const int64_t id : {1, 2, 3, 4}) addUser(id);
    // Group 10: owner 1, member 2 (muted). Group 11: owner 3.
    addGroup(10, 1);
    addGroup(11, 3);
    GroupMemberRecord member{.group_id = 10, .user_id = 2, .name = "two", .join_date = kCreated};
    member.mute_end_date = kStartMillis + 1000;
    ASSERT_TRUE(store_->groupMembers().insertMany(std::span(&member, 1)).ok());
  }

  std::optional<GroupMemberRecord> stored(int64_t group_id, int64_t user_id) {
    auto member = store_->groupMembers().find(group_id, user_id);
    EXPECT_TRUE(member.ok());
    return member.ok() ? *member : std::nullopt;
  }

  int64_t membersVersion(int64_t group_id) {
    return store_->groups().findById(group_id).value()->members_last_updated_date;
  }

  // "groupId/userId" of each listed member.
  static std::vector<std::string> keysOf(const json::value& records) {
    std::vector<std::string> keys;
    for (const json::value& record : records.as_array()) {
      keys.push_back(std::to_string(record.at("key").at("groupId").as_int64()) + "/" +
                     std::to_string(record.at("key").at("userId").as_int64()));
    }
    return keys;
  }
};

TEST_F(GroupMemberRoutesTest, AddStoresTheMemberAndMovesVersions) {
  clock_.advance(5000);
  const json::value data = dataOf(call(
      "POST", "/groups/members", R"({"groupId":10,"userId":3,"name":"three","role":"MANAGER"})"));
  EXPECT_EQ(data, (json::value{{"key", {{"groupId", 10}, {"userId", 3}}},
                               {"name", "three"},
                               {"role", "MANAGER"},
                               {"joinDate", kStartMillis + 5000},
                               {"muteEndDate", nullptr}}));
  EXPECT_EQ(stored(10, 3)->role, kGroupRoleManager);
  EXPECT_EQ(membersVersion(10), kStartMillis + 5000);
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(3).value(), kStartMillis + 5000);
  EXPECT_EQ(dataOf(call("POST", "/groups/members", R"({"groupId":11,"userId":4})")).at("role"),
            "MEMBER");
}

TEST_F(GroupMemberRoutesTest, AddRefusesWhatWouldBreakTheGroup) {
  const std::string path = "/groups/members";
  EXPECT_EQ(refusal(call("POST", path, R"({"userId":3})"), 400), "groupId: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":99,"userId":3})"), 404),
            "groupId: group 99 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":9})"), 404),
            "userId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":3,"role":"OWNER"})"), 400),
            "role: the owner changes with PUT /groups (successorId)");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"userId":3,"role":"KING"})"), 400).substr(0, 22),
      "role: must be one of O");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":2})"), 409),
            "userId: user 2 is a member of group 10 already");
  const GroupBlockedUserRecord blocked{
      .group_id = 10, .user_id = 4, .block_date = kCreated, .requester_id = 1};
  ASSERT_TRUE(store_->groupBlocklist().block(blocked, kCreated).ok());
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":4})"), 409),
            "userId: user 4 is blocked in group 10");
  ASSERT_TRUE(store_->groups().softDelete(11, kStartMillis).ok());
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":11,"userId":4})"), 404),
            "groupId: group 11 does not exist");
}

TEST_F(GroupMemberRoutesTest, ListFiltersByKeysRolesAndDates) {
  const std::string path = "/groups/members";
  EXPECT_EQ(keysOf(dataOf(call("GET", path))), (std::vector<std::string>{"10/1", "10/2", "11/3"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", path + "?groupIds=10&roles=OWNER"))),
            std::vector<std::string>{"10/1"});
  EXPECT_EQ(keysOf(dataOf(call("GET", path + "?userIds=2,3"))),
            (std::vector<std::string>{"10/2", "11/3"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", path + "?muteEndDateStart=" + std::to_string(kStartMillis)))),
            std::vector<std::string>{"10/2"});
  EXPECT_EQ(keysOf(dataOf(call("GET", path + "?joinDateEnd=" + std::to_string(kCreated)))),
            std::vector<std::string>{});
  const json::value page = dataOf(call("GET", path + "/page?size=2&page=1"));
  EXPECT_EQ(page.at("total"), 3);
  EXPECT_EQ(keysOf(page.at("records")), std::vector<std::string>{"11/3"});
  EXPECT_EQ(refusal(call("GET", path + "?roles=KING"), 400), "roles: unknown role KING");
}

TEST_F(GroupMemberRoutesTest, UpdateRewritesTheGivenFieldsAndMovesTheMembersVersion) {
  clock_.advance(5000);
  const AdminResponse updated = call(
      "PUT",
      "/groups/members?keys[0].groupId=10&keys[0].userId=2&keys[1].groupId=10&keys[1].userId=4",
      R"({"name":"deux","role":"GUEST","joinDate":5,"muteEndDate":0})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 1}}));
  const std::optional<GroupMemberRecord> member = stored(10, 2);
  EXPECT_EQ(member->name, "deux");
  EXPECT_EQ(member->role, kGroupRoleGuest);
  EXPECT_EQ(member->join_date, 5);
  EXPECT_EQ(member->mute_end_date, 0);
  EXPECT_EQ(membersVersion(10), kStartMillis + 5000);
  // The owner's name may change, their role may not.
  EXPECT_EQ(dataOf(call("PUT", "/groups/members?keys[0].groupId=10&keys[0].userId=1",
                        R"({"name":"boss"})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(stored(10, 1)->name, "boss");
}

TEST_F(GroupMemberRoutesTest, UpdateRefusesRoleChangesOfAndToOwner) {
  const std::string both =
      "/groups/members?keys[0].groupId=10&keys[0].userId=2&keys[1].groupId=10&keys[1].userId=1";
  EXPECT_EQ(refusal(call("PUT", both, R"({"role":"MEMBER","name":"x"})"), 400),
            "keys: user 1 owns group 10: the owner changes with PUT /groups (successorId)");
  EXPECT_EQ(stored(10, 2)->name, "two");
  EXPECT_EQ(refusal(call("PUT", both, R"({"role":"OWNER"})"), 400),
            "role: the owner changes with PUT /groups (successorId)");
  EXPECT_EQ(refusal(call("PUT", both, "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/groups/members", R"({"name":"x"})"), 400).substr(0, 6), "keys: ");
}

TEST_F(GroupMemberRoutesTest, DeleteRemovesMembersButNeverTheOwner) {
  clock_.advance(5000);
  EXPECT_EQ(refusal(call("DELETE",
                         "/groups/members?keys[0].groupId=10&keys[0].userId=2&keys[1].groupId=11&"
                         "keys[1].userId=3"),
                    400),
            "keys: user 3 owns group 11: hand the group over first, or delete it");
  EXPECT_TRUE(stored(10, 2).has_value());
  EXPECT_EQ(dataOf(call("DELETE",
                        "/groups/members?keys[0].groupId=10&keys[0].userId=2&keys[1].groupId=10&"
                        "keys[1].userId=4")),
            (json::value{{"deletedCount", 1}}));
  EXPECT_FALSE(stored(10, 2).has_value());
  EXPECT_EQ(membersVersion(10), kStartMillis + 5000);
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(2).value(), kStartMillis + 5000);
}

}  // namespace
}  // namespace parley
