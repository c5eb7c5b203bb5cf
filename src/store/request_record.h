#pragma once
// What every kind of request (friend requests, group invitations, group join requests) shares:
// Turms' RequestStatus, how expiry reads, and the admin API's search filters. The kinds differ
// only in who they name (requester and recipient; group, inviter and invitee; group, requester
// and responder).
#include <cstdint>
#include <vector>

#include "store/date_range.h"

namespace parley {

// Turms' RequestStatus, stored as its number (upstream stores the enum's ordinal, the same).
enum class RequestStatus : int32_t {
  kPending = 0,
  kAccepted = 1,
  kAcceptedWithoutConfirm = 2,
  kDeclined = 3,
  kIgnored = 4,
  kExpired = 5,
  kCanceled = 6,
};

// What a caller sees of a stored request (a friend request, a group invitation: any record with a
// status and a creation date) at a moment: PENDING past expired_before reads EXPIRED.
template <typename Record>
RequestStatus effectiveStatus(const Record& request, int64_t expired_before) {
  if (request.status == RequestStatus::kPending && request.creation_date < expired_before) {
    return RequestStatus::kExpired;
  }
  return request.status;
}

// The filters of an admin listing (upstream's request controllers) that every kind has; each
// kind's search adds the ids of whom it names. An empty list or an unset range does not filter.
struct RequestSearch {
  std::vector<int64_t> ids;
  // Compared with effectiveStatus(request, expired_before): EXPIRED also finds the PENDING
  // requests created before expired_before, PENDING only the others.
  std::vector<RequestStatus> statuses;
  DateRange creation_date;
  DateRange response_date;
  int64_t expired_before = 0;
};

}  // namespace parley
