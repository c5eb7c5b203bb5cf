#pragma once
// GroupTypeRepository on SQLite, over `group_type` (schema migration 16, kGroupTypeSchema below).
#include <string_view>

#include "store/group_type_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// The strategies are upstream's ordinals. The migration adds the DEFAULT type (as
// defaultGroupType()), so that a database of an earlier version has it as well as a new one.
inline constexpr std::string_view kGroupTypeSchema = R"sql(
CREATE TABLE group_type (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  group_size_limit INTEGER NOT NULL,
  invitation_strategy INTEGER NOT NULL,
  join_strategy INTEGER NOT NULL,
  group_info_update_strategy INTEGER NOT NULL,
  member_info_update_strategy INTEGER NOT NULL,
  guest_speakable INTEGER NOT NULL CHECK (guest_speakable IN (0, 1)),
  self_info_updatable INTEGER NOT NULL CHECK (self_info_updatable IN (0, 1)),
  enable_read_receipt INTEGER NOT NULL CHECK (enable_read_receipt IN (0, 1)),
  message_editable INTEGER NOT NULL CHECK (message_editable IN (0, 1))
) STRICT;
INSERT INTO group_type VALUES (0, 'DEFAULT', 500, 1, 1, 2, 2, 0, 1, 1, 1);
)sql";

class SqliteGroupTypeRepository final : public GroupTypeRepository {
 public:
  // Writes go to db, reads to readers (see SqliteStore); both must outlive the repository.
  SqliteGroupTypeRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const GroupTypeRecord& type) override;
  Result<std::optional<GroupTypeRecord>> findById(int64_t id) override;
  Result<std::vector<GroupTypeRecord>> findAll(int64_t skip, int64_t limit) override;
  Result<int64_t> count() override;
  Result<int64_t> update(std::span<const int64_t> ids, const GroupTypeUpdate& update) override;
  Result<int64_t> remove(std::span<const int64_t> ids) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
