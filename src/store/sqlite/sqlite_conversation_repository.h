#pragma once
// ConversationRepository on SQLite: read dates and conversation settings (schema migration 5).
#include <string_view>

#include "store/conversation_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Every table is WITHOUT ROWID and keyed the way it is read, so each query is a range of the
// primary key: a user's private read dates by owner, a group's read dates by group, a user's
// settings by owner (then kind and target).
//
// A group conversation is one row per member rather than Turms' one document per group: a read
// receipt then writes one small row instead of rewriting the group's whole map.
//
// Settings are one row per (conversation, name); the value is the serialized
// im.turms.proto.Value, so any type a client sends round-trips unchanged. last_updated_date is
// the conversation's: every row of a conversation carries the date of its last update.
inline constexpr std::string_view kConversationSchema = R"sql(
CREATE TABLE private_conversation (
  owner_id INTEGER NOT NULL,
  target_id INTEGER NOT NULL,
  read_date INTEGER NOT NULL,
  PRIMARY KEY (owner_id, target_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE group_conversation_member (
  group_id INTEGER NOT NULL,
  member_id INTEGER NOT NULL,
  read_date INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE conversation_settings (
  owner_id INTEGER NOT NULL,
  is_group INTEGER NOT NULL CHECK (is_group IN (0, 1)),
  target_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value BLOB NOT NULL,
  last_updated_date INTEGER NOT NULL,
  PRIMARY KEY (owner_id, is_group, target_id, name)
) STRICT, WITHOUT ROWID;
)sql";

class SqliteConversationRepository final : public ConversationRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to reader (see
  // SqliteStore); both must outlive the repository.
  SqliteConversationRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  Result<int64_t> upsertPrivateReadDate(int64_t owner_id, int64_t target_id,
                                        int64_t read_date) override;
  Result<int64_t> upsertGroupReadDate(int64_t group_id, int64_t member_id,
                                      int64_t read_date) override;
  Result<std::vector<PrivateConversationRecord>> queryPrivate(
      int64_t owner_id, std::span<const int64_t> target_ids) override;
  Result<std::vector<GroupConversationRecord>> queryGroups(
      std::span<const int64_t> group_ids) override;

  VoidResult upsertSettings(const ConversationSettingsRecord& settings) override;
  Result<int64_t> deleteSettings(int64_t owner_id, bool is_group,
                                 std::span<const int64_t> target_ids,
                                 std::span<const std::string> names) override;
  Result<std::vector<ConversationSettingsRecord>> querySettings(
      int64_t owner_id, std::span<const int64_t> user_ids, std::span<const int64_t> group_ids,
      std::optional<int64_t> last_updated_date_start) override;

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
