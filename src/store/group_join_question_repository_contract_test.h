#pragma once
// The behaviour every GroupJoinQuestionRepository must have, as one value-parameterized GoogleTest
// suite over a whole store (the version lives with the group's other versions).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/group_blocklist_repository.h"
#include "store/group_join_question_repository.h"
#include "store/group_repository.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class GroupJoinQuestionRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;
  static constexpr int64_t kGroup = 7;
  static constexpr int64_t kOtherGroup = 8;

  void SetUp() override {
    StoreContractTest::SetUp();
    for (const int64_t group_id : {kGroup, kOtherGroup}) {
      ASSERT_NO_FATAL_FAILURE(insertGroup(group_id, 1, kT0));
    }
  }

  GroupJoinQuestionRepository& questions() { return store_->groupJoinQuestions(); }

  static GroupJoinQuestionRecord makeQuestion(int64_t id, int64_t group_id) {
    return {.id = id,
            .group_id = group_id,
            .question = "question " + std::to_string(id),
            .answers = {"yes " + std::to_string(id), "sure"},
            .score = 10};
  }

  void insert(std::vector<GroupJoinQuestionRecord> records, int64_t now = kT0) {
    const VoidResult inserted = questions().insertMany(records, now);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  std::optional<GroupJoinQuestionRecord> find(int64_t id) {
    auto found = questions().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::vector<GroupJoinQuestionRecord> findByGroup(int64_t group_id) {
    auto found = questions().findByGroup(group_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::vector<GroupJoinQuestionRecord>{};
  }

  std::vector<int64_t> idsOf(int64_t group_id) {
    std::vector<int64_t> ids;
    for (const GroupJoinQuestionRecord& question : findByGroup(group_id))
      ids.push_back(question.id);
    return ids;
  }

  bool update(const GroupJoinQuestionUpdate& change, int64_t now) {
    auto updated = questions().update(change, now);
    EXPECT_TRUE(updated.ok()) << updated.status().reason;
    return updated.ok() && updated.value();
  }

  int64_t remove(int64_t group_id, std::vector<int64_t> ids, int64_t now) {
    auto removed = questions().removeMany(group_id, ids, now);
    EXPECT_TRUE(removed.ok()) << removed.status().reason;
    return removed.ok() ? removed.value() : -1;
  }

  std::optional<int64_t> version(int64_t group_id = kGroup) {
    auto found = questions().findVersion(group_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }
};

TEST_P(GroupJoinQuestionRepositoryContractTest, InsertThenFindReturnsEveryFieldAndTheAnswersOrder) {
  GroupJoinQuestionRecord first = makeQuestion(1, kGroup);
  first.question = "what is \xE2\x9C\x93 called?";
  first.answers = {"zed", "alpha", "a \"quoted\" \\ one", "m\xC3\xBCnchen", ""};
  first.score = 0;
  const GroupJoinQuestionRecord unanswerable{
      .id = 2, .group_id = kOtherGroup, .question = "", .answers = {}, .score = 2'000'000'000};
  insert({first, unanswerable});
  EXPECT_EQ(find(1), first);
  EXPECT_EQ(find(2), unanswerable);
  EXPECT_EQ(find(404), std::nullopt);

  reopen();
  EXPECT_EQ(find(1), first);
  EXPECT_EQ(find(2), unanswerable);
}

TEST_P(GroupJoinQuestionRepositoryContractTest, AnAnswerIsKeptOnceWhereItFirstCame) {
  GroupJoinQuestionRecord question = makeQuestion(1, kGroup);
  question.answers = {"b", "a", "b", "c", "a"};
  insert({question});
  EXPECT_EQ(find(1)->answers, (std::vector<std::string>{"b", "a", "c"}));
  ASSERT_TRUE(update({.id = 1, .answers = std::vector<std::string>{"x", "x", "y"}}, kT0 + 1));
  EXPECT_EQ(find(1)->answers, (std::vector<std::string>{"x", "y"}));
}

TEST_P(GroupJoinQuestionRepositoryContractTest, FindByGroupIsInIdOrderAndOnlyThatGroup) {
  insert({makeQuestion(5, kGroup), makeQuestion(2, kGroup), makeQuestion(3, kOtherGroup)});
  insert({makeQuestion(9, kGroup), makeQuestion(1, kGroup)}, kT0 + 1);
  EXPECT_EQ(idsOf(kGroup), (std::vector<int64_t>{1, 2, 5, 9}));
  EXPECT_EQ(findByGroup(kOtherGroup),
            std::vector<GroupJoinQuestionRecord>{makeQuestion(3, kOtherGroup)});
  EXPECT_EQ(findByGroup(kGroup).front(), makeQuestion(1, kGroup));
  EXPECT_EQ(idsOf(404), std::vector<int64_t>{});
}

TEST_P(GroupJoinQuestionRepositoryContractTest, SearchFiltersByIdsAndGroupsAndPagesByQuestion) {
  GroupJoinQuestionRecord many_answers = makeQuestion(4, kGroup);
  many_answers.answers = {"a", "b", "c", "d", "e"};
  insert({makeQuestion(5, kGroup), makeQuestion(2, kOtherGroup), many_answers,
          makeQuestion(1, kGroup)});
  const auto search = [&](GroupJoinQuestionSearch filter, int64_t skip = 0, int64_t limit = 100) {
    auto found = questions().search(filter, skip, limit);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (!found.ok()) return ids;
    for (const GroupJoinQuestionRecord& question : found.value()) ids.push_back(question.id);
    return ids;
  };
  const auto count = [&](GroupJoinQuestionSearch filter) {
    auto counted = questions().count(filter);
    EXPECT_TRUE(counted.ok()) << counted.status().reason;
    return counted.ok() ? counted.value() : -1;
  };
  EXPECT_EQ(search({}), (std::vector<int64_t>{1, 2, 4, 5}));
  EXPECT_EQ(count({}), 4);
  EXPECT_EQ(search({.group_ids = {kGroup}}), (std::vector<int64_t>{1, 4, 5}));
  EXPECT_EQ(search({.ids = {2, 4, 404}}), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(search({.ids = {2, 4}, .group_ids = {kGroup}}), std::vector<int64_t>{4});
  EXPECT_EQ(count({.ids = {2, 4}, .group_ids = {kGroup}}), 1);
  EXPECT_EQ(count({.group_ids = {404}}), 0);
  // A page holds whole questions, whatever number of answers each has.
  EXPECT_EQ(search({}, 1, 2), (std::vector<int64_t>{2, 4}));
  auto page = questions().search({}, 2, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.value(), std::vector<GroupJoinQuestionRecord>{many_answers});
}

TEST_P(GroupJoinQuestionRepositoryContractTest, AnUpdateChangesTheFieldsItSetsAndNoOther) {
  insert({makeQuestion(1, kGroup), makeQuestion(2, kGroup)});
  GroupJoinQuestionRecord expected = makeQuestion(1, kGroup);

  ASSERT_TRUE(update({.id = 1, .question = "new question"}, kT0 + 10));
  expected.question = "new question";
  EXPECT_EQ(find(1), expected);
  EXPECT_EQ(version(), kT0 + 10);

  ASSERT_TRUE(update({.id = 1, .answers = std::vector<std::string>{"only"}}, kT0 + 20));
  expected.answers = {"only"};
  EXPECT_EQ(find(1), expected);
  EXPECT_EQ(version(), kT0 + 20);

  ASSERT_TRUE(update({.id = 1, .score = 3}, kT0 + 30));
  expected.score = 3;
  EXPECT_EQ(find(1), expected);
  EXPECT_EQ(version(), kT0 + 30);

  ASSERT_TRUE(update({.id = 1, .answers = std::vector<std::string>{}}, kT0 + 40));
  expected.answers = {};
  EXPECT_EQ(find(1), expected);

  // All at once.
  ASSERT_TRUE(
      update({.id = 1, .question = "q", .answers = std::vector<std::string>{"a", "b"}, .score = 0},
             kT0 + 50));
  expected = {.id = 1, .group_id = kGroup, .question = "q", .answers = {"a", "b"}, .score = 0};
  EXPECT_EQ(find(1), expected);
  EXPECT_EQ(find(2), makeQuestion(2, kGroup));
  EXPECT_EQ(version(), kT0 + 50);

  // Setting nothing changes nothing and tells whether the question exists.
  EXPECT_TRUE(update({.id = 1}, kT0 + 60));
  EXPECT_EQ(find(1), expected);
  EXPECT_EQ(version(), kT0 + 50);

  // A question that does not exist: nothing changes.
  EXPECT_FALSE(update({.id = 404, .question = "q", .score = 1}, kT0 + 70));
  EXPECT_FALSE(update({.id = 404}, kT0 + 70));
  EXPECT_EQ(find(404), std::nullopt);
  EXPECT_EQ(version(), kT0 + 50);
  EXPECT_EQ(version(kOtherGroup), std::nullopt);
}

TEST_P(GroupJoinQuestionRepositoryContractTest, RemoveManyRemovesOnlyThatGroupsQuestions) {
  insert({makeQuestion(1, kGroup), makeQuestion(2, kGroup), makeQuestion(3, kGroup),
          makeQuestion(4, kOtherGroup)});
  // 4 is another group's question and 404 no question: neither counts.
  EXPECT_EQ(remove(kGroup, {1, 3, 4, 404}, kT0 + 10), 2);
  EXPECT_EQ(idsOf(kGroup), std::vector<int64_t>{2});
  EXPECT_EQ(find(4), makeQuestion(4, kOtherGroup));
  EXPECT_EQ(version(), kT0 + 10);
  EXPECT_EQ(version(kOtherGroup), kT0);

  // Nothing removed: nothing moves.
  EXPECT_EQ(remove(kGroup, {1, 3, 4}, kT0 + 20), 0);
  EXPECT_EQ(remove(kGroup, {}, kT0 + 20), 0);
  EXPECT_EQ(remove(404, {2}, kT0 + 20), 0);
  EXPECT_EQ(idsOf(kGroup), std::vector<int64_t>{2});
  EXPECT_EQ(version(), kT0 + 10);
  EXPECT_EQ(version(kOtherGroup), kT0);
}

TEST_P(GroupJoinQuestionRepositoryContractTest, EveryChangeMovesTheVersionForwardOnly) {
  EXPECT_EQ(version(), std::nullopt);
  EXPECT_EQ(version(404), std::nullopt);
  // Two questions of a group in one call move its version once; each group's moves.
  insert({makeQuestion(1, kGroup), makeQuestion(2, kGroup), makeQuestion(3, kOtherGroup)});
  EXPECT_EQ(version(), kT0);
  EXPECT_EQ(version(kOtherGroup), kT0);

  // Same millisecond: still forward, so a client holding kT0 refetches.
  insert({makeQuestion(4, kGroup)});
  EXPECT_EQ(version(), kT0 + 1);
  EXPECT_EQ(version(kOtherGroup), kT0);

  // A clock that went back: every change still moves the version past its stored value.
  ASSERT_TRUE(update({.id = 1, .score = 5}, kT0 - 1000));
  EXPECT_EQ(version(), kT0 + 2);
  insert({makeQuestion(5, kGroup)}, kT0 - 2000);
  EXPECT_EQ(version(), kT0 + 3);
  EXPECT_EQ(remove(kGroup, {5}, kT0 - 3000), 1);
  EXPECT_EQ(version(), kT0 + 4);
  EXPECT_EQ(version(kOtherGroup), kT0);

  // And a later clock moves it to that.
  EXPECT_EQ(remove(kGroup, {2, 4}, kT0 + 9000), 2);
  EXPECT_EQ(version(), kT0 + 9000);
  reopen();
  EXPECT_EQ(version(), kT0 + 9000);
}

TEST_P(GroupJoinQuestionRepositoryContractTest, AnIdIsStoredOnceAndARefusedInsertStoresNone) {
  insert({makeQuestion(1, kGroup)});
  GroupJoinQuestionRecord again = makeQuestion(1, kGroup);
  again.question = "overwritten?";
  for (const std::vector<GroupJoinQuestionRecord>& refused :
       {std::vector{again}, std::vector{makeQuestion(5, kOtherGroup), again},
        std::vector{makeQuestion(6, kGroup), makeQuestion(6, kGroup)}}) {
    const VoidResult inserted = questions().insertMany(refused, kT0 + 10);
    ASSERT_FALSE(inserted.ok());
    EXPECT_EQ(inserted.status().code, StatusCode::kRecordContainsDuplicateKey);
  }
  EXPECT_EQ(find(1), makeQuestion(1, kGroup));
  EXPECT_EQ(find(5), std::nullopt);
  EXPECT_EQ(find(6), std::nullopt);
  EXPECT_EQ(idsOf(kGroup), std::vector<int64_t>{1});
  EXPECT_EQ(idsOf(kOtherGroup), std::vector<int64_t>{});
}

// The version shares its record with a group's other versions: each kind still moves alone.
TEST_P(GroupJoinQuestionRepositoryContractTest, TheVersionMovesApartFromTheGroupsOtherVersions) {
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, 99, kT0 + 20, 1}, kT0 + 20).ok());
  EXPECT_EQ(version(), std::nullopt);
  insert({makeQuestion(1, kGroup)}, kT0 + 30);
  EXPECT_EQ(version(), kT0 + 30);
  auto blocklist_version = store_->groupBlocklist().findVersion(kGroup);
  ASSERT_TRUE(blocklist_version.ok());
  EXPECT_EQ(blocklist_version.value(), kT0 + 20);
  auto join_requests_version = store_->groupJoinRequests().findGroupVersion(kGroup);
  ASSERT_TRUE(join_requests_version.ok());
  EXPECT_EQ(join_requests_version.value(), std::nullopt);
  auto group = store_->groups().findById(kGroup);
  ASSERT_TRUE(group.ok() && group->has_value());
  EXPECT_EQ((*group)->members_last_updated_date, kT0);
}

}  // namespace parley::contract
