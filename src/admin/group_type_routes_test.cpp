#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

constexpr char kNewType[] = R"({"name":"big","groupSizeLimit":2000,
    "invitationStrategy":"OWNER","joinStrategy":"QUESTION","groupInfoUpdateStrategy":"ALL",
    "memberInfoUpdateStrategy":"OWNER_MANAGER_MEMBER","guestSpeakable":true,
    "selfInfoUpdatable":false,"enableReadReceipt":false,"messageEditable":true})";

class GroupTypeRoutesTest : public testing::AdminStoreTest {
 protected:
  // Creates kNewType renamed and returns its id.
  int64_t addType(const std::string& name) {
    json::object body = json::parse(kNewType).as_object();
    body["name"] = name;
    const AdminResponse created = call("POST", "/groups/types", json::serialize(body));
    EXPECT_EQ(created.status, 200) << created.body;
    return created.status == 200 ? dataOf(created).at("id").as_int64() : 0;
  }

  std::vector<int64_t> storedIds() {
    const Result<std::vector<GroupTypeRecord>> types = store_->groupTypes().findAll(0, 100);
    EXPECT_TRUE(types.ok()) << types.status().reason;
    std::vector<int64_t> ids;
    if (types.ok()) {
      for (const GroupTypeRecord& type : *types) ids.push_back(type.id);
    }
    return ids;
  }
};

TEST_F(GroupTypeRoutesTest, TheDefaultTypeIsListedAsUpstreamPrintsIt) {
  const json::value listed = dataOf(call("GET", "/groups/types"));
  EXPECT_EQ(listed, (json::array{{{"id", 0},
                                  {"name", "DEFAULT"},
                                  {"groupSizeLimit", 500},
                                  {"invitationStrategy", "OWNER_MANAGER_MEMBER_REQUIRING_APPROVAL"},
                                  {"joinStrategy", "INVITATION"},
                                  {"groupInfoUpdateStrategy", "OWNER_MANAGER"},
                                  {"memberInfoUpdateStrategy", "OWNER_MANAGER"},
                                  {"guestSpeakable", false},
                                  {"selfInfoUpdatable", true},
                                  {"enableReadReceipt", true},
                                  {"messageEditable", true}}}));
}

TEST_F(GroupTypeRoutesTest, CreateStoresEveryFieldUnderANewId) {
  const AdminResponse created = call("POST", "/groups/types", kNewType);
  const json::value data = dataOf(created);
  const int64_t id = data.at("id").as_int64();
  EXPECT_GT(id, 0);
  EXPECT_EQ(data.at("name"), "big");
  EXPECT_EQ(data.at("invitationStrategy"), "OWNER");
  EXPECT_EQ(group_types_changes_, 1);
  const GroupTypeRecord expected{
      .id = id,
      .name = "big",
      .group_size_limit = 2000,
      .invitation_strategy = GroupInvitationStrategy::kOwner,
      .join_strategy = GroupJoinStrategy::kQuestion,
      .group_info_update_strategy = GroupUpdateStrategy::kAll,
      .member_info_update_strategy = GroupUpdateStrategy::kOwnerManagerMember,
      .guest_speakable = true,
      .self_info_updatable = false,
      .enable_read_receipt = false,
      .message_editable = true};
  EXPECT_EQ(store_->groupTypes().findById(id).value(), expected);
  EXPECT_NE(addType("other"), id);
}

TEST_F(GroupTypeRoutesTest, StrategiesMayBeGivenByNumber) {
  json::object body = json::parse(kNewType).as_object();
  body["invitationStrategy"] = 4;
  body["joinStrategy"] = 0;
  const int64_t id =
      dataOf(call("POST", "/groups/types", json::serialize(body))).at("id").as_int64();
  const GroupTypeRecord stored = *store_->groupTypes().findById(id).value();
  EXPECT_EQ(stored.invitation_strategy, GroupInvitationStrategy::kAll);
  EXPECT_EQ(stored.join_strategy, GroupJoinStrategy::kMembershipRequest);
}

TEST_F(GroupTypeRoutesTest, CreateRefusesMissingAndBadFields) {
  json::object missing = json::parse(kNewType).as_object();
  missing.erase("messageEditable");
  EXPECT_EQ(refusal(call("POST", "/groups/types", json::serialize(missing)), 400),
            "messageEditable: required");
  struct Case {
    const char* field;
    json::value value;
    const char* reason;
  };
  const Case cases[] = {
      {"name", "two words", "name: must not contain whitespace"},
      {"groupSizeLimit", 0, "groupSizeLimit: must be at least 1"},
      {"joinStrategy", "BY_MAGIC",
       "joinStrategy: must be one of MEMBERSHIP_REQUEST, INVITATION, QUESTION, JOIN_REQUEST"},
      {"guestSpeakable", "yes", "guestSpeakable: must be true or false"},
      {"id", 5, "id: unknown field"},
  };
  for (const Case& bad : cases) {
    json::object body = json::parse(kNewType).as_object();
    body[bad.field] = bad.value;
    EXPECT_EQ(refusal(call("POST", "/groups/types", json::serialize(body)), 400), bad.reason)
        << bad.field;
  }
  EXPECT_EQ(storedIds(), std::vector<int64_t>{0});
  EXPECT_EQ(group_types_changes_, 0);
}

TEST_F(GroupTypeRoutesTest, ListingsPageInIdOrder) {
  const int64_t first = addType("a");
  const int64_t second = addType("b");
  const json::value page = dataOf(call("GET", "/groups/types/page?page=1&size=2"));
  EXPECT_EQ(page.at("total"), 3);
  ASSERT_EQ(page.at("records").as_array().size(), 1u);
  EXPECT_EQ(page.at("records").at(0).at("id"), second);
  const json::value listed = dataOf(call("GET", "/groups/types?size=2"));
  ASSERT_EQ(listed.as_array().size(), 2u);
  EXPECT_EQ(listed.at(0).at("id"), 0);
  EXPECT_EQ(listed.at(1).at("id"), first);
}

TEST_F(GroupTypeRoutesTest, UpdateChangesTheGivenFieldsOfTheGivenTypes) {
  const int64_t first = addType("a");
  const int64_t second = addType("b");
  const AdminResponse updated =
      call("PUT", "/groups/types?ids=0," + std::to_string(first) + ",404",
           R"({"groupSizeLimit":1000,"joinStrategy":"MEMBERSHIP_REQUEST"})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 2}}));
  EXPECT_EQ(group_types_changes_, 3);
  const GroupTypeRecord default_type = *store_->groupTypes().findById(0).value();
  EXPECT_EQ(default_type.group_size_limit, 1000);
  EXPECT_EQ(default_type.join_strategy, GroupJoinStrategy::kMembershipRequest);
  EXPECT_EQ(default_type.name, "DEFAULT");
  EXPECT_EQ(store_->groupTypes().findById(first).value()->group_size_limit, 1000);
  EXPECT_EQ(store_->groupTypes().findById(second).value()->group_size_limit, 2000);

  EXPECT_EQ(refusal(call("PUT", "/groups/types?ids=0", "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/groups/types", R"({"name":"x"})"), 400), "ids: required");
  EXPECT_EQ(refusal(call("PUT", "/groups/types?ids=0", R"({"name":"a b"})"), 400),
            "name: must not contain whitespace");
}

TEST_F(GroupTypeRoutesTest, DeleteRemovesTypesButNeverTheDefaultOne) {
  const int64_t first = addType("a");
  const int64_t second = addType("b");
  EXPECT_EQ(refusal(call("DELETE", "/groups/types?ids=" + std::to_string(first) + ",0"), 400),
            "The default group type cannot be deleted");
  EXPECT_EQ(storedIds(), (std::vector<int64_t>{0, first, second}));
  EXPECT_EQ(refusal(call("DELETE", "/groups/types"), 400), "ids: required");

  const AdminResponse deleted =
      call("DELETE", "/groups/types?ids=" + std::to_string(first) + ",404");
  EXPECT_EQ(dataOf(deleted), (json::value{{"deletedCount", 1}}));
  EXPECT_EQ(storedIds(), (std::vector<int64_t>{0, second}));
  EXPECT_EQ(group_types_changes_, 3);
}

TEST_F(GroupTypeRoutesTest, EveryRouteNeedsThePassword) {
  AdminRequest request;
  ASSERT_TRUE(parseRequestTarget("/groups/types", request));
  request.method = "GET";
  EXPECT_EQ(routes_.handle(request).status, 401);
}

}  // namespace
}  // namespace parley
