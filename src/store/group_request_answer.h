#pragma once
// Group invitations and group join requests are answered alike: once, while PENDING and not
// expired, and an accept makes someone a member. The stores write both through one shared path
// (sqlite/sqlite_group_request.h, mongo/mongo_group_request.h), which takes an answer of either
// kind in this one shape.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "store/friend_request_repository.h"
#include "store/group_invitation_repository.h"
#include "store/group_join_request_repository.h"
#include "store/group_repository.h"

namespace parley {

struct GroupRequestAnswer {
  int64_t request_id = 0;
  RequestStatus status = RequestStatus::kDeclined;
  std::optional<int64_t> responder_id;  // stored only by kinds that record who answered
  std::optional<std::string> reason;    // unset = keep
  int64_t now_millis = 0;
  int64_t expired_before = 0;  // a PENDING request created before this is not changed; 0 = never
};

inline GroupRequestAnswer answerOf(const GroupInvitationReply& reply) {
  return {.request_id = reply.invitation_id,
          .status = reply.status,
          .responder_id = std::nullopt,
          .reason = reply.reason,
          .now_millis = reply.now_millis,
          .expired_before = reply.expired_before};
}

inline GroupRequestAnswer answerOf(const GroupJoinRequestReply& reply) {
  return {.request_id = reply.request_id,
          .status = reply.status,
          .responder_id = reply.responder_id,
          .reason = reply.reason,
          .now_millis = reply.now_millis,
          .expired_before = reply.expired_before};
}

// The group and users whose versions a change of one request moves, in the order each store's
// kind lists them (an invitation's inviter and invitee, a join request's requester).
struct GroupRequestParties {
  static constexpr size_t kMaxUsers = 2;
  int64_t group_id = 0;
  std::array<int64_t, kMaxUsers> user_ids{};

  bool operator==(const GroupRequestParties&) const = default;
};

// replyIfPending never writes ACCEPTED (that is acceptIfPending, which adds the member) nor
// PENDING; both stores refuse them with this.
inline bool isRefusedReply(RequestStatus status) {
  return status == RequestStatus::kAccepted || status == RequestStatus::kPending;
}

// Who an accept adds: a MEMBER joined now (a member already stays as they are; the stores' inserts
// skip them).
inline GroupMemberRecord joiningMember(int64_t group_id, int64_t user_id, int64_t now_millis) {
  GroupMemberRecord member;
  member.group_id = group_id;
  member.user_id = user_id;
  member.role = kGroupRoleMember;
  member.join_date = now_millis;
  return member;
}

}  // namespace parley
