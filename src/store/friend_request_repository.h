#pragma once
// Friend requests (Turms' `userFriendRequest`) and the two versions clients sync them by: each
// user's sent and received friend requests' last-updated dates (upstream's userVersion.sfr and
// userVersion.rfr).
//
// Expiry is computed by readers, as upstream: a request stays stored as PENDING after it
// expired, and callers pass the creation date before which a PENDING request counts as expired
// (`expired_before`; 0 = requests never expire).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/request_record.h"

namespace parley {

struct FriendRequestRecord {
  int64_t id = 0;
  int64_t requester_id = 0;
  int64_t recipient_id = 0;
  std::string content;
  RequestStatus status = RequestStatus::kPending;
  std::optional<std::string> reason;
  int64_t creation_date = 0;
  std::optional<int64_t> response_date;

  bool operator==(const FriendRequestRecord&) const = default;
};

// A change of a PENDING request: the new status, the reason (unset = keep) and when.
struct FriendRequestReply {
  int64_t request_id = 0;
  RequestStatus status = RequestStatus::kDeclined;
  std::optional<std::string> reason;
  int64_t now_millis = 0;
  int64_t expired_before = 0;  // a PENDING request created before this is not changed
};

// The admin API's listing (upstream's UserFriendRequestController).
struct FriendRequestSearch : RequestSearch {
  std::vector<int64_t> requester_ids;
  std::vector<int64_t> recipient_ids;
};

class FriendRequestRepository {
 public:
  virtual ~FriendRequestRepository() = default;

  // Stores a new request and moves the requester's sent and the recipient's received versions
  // forward (to now_millis, or just past their current value when that is not earlier). A request
  // whose id exists fails with kRecordContainsDuplicateKey.
  virtual VoidResult insert(const FriendRequestRecord& request, int64_t now_millis) = 0;
  virtual Result<std::optional<FriendRequestRecord>> findById(int64_t id) = 0;
  // Every request from requester_id to recipient_id (any status), oldest first.
  virtual Result<std::vector<FriendRequestRecord>> findBetween(int64_t requester_id,
                                                               int64_t recipient_id) = 0;
  // Every request sent by (or to) the user, newest first.
  virtual Result<std::vector<FriendRequestRecord>> findByRequester(int64_t requester_id) = 0;
  virtual Result<std::vector<FriendRequestRecord>> findByRecipient(int64_t recipient_id) = 0;

  // Sets the status (DECLINED, IGNORED, CANCELED, ...), response date and reason of a request
  // that is PENDING and not expired, and moves both users' versions forward. False when the
  // request does not exist or is no longer pending: nothing changes then. ACCEPTED (or PENDING)
  // is refused with kIllegalArgument: accepting is acceptIfPending.
  virtual Result<bool> replyIfPending(const FriendRequestReply& reply) = 0;
  // ACCEPT as one step: the request becomes ACCEPTED (as replyIfPending) and the two users become
  // friends on both sides: a missing relationship is created in the default group (0) with
  // establishment date now_millis; an existing one is unblocked and keeps its name, group and
  // establishment date. Either all of it happens or, after a failure, nothing is visible that a
  // retry or the store's own recovery would not complete: never one side without the other, never
  // an ACCEPTED request without the friendship (see each store for how). False when the request
  // is not pending (then nothing changes).
  virtual Result<bool> acceptIfPending(const FriendRequestReply& reply) = 0;
  // Completes the accepts that a failure interrupted before started_before (a store that accepts
  // in one transaction has none). Run periodically by the cleanup job; returns how many it
  // completed.
  virtual Result<int64_t> finishInterruptedAccepts(int64_t started_before) = 0;

  // Newest first (by creation date, then id): the first `skip` matches skipped, at most `limit`
  // of the rest.
  virtual Result<std::vector<FriendRequestRecord>> search(const FriendRequestSearch& search,
                                                          int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const FriendRequestSearch& search) = 0;
  // Replaces every field of the stored request with request.id (an admin's edit, whatever its
  // status) and moves the versions of its users before and after the change. False (nothing
  // written) when there is no such request.
  virtual Result<bool> replace(const FriendRequestRecord& request, int64_t now_millis) = 0;
  // Deletes the request and moves its users' versions; false when there was none.
  virtual Result<bool> remove(int64_t id, int64_t now_millis) = 0;

  // Removes every request created before `created_before` whatever its status (upstream's
  // cleanup of expired requests). Returns how many went.
  virtual Result<int64_t> removeCreatedBefore(int64_t created_before) = 0;

  // The user's version of the requests they sent (or received): the last time one changed;
  // nullopt when none ever did.
  virtual Result<std::optional<int64_t>> findSentVersion(int64_t user_id) = 0;
  virtual Result<std::optional<int64_t>> findReceivedVersion(int64_t user_id) = 0;
};

}  // namespace parley
