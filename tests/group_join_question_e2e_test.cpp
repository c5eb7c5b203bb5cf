// Group join questions through real sockets, on SQLite and on MongoDB (FerretDB): an owner asks a
// question of a group of the demo type "question" that needs a score of 5; a stranger reads it,
// answers wrongly, then rightly, joins at once, the owner hears of the new member, and the new
// member can send to the group.
#include <gtest/gtest.h>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

using requests::kRequestTimeout;
using requests::loggedIn;

constexpr int64_t kOwner = 1;
constexpr int64_t kAnswerer = 9;

class GroupJoinQuestionTest : public SharedParleyOnBackend<GroupJoinQuestionTest> {
 public:
  static ParleyOptions parleyOptions() { return {.demo_user_count = 20}; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, GroupJoinQuestionTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, GroupJoinQuestionTest, ::testing::Values(Backend::kMongo));

TEST_P(GroupJoinQuestionTest, AStrangerAnswersRightlyAndIsInAtOnce) {
  auto owner = loggedIn(*parley_, kOwner);
  pb::TurmsRequest create_group;
  create_group.mutable_create_group_request()->set_name("quiz");
  create_group.mutable_create_group_request()->set_type_id(requests::kQuestionGroupTypeId);
  create_group.mutable_create_group_request()->set_min_score(5);
  const auto group_created = owner->request(create_group, kRequestTimeout);
  ASSERT_EQ(group_created.code(), 1000);
  const int64_t group = group_created.data().long_();

  pb::TurmsRequest ask;
  ask.mutable_create_group_join_questions_request()->set_group_id(group);
  auto* question = ask.mutable_create_group_join_questions_request()->add_questions();
  question->set_question("2 + 3?");
  question->add_answers("5");
  question->add_answers("five");
  question->set_score(5);
  const auto asked = owner->request(ask, kRequestTimeout);
  ASSERT_EQ(asked.code(), 1000);
  ASSERT_EQ(asked.data().longs_with_version().longs_size(), 1);
  const int64_t question_id = asked.data().longs_with_version().longs(0);

  auto answerer = loggedIn(*parley_, kAnswerer);
  pb::TurmsRequest read;
  read.mutable_query_group_join_questions_request()->set_group_id(group);
  const auto questions = answerer->request(read, kRequestTimeout);
  ASSERT_EQ(questions.code(), 1000);
  const auto& listed = questions.data().group_join_questions_with_version();
  ASSERT_EQ(listed.group_join_questions_size(), 1);
  EXPECT_EQ(listed.group_join_questions(0).question(), "2 + 3?");
  EXPECT_EQ(listed.group_join_questions(0).answers_size(), 0);
  read.mutable_query_group_join_questions_request()->set_with_answers(true);
  EXPECT_EQ(answerer->request(read, kRequestTimeout).code(), 3303);

  pb::TurmsRequest wrong;
  (*wrong.mutable_check_group_join_questions_answers_request()
        ->mutable_question_id_to_answer())[question_id] = "six";
  const auto refused = answerer->request(wrong, kRequestTimeout);
  ASSERT_EQ(refused.code(), 1000);
  EXPECT_FALSE(refused.data().group_join_question_answer_result().joined());
  EXPECT_EQ(refused.data().group_join_question_answer_result().score(), 0);

  pb::TurmsRequest right;
  (*right.mutable_check_group_join_questions_answers_request()
        ->mutable_question_id_to_answer())[question_id] = "five";
  const auto let_in = answerer->request(right, kRequestTimeout);
  ASSERT_EQ(let_in.code(), 1000);
  EXPECT_TRUE(let_in.data().group_join_question_answer_result().joined());
  EXPECT_EQ(let_in.data().group_join_question_answer_result().score(), 5);
  const auto told = owner->waitFor(
      [](const Frame& frame) {
        return isRelayed(frame, pb::TurmsRequest::kCreateGroupMembersRequest);
      },
      5s);
  ASSERT_TRUE(told.has_value());
  EXPECT_EQ(told->notification.relayed_request().create_group_members_request().user_ids(0),
            kAnswerer);
  EXPECT_EQ(answerer->request(right, kRequestTimeout).code(), 3309);

  pb::TurmsRequest say;
  say.mutable_create_message_request()->set_group_id(group);
  say.mutable_create_message_request()->set_text("I knew it");
  EXPECT_EQ(answerer->request(say, kRequestTimeout).code(), 1000);
}

}  // namespace
}  // namespace parley::testing
