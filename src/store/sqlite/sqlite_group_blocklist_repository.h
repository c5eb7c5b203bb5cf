#pragma once
// GroupBlocklistRepository on SQLite, over `group_blocked_user` and the blocklist version kept in
// `group_info` (kGroupBlocklistSchema below).
#include <string_view>

#include "store/group_blocklist_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Read by group (the primary key's range); whether a user is blocked is one key lookup. The
// blocklist version is a column of the group, beside its members version.
inline constexpr std::string_view kGroupBlocklistSchema = R"sql(
CREATE TABLE group_blocked_user (
  group_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  block_date INTEGER NOT NULL,
  requester_id INTEGER NOT NULL,
  PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;
ALTER TABLE group_info ADD COLUMN blocklist_last_updated_date INTEGER;
)sql";

class SqliteGroupBlocklistRepository final : public GroupBlocklistRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteGroupBlocklistRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  Result<GroupBlockOutcome> block(const GroupBlockedUserRecord& blocked,
                                  int64_t now_millis) override;
  Result<bool> unblock(int64_t group_id, int64_t user_id, int64_t now_millis) override;
  Result<std::vector<GroupBlockedUserRecord>> findBlocked(int64_t group_id) override;
  Result<std::vector<int64_t>> findBlockedAmong(int64_t group_id,
                                                std::span<const int64_t> user_ids) override;
  Result<std::optional<int64_t>> findVersion(int64_t group_id) override;
  Result<std::vector<GroupBlockedUserRecord>> search(const GroupBlockedUserSearch& search,
                                                     int64_t skip, int64_t limit) override;
  Result<int64_t> count(const GroupBlockedUserSearch& search) override;
  Result<bool> update(int64_t group_id, int64_t user_id, const GroupBlockedUserUpdate& update,
                      int64_t now_millis) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
