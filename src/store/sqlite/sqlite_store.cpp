#include <filesystem>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "store/sqlite/sqlite_store.h"

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
    {6, "drop message_sender_target_date (fewer index pages per message)",
     sqlite::kMessageDropSenderIndex},
};

}  // namespace

namespace sqlite {

SqliteStore::SqliteStore(const std::string& path, std::span<const Migration> migrations)
    : db_(path),
      reader_(path, Database::Access::kRead),
      users_(db_, reader_),
      messages_(db_, reader_),
      groups_(db_, reader_),
      group_members_(db_, reader_),
      relationships_(db_, reader_),
      conversations_(db_, reader_),
      sequence_ids_(db_, messages_) {
  db_.migrate(migrations);
}

// Every commit is already durable (synchronous=FULL); folding the WAL back into the main file
// leaves a single self-contained parley.db for backups and copies after shutdown.
void SqliteStore::flush() {
  db_.waitForQueuedWrites();
  auto lock = db_.lock();
  (void)db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<bool> SqliteStore::isEmpty() {
  // Without the user table (a partial schema in tests) this is an error status.
  const Result<bool> has_users = users_.hasAny();
  if (!has_users.ok()) return has_users.status();
  return !has_users.value();
}

int latestSchemaVersion() { return std::end(kMigrations)[-1].version; }

}  // namespace sqlite

std::unique_ptr<Store> openSqliteStore(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create the data directory " + data_dir + ": " + ec.message());
  }
  return std::make_unique<sqlite::SqliteStore>(
      (std::filesystem::path(data_dir) / "parley.db").string(), kMigrations);
}

}  // namespace parley
