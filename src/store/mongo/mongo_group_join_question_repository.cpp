#include "store/mongo/mongo_group_join_question_repository.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_group_repository.h"

namespace parley::mongo {
namespace {

constexpr const char* kQuestions = "groupJoinQuestion";
// Upstream's names (turms-service's domain/group/po/GroupJoinQuestion.java).
constexpr const char* kGroupId = "gid";
constexpr const char* kQuestion = "q";
constexpr const char* kAnswers = "ans";
constexpr const char* kScore = "score";

std::string nameOf(int64_t id) { return "group join question " + std::to_string(id); }

BsonPtr questionDocument(const GroupJoinQuestionRecord& question) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", question.id);
  BSON_APPEND_INT64(doc.get(), kGroupId, question.group_id);
  appendString(doc.get(), kQuestion, question.question);
  appendStringArray(doc.get(), kAnswers, distinctAnswers(question.answers));
  BSON_APPEND_INT32(doc.get(), kScore, question.score);
  return doc;
}

Result<GroupJoinQuestionRecord> readQuestion(const bson_t* doc) {
  DocReader reader(doc, nameOf(int64At(doc, "_id").value_or(0)));
  GroupJoinQuestionRecord question;
  question.id = reader.int64("_id");
  question.group_id = reader.int64(kGroupId);
  question.question = reader.string(kQuestion);
  question.answers = reader.stringArray(kAnswers);
  question.score = reader.int32(kScore);
  if (const VoidResult read = reader.status(); !read.ok()) return read.status();
  return question;
}

// The questions filter matches, by id: the first `skip` skipped, at most `limit` (0 = all).
Result<std::vector<GroupJoinQuestionRecord>> findQuestions(const Connection& connection,
                                                           const bson_t* filter, const char* what,
                                                           int64_t skip = 0, int64_t limit = 0) {
  BsonPtr opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "skip", BCON_INT64(skip), "limit",
                        BCON_INT64(limit)));
  auto client = connection.client();
  CollectionPtr questions = client.collection(kQuestions);
  CursorPtr cursor(mongoc_collection_find_with_opts(questions.get(), filter, opts.get(), nullptr));
  return readAll<GroupJoinQuestionRecord>(cursor.get(), what, readQuestion);
}

BsonPtr searchFilter(const GroupJoinQuestionSearch& search) {
  BsonPtr filter(bson_new());
  if (!search.ids.empty()) appendAnyOf(filter.get(), "_id", search.ids);
  if (!search.group_ids.empty()) appendAnyOf(filter.get(), kGroupId, search.group_ids);
  return filter;
}

// The ids of questions, by group.
std::map<int64_t, std::vector<int64_t>> idsByGroup(
    std::span<const GroupJoinQuestionRecord> questions) {
  std::map<int64_t, std::vector<int64_t>> ids;
  for (const GroupJoinQuestionRecord& question : questions) {
    ids[question.group_id].push_back(question.id);
  }
  return ids;
}

}  // namespace

// groupJoinQuestion: one document per question, keyed by its id, as upstream. Read by group
// (by_group, which also serves the order by id) and by id. Shard key {gid: "hashed"}, as the other
// collections of a group's data: a group's questions live together, so listing them is targeted.
const std::vector<CollectionSpec>& MongoGroupJoinQuestionRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kQuestions, {{"by_group", R"({"gid": 1, "_id": 1})"}}, R"({"gid": "hashed"})"},
  };
  return specs;
}

VoidResult MongoGroupJoinQuestionRepository::insertMany(
    std::span<const GroupJoinQuestionRecord> questions, int64_t now_millis) {
  if (questions.empty()) return {};
  Result<BulkOutcome> inserted = [&] {
    auto client = connection_.client();
    CollectionPtr collection = client.collection(kQuestions);
    return insertOrdered(
        connection_, collection.get(), questions.size(),
        [&](size_t i) { return questionDocument(questions[i]); }, "insert group join questions");
  }();
  if (!inserted.ok()) return inserted.status();
  if (!inserted->duplicate_indexes.empty()) {
    // An ordered insert stops at its first failure: the questions before it are in.
    const size_t duplicate = std::min(inserted->duplicate_indexes.front(), questions.size() - 1);
    const int64_t duplicate_id = questions[duplicate].id;
    for (const auto& [group_id, ids] : idsByGroup(questions.first(duplicate))) {
      if (Result<int64_t> removed = removeMany(group_id, ids, now_millis); !removed.ok()) {
        spdlog::warn(
            "mongo: {} exists; removing the questions of group {} inserted before it failed, "
            "they stay: {}",
            nameOf(duplicate_id), group_id, removed.status().reason);
        return removed.status();
      }
    }
    return error(StatusCode::kRecordContainsDuplicateKey, nameOf(duplicate_id) + " exists");
  }
  for (const auto& [group_id, ids] : idsByGroup(questions)) {
    if (VoidResult moved =
            bumpGroupVersion(connection_, group_id, kGroupJoinQuestionsVersion, now_millis);
        !moved.ok()) {
      return moved;
    }
  }
  return {};
}

Result<std::optional<GroupJoinQuestionRecord>> MongoGroupJoinQuestionRepository::findById(
    int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  Result<std::vector<GroupJoinQuestionRecord>> found =
      findQuestions(connection_, filter.get(), "find group join question");
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<GroupJoinQuestionRecord>();
  return std::optional<GroupJoinQuestionRecord>(std::move(found->front()));
}

Result<std::vector<GroupJoinQuestionRecord>> MongoGroupJoinQuestionRepository::findByGroup(
    int64_t group_id) {
  BsonPtr filter(BCON_NEW(kGroupId, BCON_INT64(group_id)));
  return findQuestions(connection_, filter.get(), "find group join questions");
}

// The question's group is read first (it never changes): the update then names the shard key, so
// it is targeted, and the version to move is known.
Result<bool> MongoGroupJoinQuestionRepository::update(const GroupJoinQuestionUpdate& update,
                                                      int64_t now_millis) {
  Result<std::optional<GroupJoinQuestionRecord>> found = findById(update.id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  if (!update.question && !update.answers && !update.score) return true;
  const int64_t group_id = found.value()->group_id;

  BsonPtr filter(BCON_NEW("_id", BCON_INT64(update.id), kGroupId, BCON_INT64(group_id)));
  BsonPtr changes(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(changes.get(), "$set", &set);
  if (update.question) appendString(&set, kQuestion, *update.question);
  if (update.answers) appendStringArray(&set, kAnswers, distinctAnswers(*update.answers));
  appendOptionalInt32(&set, kScore, update.score);
  bson_append_document_end(changes.get(), &set);
  Result<UpdateOutcome> updated = updateOne(connection_, kQuestions, filter.get(), changes.get(),
                                            /*upsert=*/false, "update group join question");
  if (!updated.ok()) return updated.status();
  if (updated->matched == 0) return false;  // removed meanwhile
  if (VoidResult moved =
          bumpGroupVersion(connection_, group_id, kGroupJoinQuestionsVersion, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<int64_t> MongoGroupJoinQuestionRepository::removeMany(int64_t group_id,
                                                             std::span<const int64_t> ids,
                                                             int64_t now_millis) {
  if (ids.empty()) return int64_t{0};
  BsonPtr filter(BCON_NEW(kGroupId, BCON_INT64(group_id)));
  appendAnyOf(filter.get(), "_id", ids);
  Result<int64_t> removed =
      deleteMany(connection_, kQuestions, filter.get(), "remove group join questions");
  if (!removed.ok() || removed.value() == 0) return removed;
  if (VoidResult moved =
          bumpGroupVersion(connection_, group_id, kGroupJoinQuestionsVersion, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return removed;
}

Result<std::vector<GroupJoinQuestionRecord>> MongoGroupJoinQuestionRepository::search(
    const GroupJoinQuestionSearch& search, int64_t skip, int64_t limit) {
  BsonPtr filter = searchFilter(search);
  return findQuestions(connection_, filter.get(), "search group join questions", skip, limit);
}

Result<int64_t> MongoGroupJoinQuestionRepository::count(const GroupJoinQuestionSearch& search) {
  BsonPtr filter = searchFilter(search);
  auto client = connection_.client();
  CollectionPtr questions = client.collection(kQuestions);
  return countDocuments(questions.get(), filter.get(), "count group join questions");
}

Result<std::optional<int64_t>> MongoGroupJoinQuestionRepository::findVersion(int64_t group_id) {
  return findGroupVersion(connection_, group_id, kGroupJoinQuestionsVersion);
}

}  // namespace parley::mongo
