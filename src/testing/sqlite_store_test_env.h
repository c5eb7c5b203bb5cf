#pragma once
// SQLite stores in temp dirs: the environments the repository contract suites
// (store/store_test_env.h) run against, and a real store for any other test that wants one.
#include <memory>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_conversation_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_group_repository.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "store/sqlite/sqlite_relationship_repository.h"
#include "store/sqlite/sqlite_sequence_ids.h"
#include "store/sqlite/sqlite_user_repository.h"
#include "store/store.h"
#include "store/store_test_env.h"
#include "testing/temp_dir.h"

namespace parley::testing {

// The store a node opens (openSqliteStore, every migration) in a temp dir of its own.
class SqliteStoreTestEnv final : public contract::StoreTestEnv {
 public:
  std::unique_ptr<Store> open() override;
  // The data dir open() uses (created by the first open()).
  std::string dataDir() const;

 private:
  TempDir dir_{"parley-store"};
};

// A Store over a database that holds one domain's schema alone, so that domain's repository
// contract runs without the other domains' tables and fails if the repository touches them. The
// other repositories exist but fail at their first statement.
class SqliteSchemaStore final : public Store {
 public:
  // `schema` must outlive the store (the kXxxSchema constants do).
  SqliteSchemaStore(const std::string& path, std::string_view schema);

  UserRepository& users() override { return users_; }
  MessageRepository& messages() override { return messages_; }
  GroupRepository& groups() override { return groups_; }
  GroupMemberRepository& groupMembers() override { return group_members_; }
  RelationshipRepository& relationships() override { return relationships_; }
  ConversationRepository& conversations() override { return conversations_; }
  SequenceIds& sequenceIds() override { return sequence_ids_; }
  // Every commit is already durable (synchronous=FULL); there is nothing to flush.
  void flush() override {}
  Result<bool> isEmpty() override;
  Result<bool> claimDemoSeeding() override { return isEmpty(); }

  // For tests of the SQLite specifics (query plans, raw rows).
  sqlite::Database& db() { return db_; }

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

// SqliteSchemaStore in a temp dir of its own.
class SqliteSchemaTestEnv final : public contract::StoreTestEnv {
 public:
  explicit SqliteSchemaTestEnv(std::string_view schema) : schema_(schema) {}

  std::unique_ptr<Store> open() override { return openSchemaStore(); }
  std::unique_ptr<SqliteSchemaStore> openSchemaStore();

 private:
  std::string_view schema_;
  TempDir dir_{"parley-store"};
};

// The contract suites' parameters (named "sqlite") for the two environments above.
contract::StoreContractParam sqliteStoreContractParam();
contract::StoreContractParam sqliteSchemaContractParam(std::string_view schema);

}  // namespace parley::testing
