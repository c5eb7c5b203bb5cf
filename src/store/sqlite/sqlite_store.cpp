#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_verification_cache.h"

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
    {7, "sequence ids in sequence_id rows, not an index over the messages",
     sqlite::kConversationCountersSchema},
    {8, "create sequence_lease (bounds of the ids Redis counters hand out)",
     sqlite::kSequenceLeaseSchema},
    {9, "setting: values of Parley's own, such as the verification cache secret",
     R"sql(
CREATE TABLE setting (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
)sql"},
    {10, "verified_password: the password verification cache across restarts",
     sqlite::kVerificationCacheSchema},
    {11, "create friend_request and user_version", sqlite::kFriendRequestSchema},
    {12, "relationship groups; memberships move out of user_relationship",
     sqlite::kRelationshipGroupSchema},
    {13, "create user_setting", sqlite::kUserSettingsSchema},
    {14, "user_by_name: searching users by name", sqlite::kUserByNameIndex},
    {15, "create user_defined_attribute", sqlite::kUserDefinedAttributesSchema},
    {16, "create group_blocked_user; the blocklist version of groups",
     sqlite::kGroupBlocklistSchema},
    {17, "create group_type with the DEFAULT type", sqlite::kGroupTypeSchema},
    {18, "create group_invitation; the invitations versions of groups and users",
     sqlite::kGroupInvitationSchema},
    {19, "create group_join_request; the join requests versions of groups and users",
     sqlite::kGroupJoinRequestSchema},
    {20, "create group_join_question; the join questions version of groups",
     sqlite::kGroupJoinQuestionSchema},
    {21, "create admin_account", sqlite::kAdminAccountSchema},
};

// Reads run at once on about as many threads as there are cores (io threads check messages,
// compute threads log users in); twice that many connections leave a free one for a thread while
// others are preempted mid-read. They share the 64 MiB page cache one reader had.
int readConnections() {
  return static_cast<int>(std::clamp(2 * std::thread::hardware_concurrency(), 2u, 16u));
}
constexpr int kReadCacheKib = 64 * 1024;

}  // namespace

namespace sqlite {

SqliteStore::SqliteStore(const std::string& path, std::span<const Migration> migrations)
    : db_(path),
      readers_(path, readConnections(), kReadCacheKib),
      users_(db_, readers_),
      messages_(db_, readers_),
      groups_(db_, readers_),
      group_members_(db_, readers_),
      group_blocklist_(db_, readers_),
      group_invitations_(db_, readers_),
      group_join_requests_(db_, readers_),
      group_join_questions_(db_, readers_),
      group_types_(db_, readers_),
      relationships_(db_, readers_),
      relationship_groups_(db_, readers_),
      user_settings_(db_, readers_, kUserSettingsLayout),
      user_defined_attributes_(db_, readers_, kUserDefinedAttributesLayout),
      friend_requests_(db_, readers_),
      conversations_(db_, readers_),
      sequence_ids_(db_, messages_),
      sequence_leases_(db_, readers_, messages_),
      admin_accounts_(db_, readers_) {
  db_.migrate(migrations);
  messages_.counters().recover();
}

// Every commit is already durable (synchronous=FULL); folding the WAL back into the main file
// leaves a single self-contained parley.db for backups and copies after shutdown. The sequence
// counters' rows are brought up to date first, so that start-up has no messages to fold.
void SqliteStore::flush() {
  messages_.counters().requestFullSweep();
  db_.waitForQueuedWrites();
  auto lock = db_.lock();
  (void)db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

std::optional<StoreMetrics> SqliteStore::metrics() {
  StoreMetrics figures = db_.writerMetrics();
  figures.reads = readers_.reads();
  figures.read_waits = readers_.waits();
  figures.conversations_in_memory =
      static_cast<int64_t>(messages_.counters().cachedConversations());
  return figures;
}

VoidResult SqliteStore::ping() {
  // Through a read connection: it opens no transaction the writer would wait for.
  const Result<int64_t> tables =
      readInt64(readers_, "SELECT count(*) FROM sqlite_schema", [](Statement&) {});
  if (!tables.ok())
    return error(StatusCode::kServerUnavailable, "SQLite: " + tables.status().reason);
  return {};
}

Result<bool> SqliteStore::isEmpty() {
  // Without the user table (a partial schema in tests) this is an error status.
  const Result<bool> has_users = users_.hasAny();
  if (!has_users.ok()) return has_users.status();
  return !has_users.value();
}

Result<std::string> SqliteStore::sharedSetting(std::string_view name,
                                               std::string_view value_if_absent) {
  std::string value;
  VoidResult written = db_.writeDurably([&]() -> VoidResult {
    auto insert = db_.prepare(
        "INSERT INTO setting (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING");
    if (!insert.ok()) return insert.status();
    if (VoidResult done = insert->bind(1, name).bind(2, value_if_absent).run(); !done.ok()) {
      return done;
    }
    auto select = db_.prepare("SELECT value FROM setting WHERE name = ?1");
    if (!select.ok()) return select.status();
    Result<bool> row = select->bind(1, name).step();
    if (!row.ok()) return row.status();
    if (!*row) return error(StatusCode::kServerInternalError, "setting vanished");
    value = select->columnText(0);
    return {};
  });
  if (!written.ok()) return written.status();
  return value;
}

std::unique_ptr<SharedVerificationCache> SqliteStore::openVerificationCache(const Clock& clock,
                                                                            int64_t ttl_millis,
                                                                            size_t capacity) {
  return std::make_unique<SqliteVerificationCache>(db_, clock, ttl_millis, capacity);
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
