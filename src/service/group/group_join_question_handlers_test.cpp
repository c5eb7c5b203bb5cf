#include "service/group/group_join_question_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

constexpr int64_t kGroup = 7;
constexpr int64_t kOtherGroup = 8;
constexpr int64_t kOwner = 1;
constexpr int64_t kManager = 2;
constexpr int64_t kMember = 3;
constexpr int64_t kAnswerer = 5;
constexpr int64_t kStranger = 6;

struct NewQuestion {
  std::string question;
  std::vector<std::string> answers;
  int32_t score = 0;
};

// The real dispatcher over a real SQLite store: group 7 owned by 1, managed by 2, with member 3,
// of the DEFAULT type switched to the QUESTION join strategy; 5 and 6 are strangers. Group 8 is
// owned by 6.
class GroupJoinQuestionHandlersTest : public testing::ServiceTestFixture {
 protected:
  GroupJoinQuestionHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (int64_t id = 1; id <= 6; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_NO_FATAL_FAILURE(addGroup(
        kGroup, kOwner,
        {{kOwner, kGroupRoleOwner}, {kManager, kGroupRoleManager}, {kMember, kGroupRoleMember}}));
    ASSERT_NO_FATAL_FAILURE(addGroup(kOtherGroup, kStranger, {{kStranger, kGroupRoleOwner}}));
    ASSERT_NO_FATAL_FAILURE(
        updateGroupType(kDefaultGroupTypeId, {.join_strategy = GroupJoinStrategy::kQuestion}));
    registerGroupJoinQuestionHandlers(dispatcher_, deps());
  }

  HandlerResult create(int64_t requester, int64_t group_id,
                       const std::vector<NewQuestion>& questions) {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_create_group_join_questions_request();
    req->set_group_id(group_id);
    for (const NewQuestion& question : questions) {
      auto* added = req->add_questions();
      added->set_question(question.question);
      for (const std::string& answer : question.answers) added->add_answers(answer);
      added->set_score(question.score);
    }
    return dispatch(requester, request);
  }

  std::vector<int64_t> created(const std::vector<NewQuestion>& questions) {
    const HandlerResult result = create(kManager, kGroup, questions);
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    if (!result.data) return {};
    const auto& ids = result.data->longs_with_version().longs();
    return {ids.begin(), ids.end()};
  }

  HandlerResult answer(int64_t answerer, const std::map<int64_t, std::string>& answers) {
    clock_.advance(1);
    TurmsRequest request;
    auto* given = request.mutable_check_group_join_questions_answers_request()
                      ->mutable_question_id_to_answer();
    for (const auto& [id, text] : answers) (*given)[id] = text;
    return dispatch(answerer, request);
  }

  HandlerResult query(int64_t requester, bool with_answers,
                      std::optional<int64_t> since = std::nullopt) {
    TurmsRequest request;
    auto* req = request.mutable_query_group_join_questions_request();
    req->set_group_id(kGroup);
    req->set_with_answers(with_answers);
    if (since) req->set_last_updated_date(*since);
    return dispatch(requester, request);
  }

  HandlerResult remove(int64_t requester, int64_t group_id, const std::vector<int64_t>& ids) {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_delete_group_join_questions_request();
    req->set_group_id(group_id);
    for (const int64_t id : ids) req->add_question_ids(id);
    return dispatch(requester, request);
  }

  void setMinimumScore(int32_t score) {
    ASSERT_TRUE(
        store_->groups()
            .update(kGroup, {.minimum_score = score, .last_updated_date = clock_.nowMillis()})
            .ok());
  }

  bool isMember(int64_t user) {
    auto member = store_->groupMembers().find(kGroup, user);
    EXPECT_TRUE(member.ok());
    return member.ok() && member->has_value();
  }
};

TEST_F(GroupJoinQuestionHandlersTest, EnoughCorrectAnswersLetTheAnswererInAndEveryMemberHears) {
  const std::vector<int64_t> ids =
      created({{"2 + 2?", {"4", "four"}, 10}, {"Capital of France?", {"Paris"}, 5}});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_NO_FATAL_FAILURE(setMinimumScore(15));

  const HandlerResult one_wrong = answer(kAnswerer, {{ids[0], "four"}, {ids[1], "Lyon"}});
  ASSERT_EQ(one_wrong.status.code, StatusCode::kOk) << one_wrong.status.reason;
  const auto& short_of = one_wrong.data->group_join_question_answer_result();
  EXPECT_EQ(short_of.score(), 10);
  EXPECT_EQ(std::vector<int64_t>(short_of.question_ids().begin(), short_of.question_ids().end()),
            std::vector<int64_t>{ids[0]});
  EXPECT_FALSE(short_of.joined());
  EXPECT_TRUE(one_wrong.pushes.empty());
  EXPECT_FALSE(isMember(kAnswerer));

  const HandlerResult right = answer(kAnswerer, {{ids[0], "4"}, {ids[1], "Paris"}});
  ASSERT_EQ(right.status.code, StatusCode::kOk) << right.status.reason;
  const auto& joined = right.data->group_join_question_answer_result();
  EXPECT_EQ(joined.score(), 15);
  EXPECT_EQ(joined.question_ids_size(), 2);
  EXPECT_TRUE(joined.joined());
  EXPECT_TRUE(isMember(kAnswerer));
  ASSERT_EQ(right.pushes.size(), 1u);
  std::vector<int64_t> told = right.pushes[0].user_ids;
  std::sort(told.begin(), told.end());
  EXPECT_EQ(told, (std::vector<int64_t>{kOwner, kManager, kMember, kAnswerer}));
  ASSERT_TRUE(right.pushes[0].request.has_value());
  EXPECT_EQ(right.pushes[0].request->create_group_members_request().user_ids(0), kAnswerer);
  EXPECT_EQ(right.pushes[0].request->create_group_members_request().role(), pb::MEMBER);

  EXPECT_EQ(answer(kAnswerer, {{ids[0], "4"}}).status.code,
            StatusCode::kGroupMemberAnswerGroupQuestion);
}

TEST_F(GroupJoinQuestionHandlersTest, AnswersAreCheckedOnlyAgainstTheFirstQuestionsGroup) {
  const std::vector<int64_t> ids = created({{"Colour of the sky?", {"blue"}, 3}});
  ASSERT_NO_FATAL_FAILURE(setMinimumScore(4));
  EXPECT_EQ(answer(kAnswerer, {}).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(answer(kAnswerer, {{404, "blue"}}).status.code, StatusCode::kNoContent);
  // 404 is no question of the group: its answer counts for nothing.
  const HandlerResult unknown_too = answer(kAnswerer, {{ids[0], "blue"}, {ids[0] + 404, "x"}});
  ASSERT_EQ(unknown_too.status.code, StatusCode::kOk) << unknown_too.status.reason;
  EXPECT_EQ(unknown_too.data->group_join_question_answer_result().score(), 3);
  EXPECT_FALSE(unknown_too.data->group_join_question_answer_result().joined());
}

TEST_F(GroupJoinQuestionHandlersTest, AnswerersMustBeOutsidersOfALiveGroupThatAsksQuestions) {
  const std::vector<int64_t> ids = created({{"Colour of the sky?", {"blue"}, 3}});
  EXPECT_EQ(answer(kMember, {{ids[0], "blue"}}).status.code,
            StatusCode::kGroupMemberAnswerGroupQuestion);
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, kStranger, 1, kOwner}, 1).ok());
  EXPECT_EQ(answer(kStranger, {{ids[0], "blue"}}).status.code,
            StatusCode::kGroupQuestionAnswererHasBeenBlocked);
  updateGroupType(kDefaultGroupTypeId, {.join_strategy = GroupJoinStrategy::kJoinRequest});
  EXPECT_EQ(answer(kAnswerer, {{ids[0], "blue"}}).status.code,
            StatusCode::kAnswerInactiveGroupQuestion);
  updateGroupType(kDefaultGroupTypeId, {.join_strategy = GroupJoinStrategy::kQuestion});
  updateGroupType(kDefaultGroupTypeId, {.group_size_limit = 3});
  EXPECT_EQ(answer(kAnswerer, {{ids[0], "blue"}}).status.code,
            StatusCode::kAddUserToGroupWithSizeLimitReached);
  EXPECT_FALSE(isMember(kAnswerer));
  ASSERT_TRUE(store_->groups().softDelete(kGroup, clock_.nowMillis()).ok());
  EXPECT_EQ(answer(kAnswerer, {{ids[0], "blue"}}).status.code,
            StatusCode::kAnswerGroupQuestionOfInactiveGroup);
}

TEST_F(GroupJoinQuestionHandlersTest, OnlyOwnersAndManagersCreateAndOnlyUnderTheQuestionStrategy) {
  const NewQuestion question{"Colour of the sky?", {"blue", "azure", "blue"}, 3};
  EXPECT_EQ(create(kMember, kGroup, {question}).status.code,
            StatusCode::kNotGroupOwnerOrManagerToCreateGroupQuestion);
  EXPECT_EQ(create(kManager, kGroup, {{"no answers", {}, 3}}).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(create(kManager, kGroup, {{"negative", {"a"}, -1}}).status.code,
            StatusCode::kIllegalArgument);
  // Upstream's limits: 200 characters a question, 50 an answer, 10 answers.
  EXPECT_EQ(create(kManager, kGroup, {{std::string(201, 'q'), {"a"}, 1}}).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(create(kManager, kGroup, {{"q", {std::string(51, 'a')}, 1}}).status.code,
            StatusCode::kIllegalArgument);
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(std::to_string(i));
  EXPECT_EQ(create(kManager, kGroup, {{"q", eleven, 1}}).status.code, StatusCode::kIllegalArgument);
  const std::pair<GroupJoinStrategy, StatusCode> other_ways[] = {
      {GroupJoinStrategy::kMembershipRequest,
       StatusCode::kCreateGroupQuestionForGroupUsingMembershipRequest},
      {GroupJoinStrategy::kInvitation, StatusCode::kCreateGroupQuestionForGroupUsingInvitation},
      {GroupJoinStrategy::kJoinRequest, StatusCode::kCreateGroupQuestionForGroupUsingJoinRequest},
  };
  for (const auto& [strategy, code] : other_ways) {
    updateGroupType(kDefaultGroupTypeId, {.join_strategy = strategy});
    EXPECT_EQ(create(kOwner, kGroup, {question}).status.code, code);
  }
  updateGroupType(kDefaultGroupTypeId, {.join_strategy = GroupJoinStrategy::kQuestion});
  auto none = store_->groupJoinQuestions().findByGroup(kGroup);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  const std::vector<int64_t> ids = created({question});
  ASSERT_EQ(ids.size(), 1u);
  auto stored = store_->groupJoinQuestions().findById(ids[0]);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->group_id, kGroup);
  EXPECT_EQ((*stored)->answers, (std::vector<std::string>{"blue", "azure"}));
  EXPECT_EQ((*stored)->score, 3);

  ASSERT_TRUE(store_->groups().softDelete(kGroup, clock_.nowMillis()).ok());
  EXPECT_EQ(create(kOwner, kGroup, {question}).status.code,
            StatusCode::kCreateGroupQuestionForInactiveGroup);
}

TEST_F(GroupJoinQuestionHandlersTest,
       AnswersAreShownOnlyToOwnersAndManagersAndQueriesAreVersioned) {
  EXPECT_EQ(query(kStranger, false).status.code, StatusCode::kNoContent);
  const std::vector<int64_t> ids = created({{"Colour of the sky?", {"blue"}, 3}});
  const HandlerResult seen = query(kStranger, false);
  ASSERT_EQ(seen.status.code, StatusCode::kOk) << seen.status.reason;
  const auto& questions = seen.data->group_join_questions_with_version();
  ASSERT_EQ(questions.group_join_questions_size(), 1);
  EXPECT_EQ(questions.group_join_questions(0).id(), ids[0]);
  EXPECT_EQ(questions.group_join_questions(0).question(), "Colour of the sky?");
  EXPECT_EQ(questions.group_join_questions(0).score(), 3);
  EXPECT_EQ(questions.group_join_questions(0).answers_size(), 0);
  const int64_t version = questions.last_updated_date();
  EXPECT_EQ(version, clock_.nowMillis());

  EXPECT_EQ(query(kMember, true).status.code,
            StatusCode::kNotGroupOwnerOrManagerToQueryGroupQuestionAnswer);
  const HandlerResult with_answers = query(kManager, true);
  ASSERT_EQ(with_answers.status.code, StatusCode::kOk) << with_answers.status.reason;
  EXPECT_EQ(
      with_answers.data->group_join_questions_with_version().group_join_questions(0).answers(0),
      "blue");

  EXPECT_EQ(query(kStranger, false, version).status.code, StatusCode::kAlreadyUpToDate);
  ASSERT_EQ(remove(kOwner, kGroup, ids).status.code, StatusCode::kOk);
  EXPECT_EQ(query(kStranger, false, version).status.code, StatusCode::kNoContent);
}

TEST_F(GroupJoinQuestionHandlersTest, UpdatingChangesOnlyWhatIsGivenWithinTheLimits) {
  const std::vector<int64_t> ids = created({{"Colour of the sky?", {"blue"}, 3}});
  const auto update = [&](int64_t requester, int64_t id, std::optional<std::string> question,
                          std::vector<std::string> answers, std::optional<int32_t> score) {
    clock_.advance(1);
    TurmsRequest request;
    auto* req = request.mutable_update_group_join_question_request();
    req->set_question_id(id);
    if (question) req->set_question(*question);
    for (const std::string& answer : answers) req->add_answers(answer);
    if (score) req->set_score(*score);
    return dispatch(requester, request);
  };
  EXPECT_EQ(update(kMember, ids[0], "Sky?", {}, std::nullopt).status.code,
            StatusCode::kNotGroupOwnerOrManagerToUpdateGroupQuestion);
  EXPECT_EQ(update(kOwner, ids[0], std::nullopt, {}, -1).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(update(kOwner, ids[0], std::nullopt, {std::string(51, 'a')}, std::nullopt).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(update(kOwner, 404, "Sky?", {}, std::nullopt).status.code, StatusCode::kNoContent);
  EXPECT_EQ(update(kOwner, ids[0], std::nullopt, {}, std::nullopt).status.code, StatusCode::kOk);

  ASSERT_EQ(update(kOwner, ids[0], std::nullopt, {"grey", "blue"}, std::nullopt).status.code,
            StatusCode::kOk);
  auto stored = store_->groupJoinQuestions().findById(ids[0]);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->question, "Colour of the sky?");
  EXPECT_EQ((*stored)->answers, (std::vector<std::string>{"grey", "blue"}));
  EXPECT_EQ((*stored)->score, 3);
  ASSERT_EQ(update(kManager, ids[0], "Sky?", {}, 9).status.code, StatusCode::kOk);
  stored = store_->groupJoinQuestions().findById(ids[0]);
  EXPECT_EQ((*stored)->question, "Sky?");
  EXPECT_EQ((*stored)->score, 9);
}

TEST_F(GroupJoinQuestionHandlersTest, AManagerDeletesOnlyTheirOwnGroupsQuestions) {
  const std::vector<int64_t> ids = created({{"Colour of the sky?", {"blue"}, 3}});
  EXPECT_EQ(remove(kMember, kGroup, ids).status.code,
            StatusCode::kNotGroupOwnerOrManagerToDeleteGroupQuestion);
  // The owner of group 8 names group 8 and a question of group 7.
  EXPECT_EQ(remove(kStranger, kOtherGroup, ids).status.code, StatusCode::kOk);
  auto kept = store_->groupJoinQuestions().findById(ids[0]);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
  EXPECT_EQ(remove(kStranger, kGroup, {}).status.code, StatusCode::kOk);
  ASSERT_EQ(remove(kManager, kGroup, ids).status.code, StatusCode::kOk);
  auto gone = store_->groupJoinQuestions().findById(ids[0]);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

}  // namespace
}  // namespace parley
