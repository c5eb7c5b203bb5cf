#pragma once
// GroupJoinQuestionRepository on SQLite, over `group_join_question` and the join questions version
// kept in `group_info` (schema migration 20, kGroupJoinQuestionSchema below).
#include <string_view>

#include "store/group_join_question_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// A group's questions are read together, in id order: the index by group holds the rowid (the
// id), so it serves the order too. The answers are a JSON array of strings in the row, read back
// in order with json_each: they are only ever read and written with their question. The version
// is a column beside the group's other versions.
inline constexpr std::string_view kGroupJoinQuestionSchema = R"sql(
CREATE TABLE group_join_question (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL,
  question TEXT NOT NULL,
  answers TEXT NOT NULL CHECK (json_type(answers) = 'array'),
  score INTEGER NOT NULL
) STRICT;
CREATE INDEX group_join_question_by_group ON group_join_question (group_id);
ALTER TABLE group_info ADD COLUMN join_questions_last_updated_date INTEGER;
)sql";

class SqliteGroupJoinQuestionRepository final : public GroupJoinQuestionRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteGroupJoinQuestionRepository(Database& db, ReaderPool& readers)
      : db_(db), readers_(readers) {}

  // One transaction: the questions and their groups' versions commit together or not at all.
  VoidResult insertMany(std::span<const GroupJoinQuestionRecord> questions,
                        int64_t now_millis) override;
  Result<std::optional<GroupJoinQuestionRecord>> findById(int64_t id) override;
  Result<std::vector<GroupJoinQuestionRecord>> findByGroup(int64_t group_id) override;
  Result<bool> update(const GroupJoinQuestionUpdate& update, int64_t now_millis) override;
  Result<int64_t> removeMany(int64_t group_id, std::span<const int64_t> ids,
                             int64_t now_millis) override;
  Result<std::vector<GroupJoinQuestionRecord>> search(const GroupJoinQuestionSearch& search,
                                                      int64_t skip, int64_t limit) override;
  Result<int64_t> count(const GroupJoinQuestionSearch& search) override;
  Result<std::optional<int64_t>> findVersion(int64_t group_id) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
