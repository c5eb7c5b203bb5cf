#include "store/sqlite/sqlite_export.h"

#include <filesystem>
#include <stdexcept>

#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::sqlite {
namespace {

struct TableSql {
  std::string_view name;
  std::string_view count;
  std::string_view keys;  // ?1 = after id, ?2 = limit
};

TableSql sqlOf(ExportTable table) {
  switch (table) {
    case ExportTable::kUser:
      return {"user", "SELECT count(*) FROM user",
              "SELECT id FROM user WHERE id > ?1 ORDER BY id LIMIT ?2"};
    case ExportTable::kMessage:
      return {"message", "SELECT count(*) FROM message",
              "SELECT id FROM message WHERE id > ?1 ORDER BY id LIMIT ?2"};
    case ExportTable::kGroup:
      return {"group_info", "SELECT count(*) FROM group_info",
              "SELECT id FROM group_info WHERE id > ?1 ORDER BY id LIMIT ?2"};
    case ExportTable::kGroupMember:
      return {"group_member", "SELECT count(*) FROM group_member",
              "SELECT DISTINCT group_id FROM group_member WHERE group_id > ?1 "
              "ORDER BY group_id LIMIT ?2"};
    case ExportTable::kGroupBlockedUser:
      return {"group_blocked_user", "SELECT count(*) FROM group_blocked_user",
              "SELECT DISTINCT group_id FROM group_blocked_user WHERE group_id > ?1 "
              "ORDER BY group_id LIMIT ?2"};
    case ExportTable::kGroupType:
      return {"group_type", "SELECT count(*) FROM group_type",
              "SELECT id FROM group_type WHERE id > ?1 ORDER BY id LIMIT ?2"};
    case ExportTable::kRelationship:
      return {"user_relationship", "SELECT count(*) FROM user_relationship",
              "SELECT DISTINCT owner_id FROM user_relationship WHERE owner_id > ?1 "
              "ORDER BY owner_id LIMIT ?2"};
    case ExportTable::kRelationshipGroup:
      return {"user_relationship_group", "SELECT count(*) FROM user_relationship_group",
              "SELECT DISTINCT owner_id FROM user_relationship_group WHERE owner_id > ?1 "
              "ORDER BY owner_id LIMIT ?2"};
    case ExportTable::kUserSettings:
      return {"user_setting", "SELECT count(*) FROM user_setting",
              "SELECT DISTINCT user_id FROM user_setting WHERE user_id > ?1 "
              "ORDER BY user_id LIMIT ?2"};
    case ExportTable::kUserDefinedAttributes:
      return {"user_defined_attribute", "SELECT count(*) FROM user_defined_attribute",
              "SELECT DISTINCT user_id FROM user_defined_attribute WHERE user_id > ?1 "
              "ORDER BY user_id LIMIT ?2"};
    case ExportTable::kFriendRequest:
      return {"friend_request", "SELECT count(*) FROM friend_request",
              "SELECT DISTINCT recipient_id FROM friend_request WHERE recipient_id > ?1 "
              "ORDER BY recipient_id LIMIT ?2"};
    case ExportTable::kGroupInvitation:
      return {"group_invitation", "SELECT count(*) FROM group_invitation",
              "SELECT DISTINCT group_id FROM group_invitation WHERE group_id > ?1 "
              "ORDER BY group_id LIMIT ?2"};
    case ExportTable::kGroupJoinRequest:
      return {"group_join_request", "SELECT count(*) FROM group_join_request",
              "SELECT DISTINCT group_id FROM group_join_request WHERE group_id > ?1 "
              "ORDER BY group_id LIMIT ?2"};
    case ExportTable::kGroupJoinQuestion:
      return {"group_join_question", "SELECT count(*) FROM group_join_question",
              "SELECT DISTINCT group_id FROM group_join_question WHERE group_id > ?1 "
              "ORDER BY group_id LIMIT ?2"};
    case ExportTable::kPrivateConversation:
      return {"private_conversation", "SELECT count(*) FROM private_conversation",
              "SELECT DISTINCT owner_id FROM private_conversation WHERE owner_id > ?1 "
              "ORDER BY owner_id LIMIT ?2"};
    case ExportTable::kGroupConversation:
      return {"group_conversation_member", "SELECT count(*) FROM group_conversation_member",
              "SELECT DISTINCT group_id FROM group_conversation_member WHERE group_id > ?1 "
              "ORDER BY group_id LIMIT ?2"};
    case ExportTable::kConversationSettings:
      return {"conversation_settings", "SELECT count(*) FROM conversation_settings",
              "SELECT DISTINCT owner_id FROM conversation_settings WHERE owner_id > ?1 "
              "ORDER BY owner_id LIMIT ?2"};
    case ExportTable::kSequenceId:
      return {"sequence_id", "SELECT count(*) FROM sequence_id", ""};
  }
  return {"?", "", ""};
}

}  // namespace

std::string_view tableName(ExportTable table) { return sqlOf(table).name; }

SqliteExport::SqliteExport(const std::string& data_dir)
    : path_((std::filesystem::path(data_dir) / "parley.db").string()) {
  // Database would create an empty file, and an empty source would "migrate" nothing, silently.
  if (!std::filesystem::exists(path_)) {
    throw std::runtime_error("no SQLite store at " + path_);
  }
  db_ = std::make_unique<Database>(path_);
  auto lock = db_->lock();
  const Result<int> version = db_->schemaVersion();
  if (!version.ok())
    throw std::runtime_error("cannot read " + path_ + ": " + version.status().reason);
  // The tables this reader knows are those of this build's last migration.
  if (version.value() != latestSchemaVersion()) {
    throw std::runtime_error(path_ + " has schema version " + std::to_string(version.value()) +
                             ", this Parley reads version " +
                             std::to_string(latestSchemaVersion()) +
                             "; start this Parley on it once to upgrade it");
  }
}

SqliteExport::~SqliteExport() = default;

Result<int64_t> SqliteExport::rowCount(ExportTable table) {
  auto lock = db_->lock();
  Result<Statement> stmt = db_->prepare(sqlOf(table).count);
  if (!stmt.ok()) return stmt.status();
  const Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  return row.value() ? stmt->columnInt64(0) : 0;
}

Result<std::vector<int64_t>> SqliteExport::keys(ExportTable table, int64_t after_id, int limit) {
  const std::string_view sql = sqlOf(table).keys;
  if (sql.empty()) return error(StatusCode::kIllegalArgument, "no key listing for this table");
  auto lock = db_->lock();
  Result<Statement> stmt = db_->prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, after_id).bind(2, int64_t{limit});
  std::vector<int64_t> ids;
  for (;;) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    ids.push_back(stmt->columnInt64(0));
  }
  return ids;
}

Result<std::vector<PrivateConversationRecord>> SqliteExport::privateConversations(
    int64_t after_owner_id, int64_t after_target_id, int limit) {
  auto lock = db_->lock();
  Result<Statement> stmt = db_->prepare(
      "SELECT owner_id, target_id, read_date FROM private_conversation "
      "WHERE (owner_id, target_id) > (?1, ?2) ORDER BY owner_id, target_id LIMIT ?3");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, after_owner_id).bind(2, after_target_id).bind(3, int64_t{limit});
  std::vector<PrivateConversationRecord> rows;
  for (;;) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    rows.push_back({stmt->columnInt64(0), stmt->columnInt64(1), stmt->columnInt64(2)});
  }
  return rows;
}

Result<std::vector<SequenceCounter>> SqliteExport::sequenceCounters(const ConversationKey& after,
                                                                    int limit) {
  auto lock = db_->lock();
  Result<Statement> stmt = db_->prepare(
      "SELECT is_group, a, b, value FROM sequence_id WHERE (is_group, a, b) > (?1, ?2, ?3) "
      "ORDER BY is_group, a, b LIMIT ?4");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, int64_t{after.is_group ? 1 : 0})
      .bind(2, after.a)
      .bind(3, after.b)
      .bind(4, int64_t{limit});
  std::vector<SequenceCounter> counters;
  for (;;) {
    const Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
    counters.push_back({{stmt->columnInt64(0) != 0, stmt->columnInt64(1), stmt->columnInt64(2)},
                        stmt->columnInt64(3)});
  }
  return counters;
}

}  // namespace parley::sqlite
