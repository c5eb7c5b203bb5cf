#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class RelationshipGroupRoutesTest : public testing::AdminStoreTest {
 protected:
  void SetUp() override {
    for (const int64_t id : {1, 2, 3}) addUser(id);
  }

  void addGroup(int64_t owner_id, int32_t index, const std::string& name) {
    const AdminResponse created =
        call("POST", "/users/relationships/groups",
             R"({"ownerId":)" + std::to_string(owner_id) + R"(,"index":)" + std::to_string(index) +
                 R"(,"name":")" + name + R"("})");
    ASSERT_EQ(created.status, 200) << created.body;
  }

  std::vector<RelationshipGroupRecord> groupsOf(int64_t owner_id) {
    auto found = store_->relationshipGroups().findAll(owner_id);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::vector<RelationshipGroupRecord>{};
  }

  static std::vector<std::string> keysOf(const json::value& records) {
    std::vector<std::string> keys;
    for (const json::value& record : records.as_array()) {
      keys.push_back(std::to_string(record.at("key").at("ownerId").as_int64()) + "/" +
                     std::to_string(record.at("key").at("groupIndex").as_int64()));
    }
    return keys;
  }
};

TEST_F(RelationshipGroupRoutesTest, CreateWithAnIndexStoresThatGroup) {
  const AdminResponse created = call("POST", "/users/relationships/groups",
                                     R"({"ownerId":1,"index":7,"name":"work",
                                         "creationDate":1749999000000})");
  EXPECT_EQ(dataOf(created), (json::value{{"key", {{"ownerId", 1}, {"groupIndex", 7}}},
                                          {"name", "work"},
                                          {"creationDate", 1'749'999'000'000}}));
  EXPECT_EQ(groupsOf(1), (std::vector<RelationshipGroupRecord>{{1, 0, "", 0},
                                                               {1, 7, "work", 1'749'999'000'000}}));
  // Versioned client queries see it.
  EXPECT_EQ(store_->relationshipGroups().findVersion(1).value(), kStartMillis);
}

TEST_F(RelationshipGroupRoutesTest, CreateWithoutAnIndexPicksAFreePositiveOne) {
  const json::value data =
      dataOf(call("POST", "/users/relationships/groups", R"({"ownerId":1,"name":"friends"})"));
  const int64_t index = data.at("key").at("groupIndex").as_int64();
  EXPECT_GT(index, 0);
  EXPECT_EQ(data.at("creationDate"), kStartMillis);
  const std::vector<RelationshipGroupRecord> groups = groupsOf(1);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].index, index);
  EXPECT_EQ(groups[1].name, "friends");
}

TEST_F(RelationshipGroupRoutesTest, CreateRefusesTakenIndexesMissingOwnersAndBadInput) {
  addGroup(1, 7, "work");
  EXPECT_EQ(refusal(call("POST", "/users/relationships/groups",
                         R"({"ownerId":1,"index":7,"name":"again"})"),
                    409),
            "index: user 1 already has group 7");
  EXPECT_EQ(refusal(call("POST", "/users/relationships/groups",
                         R"({"ownerId":1,"index":0,"name":"default"})"),
                    409),
            "index: user 1 already has group 0");
  EXPECT_EQ(groupsOf(1)[1].name, "work");
  EXPECT_EQ(
      refusal(call("POST", "/users/relationships/groups", R"({"ownerId":9,"name":"x"})"), 404),
      "ownerId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", "/users/relationships/groups", R"({"ownerId":1})"), 400),
            "name: required");
  EXPECT_EQ(refusal(call("POST", "/users/relationships/groups",
                         R"({"ownerId":1,"name":"x","index":2147483648})"),
                    400),
            "index: must be a 32-bit integer");
}

TEST_F(RelationshipGroupRoutesTest, ListFiltersAndPages) {
  addGroup(1, 7, "work");
  addGroup(1, 3, "family");
  clock_.advance(1000);
  addGroup(2, 5, "work");
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships/groups"))),
            (std::vector<std::string>{"1/3", "1/7", "2/5"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships/groups?names=work"))),
            (std::vector<std::string>{"1/7", "2/5"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships/groups?ownerIds=1&indexes=7,5"))),
            (std::vector<std::string>{"1/7"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships/groups?creationDateStart=" +
                                          std::to_string(kStartMillis + 1)))),
            (std::vector<std::string>{"2/5"}));
  const json::value page = dataOf(call("GET", "/users/relationships/groups/page?size=2&page=1"));
  EXPECT_EQ(page.at("total"), 3);
  EXPECT_EQ(keysOf(page.at("records")), (std::vector<std::string>{"2/5"}));
  EXPECT_EQ(refusal(call("GET", "/users/relationships/groups?indexes=a"), 400),
            "indexes: must be a comma-separated list of integers");
}

TEST_F(RelationshipGroupRoutesTest, UpdateRenamesExistingGroups) {
  addGroup(1, 7, "work");
  clock_.advance(5000);
  const AdminResponse updated = call("PUT",
                                     "/users/relationships/groups?keys[0].ownerId=1&keys[0]."
                                     "groupIndex=7&keys[1].ownerId=1&keys[1].groupIndex=8",
                                     R"({"name":"office"})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(groupsOf(1)[1].name, "office");
  EXPECT_EQ(store_->relationshipGroups().findVersion(1).value(), kStartMillis + 5000);
  // The default group can be renamed, as by its owner.
  EXPECT_EQ(dataOf(call("PUT", "/users/relationships/groups?keys[0].ownerId=2&keys[0].groupIndex=0",
                        R"({"name":"everyone"})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(groupsOf(2)[0].name, "everyone");
  EXPECT_EQ(
      refusal(call("PUT", "/users/relationships/groups?keys[0].ownerId=1&keys[0].groupIndex=7",
                   R"({"creationDate":1})"),
              400),
      "creationDate: cannot be changed");
  EXPECT_EQ(
      refusal(call("PUT", "/users/relationships/groups?keys[0].ownerId=1&keys[0].groupIndex=7",
                   R"({})"),
              400),
      "body: no field to update");
}

TEST_F(RelationshipGroupRoutesTest, DeleteMovesMembersToTheDefaultGroup) {
  addGroup(1, 7, "work");
  RelationshipRecord relationship;
  relationship.owner_id = 1;
  relationship.related_user_id = 2;
  relationship.establishment_date = kStartMillis;
  relationship.group_indexes = {7};
  ASSERT_TRUE(store_->relationships().insert(relationship, kStartMillis).ok());
  clock_.advance(5000);
  const AdminResponse deleted = call("DELETE",
                                     "/users/relationships/groups?keys[0].ownerId=1&keys[0]."
                                     "groupIndex=7&keys[1].ownerId=1&keys[1].groupIndex=9");
  EXPECT_EQ(dataOf(deleted), (json::value{{"deletedCount", 1}}));
  EXPECT_EQ(groupsOf(1).size(), 1u);
  EXPECT_EQ(store_->relationships().find(1, 2).value()->group_indexes, std::vector<int32_t>{0});
  EXPECT_EQ(store_->relationshipGroups().findVersion(1).value(), kStartMillis + 5000);
}

TEST_F(RelationshipGroupRoutesTest, DeleteRefusesTheDefaultGroupAndMissingKeys) {
  EXPECT_EQ(refusal(call("DELETE",
                         "/users/relationships/groups?keys[0].ownerId=1&keys[0]."
                         "groupIndex=0"),
                    400),
            "keys: the default relationship group (0) cannot be deleted");
  EXPECT_EQ(refusal(call("DELETE", "/users/relationships/groups"), 400),
            "keys: required, as keys[0].ownerId, keys[0].groupIndex");
}

}  // namespace
}  // namespace parley
