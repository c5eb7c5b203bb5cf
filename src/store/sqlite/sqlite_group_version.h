#pragma once
// The sync versions kept as nullable columns of `group_info` (NULL = never changed), beside the
// members version: one per kind of a group's data that clients fetch by date. Upstream keeps the
// same dates in its groupVersion collection.
#include <cstdint>
#include <optional>

#include "core/result.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

enum class GroupVersionColumn {
  kBlocklist,      // migration 16
  kInvitations,    // migration 18
  kJoinRequests,   // migration 19
  kJoinQuestions,  // migration 20
};

// Inside the caller's transaction, with db's lock held: moves the group's column forward to
// max(now, stored + 1), as the members version, so that two changes within one millisecond (or a
// clock that stepped back) still give a client holding the older version fresh data. A group
// that does not exist has no version to move.
VoidResult moveGroupVersionForwardLocked(Database& db, int64_t group_id, GroupVersionColumn column,
                                         int64_t now_millis);

// nullopt when the group does not exist or the kind never changed.
Result<std::optional<int64_t>> findGroupVersion(ReaderPool& readers, int64_t group_id,
                                                GroupVersionColumn column);

}  // namespace parley::sqlite
