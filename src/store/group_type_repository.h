#pragma once
// Group types (upstream's `groupType` collection): every group has one, and every group rule
// (size limit, who may invite, how one joins, who may edit) is read from it. The DEFAULT type
// (id 0) always exists: each store adds it when it opens and the admin API refuses to delete it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

// The enums carry upstream's ordinals, which is how upstream stores them (GroupInvitationStrategy,
// GroupJoinStrategy and GroupUpdateStrategy in turms-service domain/group/bo).
enum class GroupInvitationStrategy : int32_t {
  kAllRequiringApproval = 0,
  kOwnerManagerMemberRequiringApproval = 1,
  kOwnerManagerRequiringApproval = 2,
  kOwnerRequiringApproval = 3,
  kAll = 4,
  kOwnerManagerMember = 5,
  kOwnerManager = 6,
  kOwner = 7,
};
inline constexpr int32_t kGroupInvitationStrategyCount = 8;

enum class GroupJoinStrategy : int32_t {
  kMembershipRequest = 0,
  kInvitation = 1,
  kQuestion = 2,
  kJoinRequest = 3,
};
inline constexpr int32_t kGroupJoinStrategyCount = 4;

enum class GroupUpdateStrategy : int32_t {
  kAll = 0,
  kOwnerManagerMember = 1,
  kOwnerManager = 2,
  kOwner = 3,
};
inline constexpr int32_t kGroupUpdateStrategyCount = 4;

inline constexpr int64_t kDefaultGroupTypeId = 0;

struct GroupTypeRecord {
  int64_t id = 0;
  std::string name;
  int32_t group_size_limit = 0;
  GroupInvitationStrategy invitation_strategy = GroupInvitationStrategy::kAllRequiringApproval;
  GroupJoinStrategy join_strategy = GroupJoinStrategy::kMembershipRequest;
  GroupUpdateStrategy group_info_update_strategy = GroupUpdateStrategy::kAll;
  GroupUpdateStrategy member_info_update_strategy = GroupUpdateStrategy::kAll;
  bool guest_speakable = false;
  bool self_info_updatable = false;
  bool enable_read_receipt = false;
  bool message_editable = false;

  bool operator==(const GroupTypeRecord&) const = default;
};

// Upstream's DEFAULT type (GroupTypeService.addDefaultGroupType).
inline GroupTypeRecord defaultGroupType() {
  return {.id = kDefaultGroupTypeId,
          .name = "DEFAULT",
          .group_size_limit = 500,
          .invitation_strategy = GroupInvitationStrategy::kOwnerManagerMemberRequiringApproval,
          .join_strategy = GroupJoinStrategy::kInvitation,
          .group_info_update_strategy = GroupUpdateStrategy::kOwnerManager,
          .member_info_update_strategy = GroupUpdateStrategy::kOwnerManager,
          .guest_speakable = false,
          .self_info_updatable = true,
          .enable_read_receipt = true,
          .message_editable = true};
}

// Fields to change; unset ones stay as they are.
struct GroupTypeUpdate {
  std::optional<std::string> name;
  std::optional<int32_t> group_size_limit;
  std::optional<GroupInvitationStrategy> invitation_strategy;
  std::optional<GroupJoinStrategy> join_strategy;
  std::optional<GroupUpdateStrategy> group_info_update_strategy;
  std::optional<GroupUpdateStrategy> member_info_update_strategy;
  std::optional<bool> guest_speakable;
  std::optional<bool> self_info_updatable;
  std::optional<bool> enable_read_receipt;
  std::optional<bool> message_editable;

  bool empty() const {
    return !name && !group_size_limit && !invitation_strategy && !join_strategy &&
           !group_info_update_strategy && !member_info_update_strategy && !guest_speakable &&
           !self_info_updatable && !enable_read_receipt && !message_editable;
  }
};

class GroupTypeRepository {
 public:
  virtual ~GroupTypeRepository() = default;
  // kRecordContainsDuplicateKey when the id is taken.
  virtual VoidResult insert(const GroupTypeRecord& type) = 0;
  virtual Result<std::optional<GroupTypeRecord>> findById(int64_t id) = 0;
  // Ordered by id: the first `skip` skipped, at most `limit` of the rest.
  virtual Result<std::vector<GroupTypeRecord>> findAll(int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count() = 0;
  // Returns how many of the types exist (matched, as upstream's UpdateResult counts them), changed
  // or not.
  virtual Result<int64_t> update(std::span<const int64_t> ids, const GroupTypeUpdate& update) = 0;
  // Returns how many were deleted. Callers keep the DEFAULT type out of ids.
  virtual Result<int64_t> remove(std::span<const int64_t> ids) = 0;
};

}  // namespace parley
