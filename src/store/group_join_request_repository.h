#pragma once
// Group join requests (upstream's `groupJoinRequest` collection) and the two versions clients sync
// them by: the group's join requests version (read by its owner and managers) and each user's sent
// join requests version (upstream's userVersion.sgjr).
//
// Expiry is computed by readers, as for friend requests and group invitations: a request stays
// stored as PENDING after it expired, and callers pass the creation date before which a PENDING
// one counts as expired (`expired_before`; 0 = never; effectiveStatus() tells).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/request_record.h"

namespace parley {

struct GroupJoinRequestRecord {
  int64_t id = 0;
  int64_t group_id = 0;
  int64_t requester_id = 0;
  // Who answered it (an owner or manager); unset while pending or when the requester recalled it.
  std::optional<int64_t> responder_id;
  std::string content;
  RequestStatus status = RequestStatus::kPending;
  std::optional<std::string> reason;
  int64_t creation_date = 0;
  std::optional<int64_t> response_date;

  bool operator==(const GroupJoinRequestRecord&) const = default;
};

// A change of a PENDING request: the new status, who answered (unset for a recall by the
// requester), the reason (unset = keep) and when.
struct GroupJoinRequestReply {
  int64_t request_id = 0;
  RequestStatus status = RequestStatus::kDeclined;
  std::optional<int64_t> responder_id;
  std::optional<std::string> reason;
  int64_t now_millis = 0;
  int64_t expired_before = 0;  // a PENDING request created before this is not changed
};

// The admin API's listing (upstream's GroupJoinRequestController).
struct GroupJoinRequestSearch : RequestSearch {
  std::vector<int64_t> group_ids;
  std::vector<int64_t> requester_ids;
  std::vector<int64_t> responder_ids;
};

class GroupJoinRequestRepository {
 public:
  virtual ~GroupJoinRequestRepository() = default;

  // Stores a new request and moves the group's join requests version and the requester's sent
  // version forward (to now_millis, or just past their current value when that is not earlier).
  // An id that exists fails with kRecordContainsDuplicateKey.
  virtual VoidResult insert(const GroupJoinRequestRecord& request, int64_t now_millis) = 0;
  virtual Result<std::optional<GroupJoinRequestRecord>> findById(int64_t id) = 0;
  // Newest first (by creation date, then id).
  virtual Result<std::vector<GroupJoinRequestRecord>> findByGroup(int64_t group_id) = 0;
  virtual Result<std::vector<GroupJoinRequestRecord>> findByRequester(int64_t requester_id) = 0;

  // Sets the status (DECLINED, IGNORED, CANCELED), responder, response date and reason of a
  // request that is PENDING and not expired, and moves its two versions forward. False when the
  // request does not exist or is no longer pending: nothing changes then. ACCEPTED (or PENDING) is
  // refused with kIllegalArgument: accepting is acceptIfPending.
  virtual Result<bool> replyIfPending(const GroupJoinRequestReply& reply) = 0;
  // ACCEPT: the request becomes ACCEPTED (as replyIfPending) and the requester a MEMBER of the
  // group joined at now_millis (a member already stays as they are), with the group's members
  // version and the requester's joined-groups version moved as GroupMemberRepository::insertMany
  // does. Never ACCEPTED without the membership (see each store for how); false when the request
  // is not pending (then nothing changes).
  virtual Result<bool> acceptIfPending(const GroupJoinRequestReply& reply) = 0;

  // Newest first (by creation date, then id): the first `skip` matches skipped, at most `limit`
  // of the rest.
  virtual Result<std::vector<GroupJoinRequestRecord>> search(const GroupJoinRequestSearch& search,
                                                             int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const GroupJoinRequestSearch& search) = 0;
  // Replaces every field of the stored request with request.id (an admin's edit, whatever its
  // status; nobody joins) and moves the versions of its group and requester before and after the
  // change. False (nothing written) when there is no such request.
  virtual Result<bool> replace(const GroupJoinRequestRecord& request, int64_t now_millis) = 0;
  // Deletes the request and moves its two versions; false when there was none.
  virtual Result<bool> remove(int64_t id, int64_t now_millis) = 0;
  // Removes every request created before `created_before` whatever its status (upstream's cleanup
  // of expired requests). Returns how many went.
  virtual Result<int64_t> removeCreatedBefore(int64_t created_before) = 0;

  // The last time one of the group's join requests (or the user's sent ones) changed; nullopt
  // when none ever did.
  virtual Result<std::optional<int64_t>> findGroupVersion(int64_t group_id) = 0;
  virtual Result<std::optional<int64_t>> findSentVersion(int64_t user_id) = 0;
};

}  // namespace parley
