#pragma once
// Group invitations (upstream's `groupInvitation` collection) and the three versions clients sync
// them by: the group's invitations version (upstream's groupVersion.invt), and each user's sent
// and received group invitations versions (upstream's userVersion.sgi and userVersion.rgi).
//
// Expiry is computed by readers, as for friend requests: an invitation stays stored as PENDING
// after it expired, and callers pass the creation date before which a PENDING invitation counts as
// expired (`expired_before`; 0 = invitations never expire; effectiveStatus() tells).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/request_record.h"

namespace parley {

struct GroupInvitationRecord {
  int64_t id = 0;
  int64_t group_id = 0;
  int64_t inviter_id = 0;
  int64_t invitee_id = 0;
  std::string content;
  RequestStatus status = RequestStatus::kPending;
  std::optional<std::string> reason;
  int64_t creation_date = 0;
  std::optional<int64_t> response_date;

  bool operator==(const GroupInvitationRecord&) const = default;
};

// A change of a PENDING invitation: the new status, the reason (unset = keep) and when.
struct GroupInvitationReply {
  int64_t invitation_id = 0;
  RequestStatus status = RequestStatus::kDeclined;
  std::optional<std::string> reason;
  int64_t now_millis = 0;
  int64_t expired_before = 0;  // a PENDING invitation created before this is not changed
};

// The admin API's listing (upstream's GroupInvitationController).
struct GroupInvitationSearch : RequestSearch {
  std::vector<int64_t> group_ids;
  std::vector<int64_t> inviter_ids;
  std::vector<int64_t> invitee_ids;
};

class GroupInvitationRepository {
 public:
  virtual ~GroupInvitationRepository() = default;

  // Stores a new invitation and moves the group's invitations version, the inviter's sent and the
  // invitee's received versions forward (to now_millis, or just past their current value when
  // that is not earlier). An id that exists fails with kRecordContainsDuplicateKey.
  virtual VoidResult insert(const GroupInvitationRecord& invitation, int64_t now_millis) = 0;
  virtual Result<std::optional<GroupInvitationRecord>> findById(int64_t id) = 0;
  // Newest first (by creation date, then id).
  virtual Result<std::vector<GroupInvitationRecord>> findByGroup(int64_t group_id) = 0;
  virtual Result<std::vector<GroupInvitationRecord>> findByInviter(int64_t inviter_id) = 0;
  virtual Result<std::vector<GroupInvitationRecord>> findByInvitee(int64_t invitee_id) = 0;
  // The invitee's invitations to the group that are PENDING and created at or after
  // expired_before (whoever sent them), oldest first.
  virtual Result<std::vector<GroupInvitationRecord>> findPending(int64_t group_id,
                                                                 int64_t invitee_id,
                                                                 int64_t expired_before) = 0;

  // Sets the status (DECLINED, IGNORED, CANCELED), response date and reason of an invitation that
  // is PENDING and not expired, and moves its three versions forward. False when the invitation
  // does not exist or is no longer pending: nothing changes then. ACCEPTED (or PENDING) is refused
  // with kIllegalArgument: accepting is acceptIfPending.
  virtual Result<bool> replyIfPending(const GroupInvitationReply& reply) = 0;
  // ACCEPT: the invitation becomes ACCEPTED (as replyIfPending) and the invitee a MEMBER of the
  // group joined at now_millis (a member already stays as they are), with the group's members
  // version and the invitee's joined-groups version moved as GroupMemberRepository::insertMany
  // does. Never ACCEPTED without the membership (see each store for how); false when the
  // invitation is not pending (then nothing changes).
  virtual Result<bool> acceptIfPending(const GroupInvitationReply& reply) = 0;

  // Newest first (by creation date, then id): the first `skip` matches skipped, at most `limit`
  // of the rest.
  virtual Result<std::vector<GroupInvitationRecord>> search(const GroupInvitationSearch& search,
                                                            int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const GroupInvitationSearch& search) = 0;
  // Replaces every field of the stored invitation with invitation.id (an admin's edit, whatever
  // its status; nobody joins) and moves the versions of its group and users before and after the
  // change. False (nothing written) when there is no such invitation.
  virtual Result<bool> replace(const GroupInvitationRecord& invitation, int64_t now_millis) = 0;
  // Deletes the invitation and moves its three versions; false when there was none.
  virtual Result<bool> remove(int64_t id, int64_t now_millis) = 0;
  // Removes every invitation created before `created_before` whatever its status (upstream's
  // cleanup of expired invitations). Returns how many went.
  virtual Result<int64_t> removeCreatedBefore(int64_t created_before) = 0;

  // The last time one of the group's invitations (or the user's sent, or received ones) changed;
  // nullopt when none ever did.
  virtual Result<std::optional<int64_t>> findGroupVersion(int64_t group_id) = 0;
  virtual Result<std::optional<int64_t>> findSentVersion(int64_t user_id) = 0;
  virtual Result<std::optional<int64_t>> findReceivedVersion(int64_t user_id) = 0;
};

}  // namespace parley
