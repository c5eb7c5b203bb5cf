#include "store/sqlite/sqlite_group_join_question_repository.h"

#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_group_version.h"

namespace parley::sqlite {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO group_join_question (id, group_id, question, answers, score) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
// One row per answer (one with a NULL answer for a question without any), in the answers' order;
// readQuestions puts them back together. Column order is what readQuestions reads.
#define PARLEY_GROUP_JOIN_QUESTION_SELECT                  \
  "SELECT q.id, q.group_id, q.question, q.score, a.value " \
  "FROM group_join_question AS q LEFT JOIN json_each(q.answers) AS a "
constexpr std::string_view kFindById =
    PARLEY_GROUP_JOIN_QUESTION_SELECT "WHERE q.id = ?1 ORDER BY a.key";
constexpr std::string_view kFindByGroup =
    PARLEY_GROUP_JOIN_QUESTION_SELECT "WHERE q.group_id = ?1 ORDER BY q.id, a.key";
// The admin search: ?1 ids and ?2 groups as JSON arrays, NULL to not filter. The page is taken
// over questions, not over the rows of their answers.
#define PARLEY_GROUP_JOIN_QUESTION_SEARCH                                                   \
  " FROM group_join_question WHERE (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))" \
  " AND (?2 IS NULL OR group_id IN (SELECT value FROM json_each(?2)))"
constexpr std::string_view kSearch =
    PARLEY_GROUP_JOIN_QUESTION_SELECT "WHERE q.id IN (SELECT id" PARLEY_GROUP_JOIN_QUESTION_SEARCH
                                      " ORDER BY id LIMIT ?3 OFFSET ?4) ORDER BY q.id, a.key";
constexpr std::string_view kCount = "SELECT count(*)" PARLEY_GROUP_JOIN_QUESTION_SEARCH;
#undef PARLEY_GROUP_JOIN_QUESTION_SEARCH
#undef PARLEY_GROUP_JOIN_QUESTION_SELECT
constexpr std::string_view kExists = "SELECT count(*) FROM group_join_question WHERE id = ?1";
// NULL keeps a field. RETURNING names the group, whose version moves.
constexpr std::string_view kUpdate =
    "UPDATE group_join_question SET question = coalesce(?2, question), "
    "answers = coalesce(?3, answers), score = coalesce(?4, score) WHERE id = ?1 "
    "RETURNING group_id";
constexpr std::string_view kRemove =
    "DELETE FROM group_join_question WHERE group_id = ?1 AND id IN (SELECT value FROM "
    "json_each(?2))";

std::string answersJson(const std::vector<std::string>& answers) {
  return jsonStringArray(distinctAnswers(answers));
}

Result<std::vector<GroupJoinQuestionRecord>> readQuestions(Statement& stmt) {
  std::vector<GroupJoinQuestionRecord> questions;
  for (;;) {
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return questions;
    const int64_t id = stmt.columnInt64(0);
    if (questions.empty() || questions.back().id != id) {
      GroupJoinQuestionRecord& question = questions.emplace_back();
      question.id = id;
      question.group_id = stmt.columnInt64(1);
      question.question = stmt.columnText(2);
      question.score = static_cast<int32_t>(stmt.columnInt64(3));
    }
    if (!stmt.columnIsNull(4)) questions.back().answers.push_back(stmt.columnText(4));
  }
}

// One transaction: change() makes a change and names the groups whose questions it changed, and
// their versions move with it. Nothing is committed when it changed none.
template <typename Change>
VoidResult changeWithVersions(Database& db, int64_t now_millis, Change&& change) {
  auto lock = db.lock();
  Result<Transaction> transaction = Transaction::begin(db);
  if (!transaction.ok()) return transaction.status();
  const Result<std::set<int64_t>> changed = change();
  if (!changed.ok()) return changed.status();
  if (changed->empty()) return {};
  for (const int64_t group_id : changed.value()) {
    if (const VoidResult moved = moveGroupVersionForwardLocked(
            db, group_id, GroupVersionColumn::kJoinQuestions, now_millis);
        !moved.ok()) {
      return moved;
    }
  }
  return transaction->commit();
}

}  // namespace

VoidResult SqliteGroupJoinQuestionRepository::insertMany(
    std::span<const GroupJoinQuestionRecord> questions, int64_t now_millis) {
  return changeWithVersions(db_, now_millis, [&]() -> Result<std::set<int64_t>> {
    std::set<int64_t> groups;
    for (const GroupJoinQuestionRecord& question : questions) {
      // A failure returns before the commit: the transaction takes back the ones before it.
      const Result<int64_t> inserted = writeRows(db_, kInsert, [&](Statement& stmt) {
        stmt.bind(1, question.id)
            .bind(2, question.group_id)
            .bind(3, question.question)
            .bind(4, answersJson(question.answers))
            .bind(5, int64_t{question.score});
      });
      if (!inserted.ok()) return inserted.status();
      groups.insert(question.group_id);
    }
    return groups;
  });
}

Result<std::optional<GroupJoinQuestionRecord>> SqliteGroupJoinQuestionRepository::findById(
    int64_t id) {
  Result<std::vector<GroupJoinQuestionRecord>> found =
      readWith(readers_, kFindById, [&](Statement& stmt) {
        stmt.bind(1, id);
        return readQuestions(stmt);
      });
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<GroupJoinQuestionRecord>();
  return std::optional<GroupJoinQuestionRecord>(std::move(found->front()));
}

Result<std::vector<GroupJoinQuestionRecord>> SqliteGroupJoinQuestionRepository::findByGroup(
    int64_t group_id) {
  return readWith(readers_, kFindByGroup, [&](Statement& stmt) {
    stmt.bind(1, group_id);
    return readQuestions(stmt);
  });
}

Result<bool> SqliteGroupJoinQuestionRepository::update(const GroupJoinQuestionUpdate& update,
                                                       int64_t now_millis) {
  if (!update.question && !update.answers && !update.score) {
    Result<int64_t> count =
        readInt64(readers_, kExists, [&](Statement& stmt) { stmt.bind(1, update.id); });
    if (!count.ok()) return count.status();
    return count.value() > 0;
  }
  std::optional<std::string> answers;
  if (update.answers) answers = answersJson(*update.answers);
  std::optional<int64_t> score;
  if (update.score) score = *update.score;
  bool found = false;
  const VoidResult changed =
      changeWithVersions(db_, now_millis, [&]() -> Result<std::set<int64_t>> {
        Result<Statement> stmt = db_.prepare(kUpdate);
        if (!stmt.ok()) return stmt.status();
        stmt->bind(1, update.id).bind(2, update.question).bind(3, answers).bind(4, score);
        const Result<bool> row = stmt->step();
        if (!row.ok()) return row.status();
        if (!row.value()) return std::set<int64_t>();
        const int64_t group_id = stmt->columnInt64(0);
        // RETURNING rows are produced as the statement runs; finishing it completes the change.
        if (const Result<bool> done = stmt->step(); !done.ok()) return done.status();
        found = true;
        return std::set<int64_t>{group_id};
      });
  if (!changed.ok()) return changed.status();
  return found;
}

Result<int64_t> SqliteGroupJoinQuestionRepository::removeMany(int64_t group_id,
                                                              std::span<const int64_t> ids,
                                                              int64_t now_millis) {
  if (ids.empty()) return int64_t{0};
  const std::string id_list = jsonArray(ids);
  int64_t removed = 0;
  const VoidResult changed =
      changeWithVersions(db_, now_millis, [&]() -> Result<std::set<int64_t>> {
        const Result<int64_t> deleted = writeRows(
            db_, kRemove, [&](Statement& stmt) { stmt.bind(1, group_id).bind(2, id_list); });
        if (!deleted.ok()) return deleted.status();
        removed = deleted.value();
        if (removed == 0) return std::set<int64_t>();
        return std::set<int64_t>{group_id};
      });
  if (!changed.ok()) return changed.status();
  return removed;
}

Result<std::vector<GroupJoinQuestionRecord>> SqliteGroupJoinQuestionRepository::search(
    const GroupJoinQuestionSearch& search, int64_t skip, int64_t limit) {
  return readWith(readers_, kSearch, [&](Statement& stmt) {
    stmt.bind(1, jsonArrayOrNull(search.ids))
        .bind(2, jsonArrayOrNull(search.group_ids))
        .bind(3, limit)
        .bind(4, skip);
    return readQuestions(stmt);
  });
}

Result<int64_t> SqliteGroupJoinQuestionRepository::count(const GroupJoinQuestionSearch& search) {
  return readInt64(readers_, kCount, [&](Statement& stmt) {
    stmt.bind(1, jsonArrayOrNull(search.ids)).bind(2, jsonArrayOrNull(search.group_ids));
  });
}

Result<std::optional<int64_t>> SqliteGroupJoinQuestionRepository::findVersion(int64_t group_id) {
  return findGroupVersion(readers_, group_id, GroupVersionColumn::kJoinQuestions);
}

}  // namespace parley::sqlite
