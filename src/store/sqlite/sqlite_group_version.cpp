#include "store/sqlite/sqlite_group_version.h"

#include <fmt/format.h>

#include <array>
#include <string>

namespace parley::sqlite {
namespace {

// In GroupVersionColumn's order.
constexpr std::array<const char*, 4> kColumnNames{
    "blocklist_last_updated_date",
    "invitations_last_updated_date",
    "join_requests_last_updated_date",
    "join_questions_last_updated_date",
};
static_assert(kColumnNames.size() == static_cast<size_t>(GroupVersionColumn::kJoinQuestions) + 1);

// One statement text per column, built once: prepared statements are cached by their text.
template <typename Build>
const std::string& statementFor(GroupVersionColumn column, Build build) {
  static const std::array<std::string, kColumnNames.size()> statements = [&] {
    std::array<std::string, kColumnNames.size()> all;
    for (size_t i = 0; i < kColumnNames.size(); ++i) all[i] = build(kColumnNames[i]);
    return all;
  }();
  return statements.at(static_cast<size_t>(column));
}

const std::string& moveForwardSql(GroupVersionColumn column) {
  return statementFor(column, [](const char* name) {
    return fmt::format("UPDATE group_info SET {0} = max(coalesce({0} + 1, ?2), ?2) WHERE id = ?1",
                       name);
  });
}

const std::string& findSql(GroupVersionColumn column) {
  return statementFor(column, [](const char* name) {
    return fmt::format("SELECT {} FROM group_info WHERE id = ?1", name);
  });
}

}  // namespace

VoidResult moveGroupVersionForwardLocked(Database& db, int64_t group_id, GroupVersionColumn column,
                                         int64_t now_millis) {
  const Result<int64_t> done = writeRows(db, moveForwardSql(column), [&](Statement& stmt) {
    stmt.bind(1, group_id).bind(2, now_millis);
  });
  if (!done.ok()) return done.status();
  return {};
}

Result<std::optional<int64_t>> findGroupVersion(ReaderPool& readers, int64_t group_id,
                                                GroupVersionColumn column) {
  return readWith(readers, findSql(column), [&](Statement& stmt) -> Result<std::optional<int64_t>> {
    stmt.bind(1, group_id);
    const Result<bool> row = stmt.step();
    if (!row.ok()) return row.status();
    if (!row.value() || stmt.columnIsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt.columnInt64(0));
  });
}

}  // namespace parley::sqlite
