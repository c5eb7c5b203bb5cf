#pragma once
// Reads an SQLite store table by table, in pages, for `parley migrate`. It only lists keys (and
// the few rows no repository method returns whole); the records themselves come from the store's
// repositories, so the mapping of columns to records stays in one place.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "online/sequence_ids.h"
#include "store/conversation_repository.h"

namespace parley::sqlite {

class Database;

enum class ExportTable {
  kUser,
  kMessage,
  kGroup,
  kGroupMember,
  kGroupBlockedUser,
  kGroupType,
  kRelationship,
  kRelationshipGroup,
  kUserSettings,
  kUserDefinedAttributes,
  kFriendRequest,
  kGroupInvitation,
  kGroupJoinRequest,
  kGroupJoinQuestion,
  kPrivateConversation,
  kGroupConversation,
  kConversationSettings,
  kSequenceId,
};

std::string_view tableName(ExportTable table);

struct SequenceCounter {
  ConversationKey key;
  int64_t value = 0;  // the last id handed out
};

class SqliteExport {
 public:
  // Opens data_dir/parley.db, which must exist and be fully migrated (opened by a Parley of this
  // version, e.g. via openSqliteStore). Throws std::runtime_error (start-up only).
  explicit SqliteExport(const std::string& data_dir);
  ~SqliteExport();
  SqliteExport(const SqliteExport&) = delete;
  SqliteExport& operator=(const SqliteExport&) = delete;

  const std::string& path() const { return path_; }

  Result<int64_t> rowCount(ExportTable table);
  // Ascending distinct ids greater than after_id: the key of users, messages and groups, and the
  // first key column of the others (group of members, invitations, join requests, join questions
  // and group read dates, owner of relationships, private conversations and settings). Not for
  // kSequenceId.
  Result<std::vector<int64_t>> keys(ExportTable table, int64_t after_id, int limit);
  // Rows after (owner_id, target_id), in key order.
  Result<std::vector<PrivateConversationRecord>> privateConversations(int64_t after_owner_id,
                                                                      int64_t after_target_id,
                                                                      int limit);
  // Counters after `after`, in key order (is_group, a, b).
  Result<std::vector<SequenceCounter>> sequenceCounters(const ConversationKey& after, int limit);

 private:
  std::string path_;
  std::unique_ptr<Database> db_;
};

}  // namespace parley::sqlite
