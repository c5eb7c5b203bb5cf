#include "store/sqlite/sqlite_user_version.h"

#include <fmt/format.h>

#include <array>
#include <string>

namespace parley::sqlite {
namespace {

// In UserVersionColumn's order.
constexpr std::array<const char*, 10> kColumnNames{
    "sent_friend_requests",     "received_friend_requests",   "relationships",
    "relationship_groups",      "relationship_group_members", "user_settings",
    "user_defined_attributes",  "sent_group_invitations",     "received_group_invitations",
    "sent_group_join_requests",
};
static_assert(kColumnNames.size() ==
              static_cast<size_t>(UserVersionColumn::kSentGroupJoinRequests) + 1);

// One statement text per column, built once: prepared statements are cached by their text.
template <typename Build>
const std::string& statementFor(UserVersionColumn column, Build build) {
  static const std::array<std::string, kColumnNames.size()> statements = [&] {
    std::array<std::string, kColumnNames.size()> all;
    for (size_t i = 0; i < kColumnNames.size(); ++i) all[i] = build(kColumnNames[i]);
    return all;
  }();
  return statements.at(static_cast<size_t>(column));
}

const std::string& moveForwardSql(UserVersionColumn column) {
  return statementFor(column, [](const char* name) {
    return fmt::format(
        "INSERT INTO user_version (user_id, {0}) VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE "
        "SET {0} = max(coalesce({0} + 1, excluded.{0}), excluded.{0})",
        name);
  });
}

const std::string& findSql(UserVersionColumn column) {
  return statementFor(column, [](const char* name) {
    return fmt::format("SELECT {} FROM user_version WHERE user_id = ?1", name);
  });
}

}  // namespace

VoidResult moveRelationshipVersionsLocked(Database& db, int64_t owner_id,
                                          RelationshipVersionMoves moves, int64_t now_millis) {
  for (const auto& [moved, column] :
       {std::pair{moves.movesRelationships(), UserVersionColumn::kRelationships},
        std::pair{moves.movesGroups(), UserVersionColumn::kRelationshipGroups},
        std::pair{moves.movesGroupMembers(), UserVersionColumn::kRelationshipGroupMembers}}) {
    if (!moved) continue;
    if (const VoidResult done = moveUserVersionForwardLocked(db, owner_id, column, now_millis);
        !done.ok()) {
      return done;
    }
  }
  return {};
}

const char* userVersionColumnName(UserVersionColumn column) {
  return kColumnNames.at(static_cast<size_t>(column));
}

VoidResult moveUserVersionForwardLocked(Database& db, int64_t user_id, UserVersionColumn column,
                                        int64_t now_millis) {
  Result<Statement> stmt = db.prepare(moveForwardSql(column));
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, user_id).bind(2, now_millis);
  return stmt->run();
}

Result<std::optional<int64_t>> findUserVersion(ReaderPool& readers, int64_t user_id,
                                               UserVersionColumn column) {
  ReaderPool::Lease reader = readers.acquire();
  Result<Statement> stmt = reader->prepare(findSql(column));
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, user_id);
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!row.value() || stmt->columnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->columnInt64(0));
}

}  // namespace parley::sqlite
