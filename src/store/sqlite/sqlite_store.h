#pragma once
// The embedded business store: every repository over one SQLite database. Public so that tests
// can open it over a partial schema (one domain's tables alone) and reach the database itself.
//
// Every write goes to db() (messages group-committed); reads that stand alone go to readers() (a
// few read connections, sqlite_reader_pool.h), so they never queue behind a batch that is being
// committed (its fsync), nor behind each other. Readers see only committed data, which is all a
// client may see: a write is acknowledged only once it is committed. Reads inside a write
// (read-modify-write, a write's own checks) stay on db().
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_admin_account_repository.h"
#include "store/sqlite/sqlite_conversation_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_friend_request_repository.h"
#include "store/sqlite/sqlite_group_blocklist_repository.h"
#include "store/sqlite/sqlite_group_invitation_repository.h"
#include "store/sqlite/sqlite_group_join_question_repository.h"
#include "store/sqlite/sqlite_group_join_request_repository.h"
#include "store/sqlite/sqlite_group_repository.h"
#include "store/sqlite/sqlite_group_type_repository.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "store/sqlite/sqlite_reader_pool.h"
#include "store/sqlite/sqlite_relationship_group_repository.h"
#include "store/sqlite/sqlite_relationship_repository.h"
#include "store/sqlite/sqlite_sequence_ids.h"
#include "store/sqlite/sqlite_sequence_lease_repository.h"
#include "store/sqlite/sqlite_user_repository.h"
#include "store/sqlite/sqlite_user_values_repository.h"
#include "store/store.h"

namespace parley::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens the database at path and applies `migrations` (openSqliteStore passes the full schema
  // history). Throws std::runtime_error at start-up when the database cannot be used.
  SqliteStore(const std::string& path, std::span<const Migration> migrations);

  UserRepository& users() override { return users_; }
  MessageRepository& messages() override { return messages_; }
  GroupRepository& groups() override { return groups_; }
  GroupMemberRepository& groupMembers() override { return group_members_; }
  GroupBlocklistRepository& groupBlocklist() override { return group_blocklist_; }
  GroupInvitationRepository& groupInvitations() override { return group_invitations_; }
  GroupJoinRequestRepository& groupJoinRequests() override { return group_join_requests_; }
  GroupJoinQuestionRepository& groupJoinQuestions() override { return group_join_questions_; }
  GroupTypeRepository& groupTypes() override { return group_types_; }
  RelationshipRepository& relationships() override { return relationships_; }
  RelationshipGroupRepository& relationshipGroups() override { return relationship_groups_; }
  UserValuesRepository& userSettings() override { return user_settings_; }
  UserValuesRepository& userDefinedAttributes() override { return user_defined_attributes_; }
  FriendRequestRepository& friendRequests() override { return friend_requests_; }
  ConversationRepository& conversations() override { return conversations_; }
  SequenceIds& sequenceIds() override { return sequence_ids_; }
  SequenceLeaseRepository& sequenceLeases() override { return sequence_leases_; }
  AdminAccountRepository& adminAccounts() override { return admin_accounts_; }
  void flush() override;
  VoidResult ping() override;
  Result<bool> isEmpty() override;
  // One node per SQLite file, so the only question is whether the store is still empty.
  Result<bool> claimDemoSeeding() override { return isEmpty(); }
  std::optional<StoreMetrics> metrics() override;
  Result<std::string> sharedSetting(std::string_view name,
                                    std::string_view value_if_absent) override;
  std::unique_ptr<SharedVerificationCache> openVerificationCache(const Clock& clock,
                                                                 int64_t ttl_millis,
                                                                 size_t capacity) override;

  // For tests of the SQLite specifics (query plans, raw rows).
  Database& db() { return db_; }
  ReaderPool& readers() { return readers_; }

 private:
  Database db_;
  // Opened after db_, which creates the file and switches it to WAL mode.
  ReaderPool readers_;
  SqliteUserRepository users_;
  SqliteMessageRepository messages_;
  SqliteGroupRepository groups_;
  SqliteGroupMemberRepository group_members_;
  SqliteGroupBlocklistRepository group_blocklist_;
  SqliteGroupInvitationRepository group_invitations_;
  SqliteGroupJoinRequestRepository group_join_requests_;
  SqliteGroupJoinQuestionRepository group_join_questions_;
  SqliteGroupTypeRepository group_types_;
  SqliteRelationshipRepository relationships_;
  SqliteRelationshipGroupRepository relationship_groups_;
  SqliteUserValuesRepository user_settings_;
  SqliteUserValuesRepository user_defined_attributes_;
  SqliteFriendRequestRepository friend_requests_;
  SqliteConversationRepository conversations_;
  SqliteSequenceIds sequence_ids_;
  SqliteSequenceLeaseRepository sequence_leases_;
  SqliteAdminAccountRepository admin_accounts_;
};

// The schema version a store of this build has once migrated: the last of its migrations.
int latestSchemaVersion();

}  // namespace parley::sqlite
