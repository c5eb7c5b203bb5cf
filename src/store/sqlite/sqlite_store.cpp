#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "store/sqlite/sqlite_conversation_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_group_repository.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "store/sqlite/sqlite_relationship_repository.h"
#include "store/sqlite/sqlite_sequence_ids.h"
#include "store/sqlite/sqlite_user_repository.h"
#include "store/store.h"

namespace parley {
namespace {

// The schema's history. Append only: a released migration is never edited, because databases
// that already ran it would not run it again.
constexpr sqlite::Migration kMigrations[] = {
    {1, "create user",
     // STRICT makes SQLite reject values of the wrong type instead of storing them. `id` is the
     // rowid, so lookups and the admin API's id-ordered paging need no extra index.
     R"sql(
CREATE TABLE user (
  id INTEGER PRIMARY KEY,
  password_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  intro TEXT NOT NULL,
  profile_picture TEXT NOT NULL,
  profile_access_strategy INTEGER NOT NULL,
  permission_group_id INTEGER NOT NULL,
  registration_date INTEGER NOT NULL,
  deletion_date INTEGER,
  last_updated_date INTEGER NOT NULL,
  is_active INTEGER NOT NULL CHECK (is_active IN (0, 1))
) STRICT;
)sql"},
    // Each domain's schema sits beside its repository.
    {2, "create message and sequence_id", sqlite::kMessageSchema},
    {3, "create group and group_member", sqlite::kGroupSchema},
    {4, "create user_relationship", sqlite::kRelationshipSchema},
    {5, "create conversations and conversation settings", sqlite::kConversationSchema},
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : db_(path),
        users_(db_),
        messages_(db_),
        groups_(db_),
        group_members_(db_),
        relationships_(db_),
        conversations_(db_),
        sequence_ids_(db_) {
    db_.migrate(kMigrations);
  }

  UserRepository& users() override { return users_; }
  MessageRepository& messages() override { return messages_; }
  GroupRepository& groups() override { return groups_; }
  GroupMemberRepository& groupMembers() override { return group_members_; }
  RelationshipRepository& relationships() override { return relationships_; }
  ConversationRepository& conversations() override { return conversations_; }
  SequenceIds& sequenceIds() override { return sequence_ids_; }

  // Every commit is already durable (synchronous=FULL); folding the WAL back into the main file
  // leaves a single self-contained parley.db for backups and copies after shutdown.
  void flush() override {
    auto lock = db_.lock();
    (void)db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  // One node per SQLite file, so the only question is whether the store is still empty.
  Result<bool> claimDemoSeeding() override { return isEmpty(); }

  Result<bool> isEmpty() override {
    const Result<bool> has_users = users_.hasAny();
    if (!has_users.ok()) return has_users.status();
    return !has_users.value();
  }

 private:
  sqlite::Database db_;
  sqlite::SqliteUserRepository users_;
  sqlite::SqliteMessageRepository messages_;
  sqlite::SqliteGroupRepository groups_;
  sqlite::SqliteGroupMemberRepository group_members_;
  sqlite::SqliteRelationshipRepository relationships_;
  sqlite::SqliteConversationRepository conversations_;
  sqlite::SqliteSequenceIds sequence_ids_;
};

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create the data directory " + data_dir + ": " + ec.message());
  }
  return std::make_unique<SqliteStore>((std::filesystem::path(data_dir) / "parley.db").string());
}

}  // namespace parley
