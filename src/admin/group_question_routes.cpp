// /groups/questions: upstream's GroupQuestionController. Questions are checked as a client's
// (the configured lengths and answer count, a score not below 0) and every write moves the group's
// join questions version, so versioned client queries see admin changes. Answers are shown, as
// upstream's admin API shows them. Unlike upstream, a question belongs to a live group, and an
// update cannot move it to another group: the group is the key MongoDB deployments shard the
// questions by, so a move would be a delete and an insert that a failure could leave half done.
#include <spdlog/spdlog.h>

#include <map>

#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "store/store.h"

namespace parley::admin {
namespace {

// Upstream's GroupJoinQuestion as its admin API prints it.
json::object questionJson(const GroupJoinQuestionRecord& question) {
  json::array answers;
  for (const std::string& answer : question.answers) answers.emplace_back(answer);
  json::object object;
  object["id"] = question.id;
  object["groupId"] = question.group_id;
  object["question"] = question.question;
  object["answers"] = std::move(answers);
  object["score"] = question.score;
  return object;
}

Result<GroupJoinQuestionSearch> parseSearch(const AdminRequest& request) {
  GroupJoinQuestionSearch search;
  for (auto [name, out] :
       {std::pair{"ids", &search.ids}, std::pair{"groupIds", &search.group_ids}}) {
    auto ids = parseIds(request, name, /*required=*/false);
    if (!ids) return ids.status();
    *out = std::move(*ids);
  }
  return search;
}

constexpr Listing listQuestions =
    searchListing<parseSearch, &Store::groupJoinQuestions, questionJson>;

// The fields of AddGroupJoinQuestionDTO and UpdateGroupJoinQuestionDTO, checked against the
// limits the client handlers apply (upstream's GroupQuestionService checks both the same way).
struct QuestionFields {
  std::optional<int64_t> group_id;
  std::optional<std::string> question;
  std::optional<std::vector<std::string>> answers;
  std::optional<int32_t> score;
};

Result<std::vector<std::string>> parseAnswers(const json::value& value,
                                              const GroupQuestionConfig& config) {
  if (!value.is_array()) return badArgument("answers", "must be an array of strings");
  std::vector<std::string> given;
  for (const json::value& answer : value.get_array()) {
    if (!answer.is_string()) return badArgument("answers", "must be an array of strings");
    given.emplace_back(answer.get_string());
  }
  std::vector<std::string> answers = distinctAnswers(given);
  if (answers.empty()) return badArgument("answers", "at least one answer");
  if (config.max_answer_count > 0 &&
      answers.size() > static_cast<size_t>(config.max_answer_count)) {
    return badArgument("answers", "at most " + std::to_string(config.max_answer_count));
  }
  for (const std::string& answer : answers) {
    if (config.max_answer_length > 0 &&
        codePoints(answer) > static_cast<size_t>(config.max_answer_length)) {
      return badArgument(
          "answers", "each at most " + std::to_string(config.max_answer_length) + " characters");
    }
  }
  return answers;
}

Result<QuestionFields> parseFields(std::string_view text, const GroupQuestionConfig& config) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  QuestionFields fields;
  fields.group_id = body->int64("groupId");
  fields.question = body->string("question");
  const json::value* answers = body->take("answers");
  fields.score = body->int32("score");
  if (const VoidResult parsed = body->status(); !parsed) return parsed.status();
  if (answers) {
    auto parsed = parseAnswers(*answers, config);
    if (!parsed) return parsed.status();
    fields.answers = std::move(*parsed);
  }
  if (fields.question && config.max_question_length > 0 &&
      codePoints(*fields.question) > static_cast<size_t>(config.max_question_length)) {
    return badArgument("question",
                       "at most " + std::to_string(config.max_question_length) + " characters");
  }
  if (fields.score && *fields.score < 0) return badArgument("score", "must not be negative");
  return fields;
}

AdminResponse createQuestion(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto fields = parseFields(request.body, routes.deps().groups.question);
  if (!fields) return fail(fields.status());
  if (!fields->group_id) return fail(badArgument("groupId", "required"));
  if (!fields->question) return fail(badArgument("question", "required"));
  if (!fields->answers) return fail(badArgument("answers", "required"));
  if (!fields->score) return fail(badArgument("score", "required"));
  if (auto refused = refuseMissingGroup(**store, *fields->group_id)) return *refused;
  const GroupJoinQuestionRecord created{.id = routes.nextId(),
                                        .group_id = *fields->group_id,
                                        .question = std::move(*fields->question),
                                        .answers = std::move(*fields->answers),
                                        .score = *fields->score};
  const int64_t now = routes.deps().clock.nowMillis();
  if (const VoidResult inserted =
          (*store)->groupJoinQuestions().insertMany(std::span(&created, 1), now);
      !inserted) {
    return fail(inserted.status());
  }
  spdlog::info("admin: created join question {} of group {}", created.id, created.group_id);
  return ok(questionJson(created));
}

// Only the fields given change. Every question is read before the first is written, so a refused
// update writes nothing.
AdminResponse updateQuestions(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  auto fields = parseFields(request.body, routes.deps().groups.question);
  if (!fields) return fail(fields.status());
  if (!fields->group_id && !fields->question && !fields->answers && !fields->score) {
    return fail(badArgument("body", "no field to update"));
  }
  GroupJoinQuestionRepository& questions = (*store)->groupJoinQuestions();
  auto found = questions.search({.ids = *ids}, 0, static_cast<int64_t>(ids->size()));
  if (!found) return fail(found.status());
  if (fields->group_id) {
    for (const GroupJoinQuestionRecord& question : *found) {
      if (question.group_id != *fields->group_id) {
        return fail(badArgument("groupId", "question " + std::to_string(question.id) +
                                               " belongs to group " +
                                               std::to_string(question.group_id) +
                                               "; a question cannot move to another group"));
      }
    }
  }
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t updated_count = 0;
  for (const GroupJoinQuestionRecord& question : *found) {
    auto updated = questions.update({.id = question.id,
                                     .question = fields->question,
                                     .answers = fields->answers,
                                     .score = fields->score},
                                    now);
    if (!updated) {
      spdlog::warn("admin: updating join question {} failed after {} updates: {}", question.id,
                   updated_count, updated.status().reason);
      return fail(updated.status());
    }
    updated_count += *updated ? 1 : 0;
  }
  return ok(json::object{{"updatedCount", updated_count}});
}

// Upstream deletes every question when no id is given; Parley requires ids.
AdminResponse deleteQuestions(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto ids = parseIds(request);
  if (!ids) return fail(ids.status());
  GroupJoinQuestionRepository& questions = (*store)->groupJoinQuestions();
  auto found = questions.search({.ids = *ids}, 0, static_cast<int64_t>(ids->size()));
  if (!found) return fail(found.status());
  // The repository removes a group's questions at a time, moving that group's version once.
  std::map<int64_t, std::vector<int64_t>> ids_by_group;
  for (const GroupJoinQuestionRecord& question : *found) {
    ids_by_group[question.group_id].push_back(question.id);
  }
  const int64_t now = routes.deps().clock.nowMillis();
  int64_t deleted_count = 0;
  for (const auto& [group_id, group_ids] : ids_by_group) {
    auto removed = questions.removeMany(group_id, group_ids, now);
    if (!removed) {
      spdlog::warn("admin: deleting join questions of group {} failed after {} deletions: {}",
                   group_id, deleted_count, removed.status().reason);
      return fail(removed.status());
    }
    deleted_count += *removed;
  }
  return deletedAnswer(deleted_count, "group join questions");
}

constexpr Route kGroupQuestionRoutes[] = {
    {"POST", "/groups/questions", true, createQuestion},
    {"GET", "/groups/questions", true, unpaged<listQuestions>},
    {"GET", "/groups/questions/page", true, paged<listQuestions>},
    {"PUT", "/groups/questions", true, updateQuestions},
    {"DELETE", "/groups/questions", true, deleteQuestions},
};

}  // namespace

std::span<const Route> groupQuestionRoutes() { return kGroupQuestionRoutes; }

}  // namespace parley::admin
