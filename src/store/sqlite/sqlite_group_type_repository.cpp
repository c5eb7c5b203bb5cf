#include "store/sqlite/sqlite_group_type_repository.h"

namespace parley::sqlite {
namespace {

#define PARLEY_GROUP_TYPE_COLUMNS                                              \
  "id, name, group_size_limit, invitation_strategy, join_strategy, "           \
  "group_info_update_strategy, member_info_update_strategy, guest_speakable, " \
  "self_info_updatable, enable_read_receipt, message_editable"
constexpr std::string_view kInsert = "INSERT INTO group_type (" PARLEY_GROUP_TYPE_COLUMNS
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr std::string_view kFindById =
    "SELECT " PARLEY_GROUP_TYPE_COLUMNS " FROM group_type WHERE id = ?1";
constexpr std::string_view kFindAll =
    "SELECT " PARLEY_GROUP_TYPE_COLUMNS " FROM group_type ORDER BY id LIMIT ?1 OFFSET ?2";
#undef PARLEY_GROUP_TYPE_COLUMNS
constexpr std::string_view kCount = "SELECT count(*) FROM group_type";
// Unset fields are bound as NULL and keep their value; ?1 is the ids as a JSON array.
constexpr std::string_view kUpdate =
    "UPDATE group_type SET name = coalesce(?2, name), "
    "group_size_limit = coalesce(?3, group_size_limit), "
    "invitation_strategy = coalesce(?4, invitation_strategy), "
    "join_strategy = coalesce(?5, join_strategy), "
    "group_info_update_strategy = coalesce(?6, group_info_update_strategy), "
    "member_info_update_strategy = coalesce(?7, member_info_update_strategy), "
    "guest_speakable = coalesce(?8, guest_speakable), "
    "self_info_updatable = coalesce(?9, self_info_updatable), "
    "enable_read_receipt = coalesce(?10, enable_read_receipt), "
    "message_editable = coalesce(?11, message_editable) "
    "WHERE id IN (SELECT value FROM json_each(?1))";
constexpr std::string_view kDelete =
    "DELETE FROM group_type WHERE id IN (SELECT value FROM json_each(?1))";

GroupTypeRecord readType(const Statement& stmt) {
  GroupTypeRecord type;
  type.id = stmt.columnInt64(0);
  type.name = stmt.columnText(1);
  type.group_size_limit = static_cast<int32_t>(stmt.columnInt64(2));
  type.invitation_strategy = static_cast<GroupInvitationStrategy>(stmt.columnInt64(3));
  type.join_strategy = static_cast<GroupJoinStrategy>(stmt.columnInt64(4));
  type.group_info_update_strategy = static_cast<GroupUpdateStrategy>(stmt.columnInt64(5));
  type.member_info_update_strategy = static_cast<GroupUpdateStrategy>(stmt.columnInt64(6));
  type.guest_speakable = stmt.columnInt64(7) != 0;
  type.self_info_updatable = stmt.columnInt64(8) != 0;
  type.enable_read_receipt = stmt.columnInt64(9) != 0;
  type.message_editable = stmt.columnInt64(10) != 0;
  return type;
}

template <typename T>
std::optional<int64_t> optionalNumber(const std::optional<T>& value) {
  if (!value) return std::nullopt;
  return static_cast<int64_t>(*value);
}

}  // namespace

VoidResult SqliteGroupTypeRepository::insert(const GroupTypeRecord& type) {
  return db_.writeDurably([&]() -> VoidResult {
    Result<Statement> stmt = db_.prepare(kInsert);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, type.id)
        .bind(2, type.name)
        .bind(3, int64_t{type.group_size_limit})
        .bind(4, static_cast<int64_t>(type.invitation_strategy))
        .bind(5, static_cast<int64_t>(type.join_strategy))
        .bind(6, static_cast<int64_t>(type.group_info_update_strategy))
        .bind(7, static_cast<int64_t>(type.member_info_update_strategy))
        .bind(8, int64_t{type.guest_speakable})
        .bind(9, int64_t{type.self_info_updatable})
        .bind(10, int64_t{type.enable_read_receipt})
        .bind(11, int64_t{type.message_editable});
    return stmt->run();
  });
}

Result<std::optional<GroupTypeRecord>> SqliteGroupTypeRepository::findById(int64_t id) {
  return readWith(readers_, kFindById,
                  [&](Statement& stmt) -> Result<std::optional<GroupTypeRecord>> {
                    stmt.bind(1, id);
                    const Result<bool> row = stmt.step();
                    if (!row.ok()) return row.status();
                    if (!row.value()) return std::optional<GroupTypeRecord>();
                    return std::optional<GroupTypeRecord>(readType(stmt));
                  });
}

Result<std::vector<GroupTypeRecord>> SqliteGroupTypeRepository::findAll(int64_t skip,
                                                                        int64_t limit) {
  return readWith(readers_, kFindAll, [&](Statement& stmt) -> Result<std::vector<GroupTypeRecord>> {
    stmt.bind(1, limit).bind(2, skip);
    std::vector<GroupTypeRecord> types;
    while (true) {
      const Result<bool> row = stmt.step();
      if (!row.ok()) return row.status();
      if (!row.value()) return types;
      types.push_back(readType(stmt));
    }
  });
}

Result<int64_t> SqliteGroupTypeRepository::count() {
  return readInt64(readers_, kCount, [](Statement&) {});
}

Result<int64_t> SqliteGroupTypeRepository::update(std::span<const int64_t> ids,
                                                  const GroupTypeUpdate& update) {
  if (ids.empty()) return int64_t{0};
  int64_t matched = 0;
  const VoidResult written = db_.writeDurably([&]() -> VoidResult {
    Result<Statement> stmt = db_.prepare(kUpdate);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, jsonArray(ids))
        .bind(2, update.name)
        .bind(3, optionalNumber(update.group_size_limit))
        .bind(4, optionalNumber(update.invitation_strategy))
        .bind(5, optionalNumber(update.join_strategy))
        .bind(6, optionalNumber(update.group_info_update_strategy))
        .bind(7, optionalNumber(update.member_info_update_strategy))
        .bind(8, optionalNumber(update.guest_speakable))
        .bind(9, optionalNumber(update.self_info_updatable))
        .bind(10, optionalNumber(update.enable_read_receipt))
        .bind(11, optionalNumber(update.message_editable));
    if (const VoidResult done = stmt->run(); !done.ok()) return done;
    // SQLite counts every row the WHERE matched, also those left as they were.
    matched = db_.changes();
    return {};
  });
  if (!written.ok()) return written.status();
  return matched;
}

Result<int64_t> SqliteGroupTypeRepository::remove(std::span<const int64_t> ids) {
  if (ids.empty()) return int64_t{0};
  int64_t deleted = 0;
  const VoidResult written = db_.writeDurably([&]() -> VoidResult {
    Result<Statement> stmt = db_.prepare(kDelete);
    if (!stmt.ok()) return stmt.status();
    stmt->bind(1, jsonArray(ids));
    if (const VoidResult done = stmt->run(); !done.ok()) return done;
    deleted = db_.changes();
    return {};
  });
  if (!written.ok()) return written.status();
  return deleted;
}

}  // namespace parley::sqlite
