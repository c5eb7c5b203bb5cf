#include "service/group/group_join_question_handlers.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/snowflake.h"
#include "service/domain_registrar.h"
#include "service/group/group_enrollment.h"
#include "service/group/group_roles.h"
#include "service/pending_requests.h"
#include "service/versioned_query.h"
#include "store/store.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// Upstream's refusal to give questions to a group whose type lets users in another way.
StatusCode questionsRefusal(GroupJoinStrategy strategy) {
  switch (strategy) {
    case GroupJoinStrategy::kQuestion:
      return StatusCode::kOk;
    case GroupJoinStrategy::kJoinRequest:
      return StatusCode::kCreateGroupQuestionForGroupUsingJoinRequest;
    case GroupJoinStrategy::kMembershipRequest:
      return StatusCode::kCreateGroupQuestionForGroupUsingMembershipRequest;
    case GroupJoinStrategy::kInvitation:
      return StatusCode::kCreateGroupQuestionForGroupUsingInvitation;
  }
  return StatusCode::kCreateGroupQuestionForGroupUsingInvitation;
}

// The accepted answers without repeats, in the order given (upstream keeps them in a
// LinkedHashSet), checked against the configured limits.
Result<std::vector<std::string>> acceptedAnswers(
    const google::protobuf::RepeatedPtrField<std::string>& given,
    const GroupQuestionConfig& config) {
  std::vector<std::string> answers;
  for (const std::string& answer : given) {
    if (std::find(answers.begin(), answers.end(), answer) == answers.end()) {
      answers.push_back(answer);
    }
  }
  if (answers.empty()) return error(StatusCode::kIllegalArgument, "answers must not be empty");
  if (config.max_answer_count > 0 &&
      answers.size() > static_cast<size_t>(config.max_answer_count)) {
    return error(StatusCode::kIllegalArgument,
                 "A question has at most " + std::to_string(config.max_answer_count) + " answers");
  }
  for (const std::string& answer : answers) {
    if (auto refused = checkLength(answer, config.max_answer_length, "answer")) {
      return refused->status;
    }
  }
  return answers;
}

// Checks in upstream's order (GroupQuestionService.authAndCheckGroupQuestionAnswerAndJoin): the
// questions' group, not blocked, not a member, a live group, the QUESTION join strategy. Correct
// answers add their questions' scores; reaching the group's minimum score makes the user a member
// at once, within the group's rules (size limit), and every member hears of it.
HandlerResult answerGroupJoinQuestions(ServiceDeps& deps, const RequestContext& ctx,
                                       const TurmsRequest& request) {
  const auto& given = request.check_group_join_questions_answers_request().question_id_to_answer();
  if (given.empty()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "question_id_to_answer must not be empty");
  }
  // Upstream answers the questions of the first one's group only. A protobuf map keeps no order,
  // so the first is the lowest id here.
  int64_t first_id = std::numeric_limits<int64_t>::max();
  for (const auto& [id, answer] : given) first_id = std::min(first_id, id);
  auto& questions = deps.store.groupJoinQuestions();
  auto first = questions.findById(first_id);
  if (!first.ok()) return HandlerResult::failure(first.status());
  if (!*first) return HandlerResult::failure(StatusCode::kNoContent);
  const int64_t group_id = (*first)->group_id;
  const int64_t answerer[] = {ctx.user_id};
  auto blocked = deps.store.groupBlocklist().findBlockedAmong(group_id, answerer);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  if (!blocked->empty())
    return HandlerResult::failure(StatusCode::kGroupQuestionAnswererHasBeenBlocked);
  auto role = roleOf(deps, group_id, ctx.user_id);
  if (!role.ok()) return HandlerResult::failure(role.status());
  if (*role) return HandlerResult::failure(StatusCode::kGroupMemberAnswerGroupQuestion);
  auto group = liveGroup(deps, group_id, StatusCode::kAnswerGroupQuestionOfInactiveGroup);
  if (!group.ok()) return HandlerResult::failure(group.status());
  if (group->type.join_strategy != GroupJoinStrategy::kQuestion) {
    return HandlerResult::failure(StatusCode::kAnswerInactiveGroupQuestion);
  }
  auto asked = questions.findByGroup(group_id);
  if (!asked.ok()) return HandlerResult::failure(asked.status());
  TurmsNotification::Data data;
  auto* outcome = data.mutable_group_join_question_answer_result();
  int64_t score = 0;
  for (const GroupJoinQuestionRecord& question : *asked) {
    const auto answer = given.find(question.id);
    if (answer == given.end() || std::find(question.answers.begin(), question.answers.end(),
                                           answer->second) == question.answers.end()) {
      continue;
    }
    outcome->add_question_ids(question.id);
    score += question.score;
  }
  outcome->set_score(static_cast<int32_t>(std::min<int64_t>(score, INT32_MAX)));
  if (score < group->group.minimum_score) return HandlerResult::withData(std::move(data));

  bool already_member = false;
  if (auto refused = joinRefusal(deps, group_id, ctx.user_id, &already_member)) return *refused;
  GroupMemberRecord member;
  member.group_id = group_id;
  member.user_id = ctx.user_id;
  member.role = kGroupRoleMember;
  member.join_date = deps.clock.nowMillis();
  auto added = already_member ? Result<int64_t>(0)
                              : deps.store.groupMembers().insertMany(std::span(&member, 1));
  if (!added.ok()) return HandlerResult::failure(added.status());
  // Let in meanwhile by another request, as upstream's duplicate key answers.
  if (*added == 0) return HandlerResult::failure(StatusCode::kGroupMemberAnswerGroupQuestion);
  outcome->set_joined(true);
  HandlerResult result = HandlerResult::withData(std::move(data));
  addMemberAddedPushOrWarn(result, deps, group_id, ctx.user_id);
  return result;
}

// Checks in upstream's order (GroupQuestionService.authAndCreateGroupJoinQuestions); answers the
// new questions' ids.
HandlerResult createGroupJoinQuestions(ServiceDeps& deps, const RequestContext& ctx,
                                       const TurmsRequest& request) {
  const auto& req = request.create_group_join_questions_request();
  for (const pb::GroupJoinQuestion& question : req.questions()) {
    if (question.answers().empty()) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "answers must not be empty");
    }
    if (question.score() < 0) {
      return HandlerResult::failure(StatusCode::kIllegalArgument, "score must not be negative");
    }
  }
  TurmsNotification::Data data;
  auto* ids = data.mutable_longs_with_version();
  if (req.questions().empty()) return HandlerResult::withData(std::move(data));
  const int64_t group_id = req.group_id();
  auto role = roleOf(deps, group_id, ctx.user_id);
  if (!role.ok()) return HandlerResult::failure(role.status());
  if (!isOwnerOrManager(*role)) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToCreateGroupQuestion);
  }
  auto group = liveGroup(deps, group_id, StatusCode::kCreateGroupQuestionForInactiveGroup);
  if (!group.ok()) return HandlerResult::failure(group.status());
  if (const StatusCode refusal = questionsRefusal(group->type.join_strategy);
      refusal != StatusCode::kOk) {
    return HandlerResult::failure(refusal);
  }
  const GroupQuestionConfig& config = deps.group.question;
  std::vector<GroupJoinQuestionRecord> created;
  for (const pb::GroupJoinQuestion& question : req.questions()) {
    if (auto refused = checkLength(question.question(), config.max_question_length, "question")) {
      return *refused;
    }
    auto answers = acceptedAnswers(question.answers(), config);
    if (!answers.ok()) return HandlerResult::failure(answers.status());
    created.push_back({.id = deps.ids.next(),
                       .group_id = group_id,
                       .question = question.question(),
                       .answers = std::move(answers).value(),
                       .score = question.score()});
  }
  if (auto inserted = deps.store.groupJoinQuestions().insertMany(created, deps.clock.nowMillis());
      !inserted.ok()) {
    return HandlerResult::failure(inserted.status());
  }
  for (const GroupJoinQuestionRecord& question : created) ids->add_longs(question.id);
  return HandlerResult::withData(std::move(data));
}

// Deletes those of the ids that are the group's questions. Upstream deletes any question by its id
// once the requester manages some group; Parley keeps a manager to their own group's questions.
HandlerResult deleteGroupJoinQuestions(ServiceDeps& deps, const RequestContext& ctx,
                                       const TurmsRequest& request) {
  const auto& req = request.delete_group_join_questions_request();
  if (req.question_ids().empty()) return HandlerResult::ok();
  auto role = roleOf(deps, req.group_id(), ctx.user_id);
  if (!role.ok()) return HandlerResult::failure(role.status());
  if (!isOwnerOrManager(*role)) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToDeleteGroupQuestion);
  }
  const std::vector<int64_t> ids(req.question_ids().begin(), req.question_ids().end());
  auto removed =
      deps.store.groupJoinQuestions().removeMany(req.group_id(), ids, deps.clock.nowMillis());
  if (!removed.ok()) return HandlerResult::failure(removed.status());
  return HandlerResult::ok();
}

// Versioned: anyone may read a group's questions; their answers only its owner and managers.
// Upstream checks who asks for answers but never sends them; Parley sends them to those allowed.
HandlerResult queryGroupJoinQuestions(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.query_group_join_questions_request();
  const int64_t group_id = req.group_id();
  if (req.with_answers()) {
    auto role = roleOf(deps, group_id, ctx.user_id);
    if (!role.ok()) return HandlerResult::failure(role.status());
    if (!isOwnerOrManager(*role)) {
      return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToQueryGroupQuestionAnswer);
    }
  }
  auto& questions = deps.store.groupJoinQuestions();
  auto version = groupVersionOf(deps, group_id, [&] { return questions.findVersion(group_id); });
  if (!version.ok()) return HandlerResult::failure(version.status());
  if (isUpToDate(req, *version)) return HandlerResult::failure(StatusCode::kAlreadyUpToDate);
  auto found = questions.findByGroup(group_id);
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (found->empty()) return HandlerResult::failure(StatusCode::kNoContent);
  TurmsNotification::Data data;
  auto* answer = data.mutable_group_join_questions_with_version();
  for (const GroupJoinQuestionRecord& stored : *found) {
    pb::GroupJoinQuestion& question = *answer->add_group_join_questions();
    question.set_id(stored.id);
    question.set_group_id(stored.group_id);
    question.set_question(stored.question);
    question.set_score(stored.score);
    if (req.with_answers())
      question.mutable_answers()->Add(stored.answers.begin(), stored.answers.end());
  }
  if (*version) answer->set_last_updated_date(**version);
  return HandlerResult::withData(std::move(data));
}

// Changes what the request sets (answers: when it gives any, as upstream), within the limits
// creating keeps.
HandlerResult updateGroupJoinQuestion(ServiceDeps& deps, const RequestContext& ctx,
                                      const TurmsRequest& request) {
  const auto& req = request.update_group_join_question_request();
  if (req.has_score() && req.score() < 0) {
    return HandlerResult::failure(StatusCode::kIllegalArgument, "score must not be negative");
  }
  if (!req.has_question() && req.answers().empty() && !req.has_score()) return HandlerResult::ok();
  auto& questions = deps.store.groupJoinQuestions();
  auto found = questions.findById(req.question_id());
  if (!found.ok()) return HandlerResult::failure(found.status());
  if (!*found) return HandlerResult::failure(StatusCode::kNoContent);
  auto role = roleOf(deps, (*found)->group_id, ctx.user_id);
  if (!role.ok()) return HandlerResult::failure(role.status());
  if (!isOwnerOrManager(*role)) {
    return HandlerResult::failure(StatusCode::kNotGroupOwnerOrManagerToUpdateGroupQuestion);
  }
  const GroupQuestionConfig& config = deps.group.question;
  GroupJoinQuestionUpdate update{.id = req.question_id()};
  if (req.has_question()) {
    if (auto refused = checkLength(req.question(), config.max_question_length, "question")) {
      return *refused;
    }
    update.question = req.question();
  }
  if (!req.answers().empty()) {
    auto answers = acceptedAnswers(req.answers(), config);
    if (!answers.ok()) return HandlerResult::failure(answers.status());
    update.answers = std::move(answers).value();
  }
  if (req.has_score()) update.score = req.score();
  auto updated = questions.update(update, deps.clock.nowMillis());
  if (!updated.ok()) return HandlerResult::failure(updated.status());
  // Deleted meanwhile.
  if (!*updated) return HandlerResult::failure(StatusCode::kNoContent);
  return HandlerResult::ok();
}

}  // namespace

void registerGroupJoinQuestionHandlers(Dispatcher& dispatcher, ServiceDeps deps) {
  DomainRegistrar domain(dispatcher, deps);
  domain.add(TurmsRequest::kCheckGroupJoinQuestionsAnswersRequest, &answerGroupJoinQuestions);
  domain.add(TurmsRequest::kCreateGroupJoinQuestionsRequest, &createGroupJoinQuestions);
  domain.add(TurmsRequest::kDeleteGroupJoinQuestionsRequest, &deleteGroupJoinQuestions);
  domain.add(TurmsRequest::kQueryGroupJoinQuestionsRequest, &queryGroupJoinQuestions);
  domain.add(TurmsRequest::kUpdateGroupJoinQuestionRequest, &updateGroupJoinQuestion);
}

}  // namespace parley
