#pragma once
// What a requester sees of a user's online status (QueryUserOnlineStatuses, group members with
// status): upstream's rule (ProtoModelConvertor.userSessionsStatus2proto) and its switch
// user.respond-offline-if-invisible.
#include "online/session_registry.h"
#include "turms/model_user.pb.h"

namespace parley {

// OFFLINE without devices; INVISIBLE as it is unless respond_offline_if_invisible, then OFFLINE
// to everyone but the user themselves (who always sees their own status).
inline im::turms::proto::UserStatus visibleStatus(const UserOnlineInfo& info, bool is_requester,
                                                  bool respond_offline_if_invisible) {
  if (info.devices.empty()) return im::turms::proto::OFFLINE;
  if (info.status == kUserStatusInvisible && respond_offline_if_invisible && !is_requester) {
    return im::turms::proto::OFFLINE;
  }
  return static_cast<im::turms::proto::UserStatus>(info.status);
}

}  // namespace parley
