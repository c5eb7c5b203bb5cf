#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class RelationshipRoutesTest : public testing::AdminStoreTest {
 protected:
  void SetUp() override {
    for (const int64_t id : {1, 2, 3, 4}) addUser(id);
  }

  void relate(int64_t owner_id, int64_t related_user_id, const std::string& extra = "") {
    const AdminResponse created =
        call("POST", "/users/relationships",
             R"({"ownerId":)" + std::to_string(owner_id) + R"(,"relatedUserId":)" +
                 std::to_string(related_user_id) + extra + "}");
    ASSERT_EQ(created.status, 200) << created.body;
  }

  std::optional<RelationshipRecord> stored(int64_t owner_id, int64_t related_user_id) {
    auto found = store_->relationships().find(owner_id, related_user_id);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }

  static std::vector<std::string> keysOf(const json::value& records) {
    std::vector<std::string> keys;
    for (const json::value& record : records.as_array()) {
      keys.push_back(std::to_string(record.at("key").at("ownerId").as_int64()) + "->" +
                     std::to_string(record.at("key").at("relatedUserId").as_int64()));
    }
    return keys;
  }
};

TEST_F(RelationshipRoutesTest, CreateStoresAOneSidedRelationshipInTheDefaultGroup) {
  const AdminResponse created = call("POST", "/users/relationships", R"({
      "ownerId": 1, "relatedUserId": "2", "name": "bob", "blockDate": 1749999990000})");
  EXPECT_EQ(dataOf(created), (json::value{{"key", {{"ownerId", 1}, {"relatedUserId", 2}}},
                                          {"name", "bob"},
                                          {"blockDate", 1'749'999'990'000},
                                          {"establishmentDate", kStartMillis},
                                          {"groupIndexes", json::array{0}}}));
  const std::optional<RelationshipRecord> relationship = stored(1, 2);
  ASSERT_TRUE(relationship.has_value());
  EXPECT_EQ(relationship->name, "bob");
  EXPECT_EQ(relationship->block_date, 1'749'999'990'000);
  EXPECT_EQ(relationship->group_indexes, std::vector<int32_t>{0});
  EXPECT_FALSE(stored(2, 1).has_value());
  // Versioned client queries see it.
  EXPECT_EQ(store_->relationships().findVersion(1).value(), kStartMillis);
}

TEST_F(RelationshipRoutesTest, CreateRefusesBadInputWithTheField) {
  EXPECT_EQ(refusal(call("POST", "/users/relationships", R"({"relatedUserId":2})"), 400),
            "ownerId: required");
  EXPECT_EQ(
      refusal(call("POST", "/users/relationships", R"({"ownerId":1,"relatedUserId":1})"), 400),
      "relatedUserId: a user cannot have a relationship with oneself");
  EXPECT_EQ(
      refusal(call("POST", "/users/relationships", R"({"ownerId":1,"relatedUserId":"x"})"), 400),
      "relatedUserId: must be a 64-bit integer");
  EXPECT_EQ(refusal(call("POST", "/users/relationships",
                         R"({"ownerId":1,"relatedUserId":2,"establishmentDate":1750000000001})"),
                    400),
            "establishmentDate: must not be in the future");
  EXPECT_EQ(refusal(call("POST", "/users/relationships", R"({"ownerId":1,"groupIndex":3})"), 400),
            "groupIndex: unknown field");
  EXPECT_EQ(refusal(call("POST", "/users/relationships", "[1]"), 400),
            "body: must be a JSON object");
  EXPECT_FALSE(stored(1, 2).has_value());
}

TEST_F(RelationshipRoutesTest, CreateNeedsBothUsersAndANewPair) {
  EXPECT_EQ(
      refusal(call("POST", "/users/relationships", R"({"ownerId":1,"relatedUserId":99})"), 404),
      "relatedUserId: user 99 does not exist");
  EXPECT_EQ(
      refusal(call("POST", "/users/relationships", R"({"ownerId":98,"relatedUserId":1})"), 404),
      "ownerId: user 98 does not exist");
  relate(1, 2);
  const AdminResponse again =
      call("POST", "/users/relationships", R"({"ownerId":1,"relatedUserId":2,"name":"x"})");
  EXPECT_EQ(refusal(again, 409), "relationship 1 -> 2 already exists");
  EXPECT_EQ(bodyOf(again).at("code"), 2501);  // CREATE_EXISTING_RELATIONSHIP
  EXPECT_EQ(stored(1, 2)->name, "");
}

TEST_F(RelationshipRoutesTest, ListFiltersAcrossOwners) {
  relate(1, 2);
  relate(1, 3, R"(,"blockDate":1749999999000)");
  relate(2, 1);
  relate(3, 4);
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships"))),
            (std::vector<std::string>{"1->2", "1->3", "2->1", "3->4"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships?ownerIds=1,3"))),
            (std::vector<std::string>{"1->2", "1->3", "3->4"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships?ownerIds=1&isBlocked=true"))),
            (std::vector<std::string>{"1->3"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships?relatedUserIds=1&relatedUserIds=4"))),
            (std::vector<std::string>{"2->1", "3->4"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships?groupIndexes=0&size=2"))),
            (std::vector<std::string>{"1->2", "1->3"}));
  EXPECT_TRUE(dataOf(call("GET", "/users/relationships?groupIndexes=5")).as_array().empty());
  clock_.advance(1000);
  relate(4, 1);
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships?establishmentDateStart=" +
                                          std::to_string(kStartMillis + 1)))),
            (std::vector<std::string>{"4->1"}));
  EXPECT_EQ(keysOf(dataOf(call("GET", "/users/relationships?establishmentDateEnd=" +
                                          std::to_string(kStartMillis) + "&ownerIds=4"))),
            std::vector<std::string>{});
}

TEST_F(RelationshipRoutesTest, GroupIndexesOnlyWhenAskedFor) {
  relate(1, 2);
  const json::value plain = dataOf(call("GET", "/users/relationships"));
  EXPECT_TRUE(plain.at(0).at("groupIndexes").is_null());
  const json::value with = dataOf(call("GET", "/users/relationships?withGroupIndexes=true"));
  EXPECT_EQ(with.at(0).at("groupIndexes"), json::array{0});
}

TEST_F(RelationshipRoutesTest, PageFormCountsEveryMatch) {
  for (const int64_t related : {2, 3, 4}) relate(1, related);
  relate(2, 1);
  const json::value first = dataOf(call("GET", "/users/relationships/page?ownerIds=1&size=2"));
  EXPECT_EQ(first.at("total"), 3);
  EXPECT_EQ(keysOf(first.at("records")), (std::vector<std::string>{"1->2", "1->3"}));
  const json::value second =
      dataOf(call("GET", "/users/relationships/page?ownerIds=1&size=2&page=1"));
  EXPECT_EQ(second.at("total"), 3);
  EXPECT_EQ(keysOf(second.at("records")), (std::vector<std::string>{"1->4"}));
  const json::value beyond = dataOf(call("GET", "/users/relationships/page?page=9"));
  EXPECT_EQ(beyond.at("total"), 4);
  EXPECT_TRUE(beyond.at("records").as_array().empty());
}

TEST_F(RelationshipRoutesTest, ListRefusesBadParameters) {
  EXPECT_EQ(refusal(call("GET", "/users/relationships?ownerIds=1,x"), 400),
            "ownerIds: must be a comma-separated list of integers");
  EXPECT_EQ(refusal(call("GET", "/users/relationships?isBlocked=yes"), 400),
            "isBlocked: must be true or false");
  EXPECT_EQ(refusal(call("GET", "/users/relationships?groupIndexes=4294967296"), 400),
            "groupIndexes: must be 32-bit integers");
  EXPECT_EQ(refusal(call("GET", "/users/relationships?size=0"), 400),
            "size: must be an integer from 1 to 1000");
  EXPECT_EQ(refusal(call("GET", "/users/relationships/page?page=-1"), 400).substr(0, 30),
            "page: must be an integer from ");
  EXPECT_EQ(refusal(call("GET", "/users/relationships?establishmentDateStart=today"), 400),
            "establishmentDateStart: must be a date in Unix milliseconds");
}

TEST_F(RelationshipRoutesTest, UpdateChangesTheGivenFieldsOfExistingKeys) {
  relate(1, 2, R"(,"name":"old")");
  relate(1, 3);
  clock_.advance(5000);
  const AdminResponse updated =
      call("PUT",
           "/users/relationships?keys[0].ownerId=1&keys[0].relatedUserId=2"
           "&keys%5B1%5D.ownerId=1&keys%5B1%5D.relatedUserId=4",
           R"({"name":"new","blockDate":1750000001000})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 1}}));
  const std::optional<RelationshipRecord> relationship = stored(1, 2);
  EXPECT_EQ(relationship->name, "new");
  EXPECT_EQ(relationship->block_date, 1'750'000'001'000);
  EXPECT_EQ(relationship->establishment_date, kStartMillis);
  EXPECT_EQ(relationship->group_indexes, std::vector<int32_t>{0});
  EXPECT_EQ(stored(1, 3)->name, "");
  EXPECT_FALSE(stored(1, 4).has_value());  // not created
  EXPECT_EQ(store_->relationships().findVersion(1).value(), kStartMillis + 5000);
}

TEST_F(RelationshipRoutesTest, UpdateAndDeleteRefuseBadKeys) {
  EXPECT_EQ(refusal(call("PUT", "/users/relationships", R"({"name":"x"})"), 400),
            "keys: required, as keys[0].ownerId, keys[0].relatedUserId");
  EXPECT_EQ(refusal(call("PUT", "/users/relationships?keys[0].ownerId=1", R"({"name":"x"})"), 400),
            "keys[0]: needs keys[0].ownerId, keys[0].relatedUserId");
  EXPECT_EQ(refusal(call("DELETE", "/users/relationships?keys[0].owner=1"), 400),
            "keys[0].owner: unknown key parameter; send keys[0].ownerId, keys[0].relatedUserId");
  EXPECT_EQ(
      refusal(call("DELETE", "/users/relationships?keys[0].ownerId=1&keys[0].relatedUserId=z"),
              400),
      "keys[0].relatedUserId: must be an integer");
  EXPECT_EQ(
      refusal(call("PUT", "/users/relationships?keys[0].ownerId=1&keys[0].relatedUserId=2", "{}"),
              400),
      "body: no field to update");
}

TEST_F(RelationshipRoutesTest, DeleteRemovesTheKeysGiven) {
  relate(1, 2);
  relate(1, 3);
  relate(2, 1);
  clock_.advance(5000);
  const AdminResponse deleted =
      call("DELETE",
           "/users/relationships?keys[0].ownerId=1&keys[0].relatedUserId=2"
           "&keys[1].ownerId=2&keys[1].relatedUserId=1"
           "&keys[2].ownerId=3&keys[2].relatedUserId=1");
  EXPECT_EQ(dataOf(deleted), (json::value{{"deletedCount", 2}}));
  EXPECT_FALSE(stored(1, 2).has_value());
  EXPECT_FALSE(stored(2, 1).has_value());
  EXPECT_TRUE(stored(1, 3).has_value());
  EXPECT_EQ(store_->relationships().findVersion(2).value(), kStartMillis + 5000);
}

TEST_F(RelationshipRoutesTest, EveryRouteNeedsCredentials) {
  for (const char* method : {"POST", "GET", "PUT", "DELETE"}) {
    AdminRequest request;
    ASSERT_TRUE(parseRequestTarget("/users/relationships", request));
    request.method = method;
    EXPECT_EQ(routes_.handle(request).status, 401) << method;
  }
}

}  // namespace
}  // namespace parley
