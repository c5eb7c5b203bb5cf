#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"
#include "store/group_lifecycle.h"

namespace parley {
namespace {

namespace json = boost::json;

class GroupQuestionRoutesTest : public testing::AdminStoreTest {
 protected:
  static constexpr int64_t kCreated = kStartMillis - 1000;

  void SetUp() override {
    addUser(1);
    for (const int64_t group_id : {10, 11}) {
      GroupRecord group;
      group.id = group_id;
      group.creator_id = 1;
      group.owner_id = 1;
      group.creation_date = kCreated;
      group.last_updated_date = kCreated;
      group.members_last_updated_date = kCreated;
      ASSERT_TRUE(createGroupWithOwner(store_->groups(), store_->groupMembers(), group).ok());
    }
  }

  void storeQuestion(int64_t id, int64_t group_id) {
    const GroupJoinQuestionRecord question{.id = id,
                                           .group_id = group_id,
                                           .question = "q" + std::to_string(id),
                                           .answers = {"a", "b"},
                                           .score = 10};
    ASSERT_TRUE(store_->groupJoinQuestions().insertMany(std::span(&question, 1), kCreated).ok());
  }

  std::optional<GroupJoinQuestionRecord> question(int64_t id) {
    return store_->groupJoinQuestions().findById(id).value();
  }

  std::optional<int64_t> version(int64_t group_id = 10) {
    return store_->groupJoinQuestions().findVersion(group_id).value();
  }

  static std::vector<int64_t> idsOf(const json::value& records) {
    std::vector<int64_t> ids;
    for (const json::value& record : records.as_array()) ids.push_back(record.at("id").as_int64());
    return ids;
  }
};

TEST_F(GroupQuestionRoutesTest, CreateStoresTheQuestionWithDistinctAnswersAndMovesTheVersion) {
  clock_.advance(5000);
  const json::value data = dataOf(
      call("POST", "/groups/questions",
           R"({"groupId":10,"question":"colour?","answers":["red","blue","red"],"score":7})"));
  const int64_t id = data.at("id").as_int64();
  EXPECT_EQ(data, (json::value{{"id", id},
                               {"groupId", 10},
                               {"question", "colour?"},
                               {"answers", {"red", "blue"}},
                               {"score", 7}}));
  EXPECT_EQ(question(id), (GroupJoinQuestionRecord{.id = id,
                                                   .group_id = 10,
                                                   .question = "colour?",
                                                   .answers = {"red", "blue"},
                                                   .score = 7}));
  EXPECT_EQ(version(), kStartMillis + 5000);
}

TEST_F(GroupQuestionRoutesTest, CreateRefusesMissingFieldsBadValuesAndUnknownGroups) {
  const std::string path = "/groups/questions";
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"answers":["a"],"score":1})"), 400),
            "question: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"question":"q","score":1})"), 400),
            "answers: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"question":"q","answers":["a"]})"), 400),
            "score: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"question":"q","answers":["a"],"score":1})"), 400),
            "groupId: required");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"question":"q","answers":[],"score":1})"), 400),
      "answers: at least one answer");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"question":"q","answers":["a","b","c","d"],"score":1})"),
                    400),
            "answers: at most 3");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"question":"q","answers":["abcdef"],"score":1})"),
              400),
      "answers: each at most 5 characters");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"question":"q","answers":[1],"score":1})"), 400),
      "answers: must be an array of strings");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"question":"123456789012345678901","answers":["a"],)"
                         R"("score":1})"),
                    400),
            "question: at most 20 characters");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"question":"q","answers":["a"],"score":-1})"),
              400),
      "score: must not be negative");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"question":"q","answers":["a"],"score":1,"x":1})"),
                    400),
            "x: unknown field");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":99,"question":"q","answers":["a"],"score":1})"),
              404),
      "groupId: group 99 does not exist");
  EXPECT_TRUE(store_->groupJoinQuestions().findByGroup(10).value().empty());
  EXPECT_EQ(version(), std::nullopt);
}

TEST_F(GroupQuestionRoutesTest, ListFiltersByIdsAndGroupsAndPages) {
  storeQuestion(3, 10);
  storeQuestion(1, 11);
  storeQuestion(2, 10);
  const std::string path = "/groups/questions";
  EXPECT_EQ(idsOf(dataOf(call("GET", path))), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?groupIds=10"))), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?ids=1,3&groupIds=10"))), std::vector<int64_t>{3});
  EXPECT_EQ(dataOf(call("GET", path + "?ids=1")).at(0).at("answers"), (json::value{"a", "b"}));
  const json::value page = dataOf(call("GET", path + "/page?size=2&page=1"));
  EXPECT_EQ(page.at("total"), 3);
  EXPECT_EQ(idsOf(page.at("records")), std::vector<int64_t>{3});
  EXPECT_EQ(refusal(call("GET", path + "?ids=x"), 400),
            "ids: must be a comma-separated list of integers");
}

TEST_F(GroupQuestionRoutesTest, UpdateChangesTheGivenFieldsOfEachQuestionAndMovesVersions) {
  storeQuestion(1, 10);
  storeQuestion(2, 11);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("PUT", "/groups/questions?ids=1,2,404", R"({"answers":["x","x","y"]})")),
            (json::value{{"updatedCount", 2}}));
  EXPECT_EQ(question(1)->answers, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(question(2)->answers, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(question(1)->question, "q1");
  EXPECT_EQ(version(10), kStartMillis + 5000);
  EXPECT_EQ(version(11), kStartMillis + 5000);

  EXPECT_EQ(dataOf(call("PUT", "/groups/questions?ids=1", R"({"groupId":10,"score":3})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(question(1)->score, 3);
}

TEST_F(GroupQuestionRoutesTest, UpdateRefusesEmptyBodiesBadValuesAndMovesBetweenGroups) {
  storeQuestion(1, 10);
  const std::string one = "/groups/questions?ids=1";
  EXPECT_EQ(refusal(call("PUT", one, "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/groups/questions", R"({"score":1})"), 400), "ids: required");
  EXPECT_EQ(refusal(call("PUT", one, R"({"answers":[]})"), 400), "answers: at least one answer");
  EXPECT_EQ(refusal(call("PUT", one, R"({"groupId":11,"score":1})"), 400),
            "groupId: question 1 belongs to group 10; a question cannot move to another group");
  EXPECT_EQ(question(1)->score, 10);
  EXPECT_EQ(version(), kCreated);
}

TEST_F(GroupQuestionRoutesTest, DeleteRemovesTheGivenQuestionsOfAnyGroup) {
  storeQuestion(1, 10);
  storeQuestion(2, 11);
  storeQuestion(3, 10);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("DELETE", "/groups/questions?ids=1,2,404")),
            (json::value{{"deletedCount", 2}}));
  EXPECT_EQ(question(1), std::nullopt);
  EXPECT_EQ(question(2), std::nullopt);
  EXPECT_TRUE(question(3).has_value());
  EXPECT_EQ(version(10), kStartMillis + 5000);
  EXPECT_EQ(version(11), kStartMillis + 5000);
  EXPECT_EQ(refusal(call("DELETE", "/groups/questions"), 400), "ids: required");
}

}  // namespace
}  // namespace parley
