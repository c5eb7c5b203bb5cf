#pragma once
// Users blocked from a group (Turms' `groupBlockedUser` collection): they cannot join, be added,
// be invited or ask to join until unblocked.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "store/date_range.h"

namespace parley {

struct GroupBlockedUserRecord {
  int64_t group_id = 0;
  int64_t user_id = 0;
  int64_t block_date = 0;
  int64_t requester_id = 0;  // who blocked them

  bool operator==(const GroupBlockedUserRecord&) const = default;
};

struct GroupBlockOutcome {
  bool was_member = false;     // and is no longer
  bool newly_blocked = false;  // false: was blocked already
};

// The admin API's listing (upstream's GroupBlocklistService.queryBlockedUsers): an empty list or
// an unset range does not filter.
struct GroupBlockedUserSearch {
  std::vector<int64_t> group_ids;
  std::vector<int64_t> user_ids;
  std::vector<int64_t> requester_ids;
  DateRange block_date;
};

// Fields to change; unset ones stay as they are.
struct GroupBlockedUserUpdate {
  std::optional<int64_t> block_date;
  std::optional<int64_t> requester_id;
};

class GroupBlocklistRepository {
 public:
  virtual ~GroupBlocklistRepository() = default;

  // Blocks the user in the group. A member stops being one in the same step, moving the group's
  // members version and the user's joined-groups version as a removal does; the group's
  // blocklist version moves when anything changed. Blocking again a user blocked already removes
  // a membership left behind (a retried block that had failed halfway) and changes nothing else.
  virtual Result<GroupBlockOutcome> block(const GroupBlockedUserRecord& blocked,
                                          int64_t now_millis) = 0;
  // false when the user was not blocked. Moves the blocklist version otherwise.
  virtual Result<bool> unblock(int64_t group_id, int64_t user_id, int64_t now_millis) = 0;
  // Ordered by user id.
  virtual Result<std::vector<GroupBlockedUserRecord>> findBlocked(int64_t group_id) = 0;
  // Those of user_ids blocked in the group, ordered.
  virtual Result<std::vector<int64_t>> findBlockedAmong(int64_t group_id,
                                                        std::span<const int64_t> user_ids) = 0;
  // When the group's blocklist last changed; empty when it never did.
  virtual Result<std::optional<int64_t>> findVersion(int64_t group_id) = 0;

  // Ordered by group id, then user id: the first `skip` matches skipped, at most `limit` of the
  // rest.
  virtual Result<std::vector<GroupBlockedUserRecord>> search(const GroupBlockedUserSearch& search,
                                                             int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const GroupBlockedUserSearch& search) = 0;
  // false when the user is not blocked. Moves the blocklist version otherwise.
  virtual Result<bool> update(int64_t group_id, int64_t user_id,
                              const GroupBlockedUserUpdate& update, int64_t now_millis) = 0;
};

}  // namespace parley
