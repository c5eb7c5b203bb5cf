#pragma once
// Groups and their members (Turms' `group` and `groupMember` collections).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/date_range.h"

namespace parley {

struct GroupRecord {
  int64_t id = 0;
  int64_t type_id = 0;  // 0 = DEFAULT
  int64_t creator_id = 0;
  int64_t owner_id = 0;
  std::string name;
  std::string intro;
  std::string announcement;
  int32_t minimum_score = 0;
  std::optional<int64_t> mute_end_date;
  int64_t creation_date = 0;
  std::optional<int64_t> deletion_date;  // set = deleted (soft)
  int64_t last_updated_date = 0;
  // Version of the member list, for QueryGroupMembers' ALREADY_UP_TO_DATE: every member change
  // moves it forward (strictly, even within one millisecond).
  int64_t members_last_updated_date = 0;
  bool is_active = true;
};

struct GroupUpdate {
  std::optional<std::string> name;
  std::optional<std::string> intro;
  std::optional<std::string> announcement;
  std::optional<int32_t> minimum_score;
  std::optional<int64_t> type_id;
  std::optional<int64_t> mute_end_date;
  std::optional<int64_t> owner_id;
  // Only the admin API changes these (upstream's UpdateGroupDTO).
  std::optional<int64_t> creator_id;
  std::optional<int64_t> creation_date;
  std::optional<bool> is_active;
  int64_t last_updated_date = 0;
};

// The admin API's listing of groups (upstream's GroupService.queryGroups): an empty list or an
// unset range does not filter. Deleted groups are listed too.
struct GroupSearch {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
  std::vector<int64_t> creator_ids;
  std::vector<int64_t> owner_ids;
  // Groups that any of these users is a member of.
  std::vector<int64_t> member_ids;
  std::optional<bool> is_active;
  DateRange creation_date;
  DateRange deletion_date;
  DateRange last_updated_date;
  DateRange mute_end_date;
};

// im.turms.proto.GroupMemberRole values.
constexpr int32_t kGroupRoleOwner = 0;
constexpr int32_t kGroupRoleManager = 1;
constexpr int32_t kGroupRoleMember = 2;
constexpr int32_t kGroupRoleGuest = 3;
constexpr int32_t kGroupRoleAnonymousGuest = 4;

struct GroupMemberRecord {
  int64_t group_id = 0;
  int64_t user_id = 0;
  std::string name;
  int32_t role = kGroupRoleMember;
  int64_t join_date = 0;
  std::optional<int64_t> mute_end_date;

  bool operator==(const GroupMemberRecord&) const = default;
};

// Fields to change; unset ones stay as they are.
struct GroupMemberUpdate {
  std::optional<std::string> name;
  std::optional<int32_t> role;
  std::optional<int64_t> join_date;      // the admin API's only
  std::optional<int64_t> mute_end_date;  // a past date unmutes
};

// The admin API's listing of members (upstream's GroupMemberService.queryGroupMembers): an empty
// list or an unset range does not filter.
struct GroupMemberSearch {
  std::vector<int64_t> group_ids;
  std::vector<int64_t> user_ids;
  std::vector<int32_t> roles;
  DateRange join_date;
  DateRange mute_end_date;
};

class GroupRepository {
 public:
  virtual ~GroupRepository() = default;
  virtual VoidResult insert(const GroupRecord& group) = 0;
  virtual Result<std::optional<GroupRecord>> findById(int64_t id) = 0;
  virtual Result<std::vector<GroupRecord>> findByIds(std::span<const int64_t> ids) = 0;
  virtual Result<bool> update(int64_t id, const GroupUpdate& update) = 0;
  virtual Result<bool> softDelete(int64_t id, int64_t now_millis) = 0;
  // Ordered by id: the first `skip` matches skipped, at most `limit` of the rest.
  virtual Result<std::vector<GroupRecord>> search(const GroupSearch& search, int64_t skip,
                                                  int64_t limit) = 0;
  virtual Result<int64_t> count(const GroupSearch& search) = 0;
};

class GroupMemberRepository {
 public:
  virtual ~GroupMemberRepository() = default;
  // Every change below also moves the group's members_last_updated_date and, when someone joins
  // or leaves, that user's joined-groups version forward, in the same write; now_millis (or the
  // new member's join_date) is the caller's clock.

  // Existing (group, user) pairs are skipped; returns how many were added.
  virtual Result<int64_t> insertMany(std::span<const GroupMemberRecord> members) = 0;
  virtual Result<int64_t> remove(int64_t group_id, std::span<const int64_t> user_ids,
                                 int64_t now_millis) = 0;
  virtual Result<int64_t> removeAll(int64_t group_id, int64_t now_millis) = 0;
  virtual Result<std::optional<GroupMemberRecord>> find(int64_t group_id, int64_t user_id) = 0;
  // user_ids empty = every member. Ordered by user id.
  virtual Result<std::vector<GroupMemberRecord>> findMembers(int64_t group_id,
                                                             std::span<const int64_t> user_ids) = 0;
  virtual Result<std::vector<int64_t>> findMemberIds(int64_t group_id) = 0;
  virtual Result<std::vector<int64_t>> findJoinedGroupIds(int64_t user_id) = 0;
  // When the user's set of joined groups last changed; empty when it never did.
  virtual Result<std::optional<int64_t>> findJoinedGroupsVersion(int64_t user_id) = 0;
  // false when the user is not a member.
  virtual Result<bool> updateRole(int64_t group_id, int64_t user_id, int32_t role,
                                  int64_t now_millis) = 0;
  // false when the user is not a member.
  virtual Result<bool> update(int64_t group_id, int64_t user_id, const GroupMemberUpdate& update,
                              int64_t now_millis) = 0;
  // Ordered by group id, then user id: the first `skip` matches skipped, at most `limit` of the
  // rest.
  virtual Result<std::vector<GroupMemberRecord>> search(const GroupMemberSearch& search,
                                                        int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const GroupMemberSearch& search) = 0;
};

}  // namespace parley
