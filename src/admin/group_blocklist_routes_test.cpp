#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class GroupBlocklistRoutesTest : public testing::AdminStoreTest {
 protected:
  void SetUp() override {
    for (const int64_t id : {1, 2, 3, 4}) addUser(id);
    // Group 10: owner 1, member 2.
    addGroup(10, 1);
    const GroupMemberRecord member{.group_id = 10, .user_id = 2, .join_date = kCreated};
    ASSERT_TRUE(store_->groupMembers().insertMany(std::span(&member, 1)).ok());
  }

  void storeBlocked(int64_t user_id, int64_t block_date, int64_t requester_id = 1) {
    const GroupBlockedUserRecord blocked{
        .group_id = 10, .user_id = user_id, .block_date = block_date, .requester_id = requester_id};
    ASSERT_TRUE(store_->groupBlocklist().block(blocked, block_date).ok());
  }

  std::vector<GroupBlockedUserRecord> blocked() {
    return store_->groupBlocklist().findBlocked(10).value();
  }

  static std::vector<int64_t> userIdsOf(const json::value& records) {
    std::vector<int64_t> ids;
    for (const json::value& record : records.as_array()) {
      ids.push_back(record.at("key").at("userId").as_int64());
    }
    return ids;
  }
};

TEST_F(GroupBlocklistRoutesTest, BlockingAMemberRemovesThemAndMovesVersions) {
  clock_.advance(5000);
  const json::value data =
      dataOf(call("POST", "/groups/blocked-users", R"({"groupId":10,"userId":2,"requesterId":1})"));
  EXPECT_EQ(data, (json::value{{"key", {{"groupId", 10}, {"userId", 2}}},
                               {"blockDate", kStartMillis + 5000},
                               {"requesterId", 1}}));
  EXPECT_EQ(blocked().size(), 1u);
  EXPECT_FALSE(store_->groupMembers().find(10, 2).value().has_value());
  EXPECT_EQ(store_->groupBlocklist().findVersion(10).value(), kStartMillis + 5000);
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(2).value(), kStartMillis + 5000);
}

TEST_F(GroupBlocklistRoutesTest, BlockRefusesTheOwnerUnknownsAndTwice) {
  const std::string path = "/groups/blocked-users";
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":3})"), 400),
            "requesterId: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":99,"userId":3,"requesterId":1})"), 404),
            "groupId: group 99 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":9,"requesterId":1})"), 404),
            "userId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":1,"requesterId":1})"), 400),
            "userId: user 1 owns group 10");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"userId":3,"requesterId":1,"blockDate":)" +
                             std::to_string(kStartMillis + 1) + "}"),
                    400),
            "blockDate: must not be in the future");
  storeBlocked(3, kCreated);
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"userId":3,"requesterId":2})"), 409),
            "userId: user 3 is blocked in group 10 already");
  EXPECT_EQ(blocked().at(0).requester_id, 1);
  EXPECT_TRUE(store_->groupMembers().find(10, 1).value().has_value());
}

TEST_F(GroupBlocklistRoutesTest, ListFiltersByKeysRequestersAndDates) {
  storeBlocked(3, kCreated, 1);
  storeBlocked(4, kCreated + 10, 2);
  const std::string path = "/groups/blocked-users";
  EXPECT_EQ(userIdsOf(dataOf(call("GET", path))), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(userIdsOf(dataOf(call("GET", path + "?requesterIds=2"))), std::vector<int64_t>{4});
  EXPECT_EQ(userIdsOf(dataOf(call("GET", path + "?groupIds=10&userIds=3,9"))),
            std::vector<int64_t>{3});
  EXPECT_EQ(userIdsOf(dataOf(call("GET", path + "?groupIds=11"))), std::vector<int64_t>{});
  EXPECT_EQ(
      userIdsOf(dataOf(call("GET", path + "?blockDateStart=" + std::to_string(kCreated + 1)))),
      std::vector<int64_t>{4});
  const json::value page = dataOf(call("GET", path + "/page?size=1"));
  EXPECT_EQ(page.at("total"), 2);
  EXPECT_EQ(userIdsOf(page.at("records")), std::vector<int64_t>{3});
}

TEST_F(GroupBlocklistRoutesTest, UpdateRewritesTheGivenFieldsAndMovesTheVersion) {
  storeBlocked(3, kCreated);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("PUT",
                        "/groups/blocked-users?keys[0].groupId=10&keys[0].userId=3&"
                        "keys[1].groupId=10&keys[1].userId=4",
                        R"({"requesterId":2,"blockDate":5})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(blocked().at(0), (GroupBlockedUserRecord{10, 3, 5, 2}));
  EXPECT_EQ(store_->groupBlocklist().findVersion(10).value(), kStartMillis + 5000);
  const std::string one = "/groups/blocked-users?keys[0].groupId=10&keys[0].userId=3";
  EXPECT_EQ(refusal(call("PUT", one, "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", one, R"({"requesterId":9})"), 404),
            "requesterId: user 9 does not exist");
}

TEST_F(GroupBlocklistRoutesTest, DeleteUnblocks) {
  storeBlocked(3, kCreated);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("DELETE",
                        "/groups/blocked-users?keys[0].groupId=10&keys[0].userId=3&"
                        "keys[1].groupId=10&keys[1].userId=4")),
            (json::value{{"deletedCount", 1}}));
  EXPECT_TRUE(blocked().empty());
  EXPECT_EQ(store_->groupBlocklist().findVersion(10).value(), kStartMillis + 5000);
  EXPECT_EQ(refusal(call("DELETE", "/groups/blocked-users"), 400).substr(0, 6), "keys: ");
}

}  // namespace
}  // namespace parley
