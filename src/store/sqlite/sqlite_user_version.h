#pragma once
// The `user_version` table: one row per user, one nullable column per kind of data clients sync
// by date (NULL = never changed). Upstream keeps the same dates in its userVersion collection.
#include <cstdint>
#include <optional>

#include "core/result.h"
#include "store/relationship_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

enum class UserVersionColumn {
  kSentFriendRequests,
  kReceivedFriendRequests,
  kRelationships,
  kRelationshipGroups,
  kRelationshipGroupMembers,
  kUserSettings,
  kUserDefinedAttributes,
  kSentGroupInvitations,      // migration 18
  kReceivedGroupInvitations,  // migration 18
  kSentGroupJoinRequests,     // migration 19
};

// Inside the caller's transaction, with db's lock held: moves the column forward to
// max(now, stored + 1), so that two changes within one millisecond (or a clock that stepped back)
// still give a client holding the older version fresh data.
VoidResult moveUserVersionForwardLocked(Database& db, int64_t user_id, UserVersionColumn column,
                                        int64_t now_millis);

// The owner's relationship versions `moves` names (store/relationship_repository.h), inside the
// caller's transaction.
VoidResult moveRelationshipVersionsLocked(Database& db, int64_t owner_id,
                                          RelationshipVersionMoves moves, int64_t now_millis);

// The column's name, for statements that join user_version.
const char* userVersionColumnName(UserVersionColumn column);

Result<std::optional<int64_t>> findUserVersion(ReaderPool& readers, int64_t user_id,
                                               UserVersionColumn column);

}  // namespace parley::sqlite
