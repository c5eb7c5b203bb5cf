#pragma once
// Who is online, on which device type, on which node. The embedded default keeps it in process;
// the Redis implementation shares it between nodes (one hash per user, as upstream's
// turms-server-common SessionLocationService / UserStatusService keep it).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

// Values of im.turms.proto.DeviceType and UserStatus, so no proto header is needed here.
using DeviceType = int32_t;
using UserStatus = int32_t;
constexpr UserStatus kUserStatusAvailable = 0;
constexpr UserStatus kUserStatusOffline = 1;  // im.turms.proto.UserStatus.OFFLINE
constexpr UserStatus kUserStatusInvisible = 2;

struct DeviceSession {
  DeviceType device_type = 0;
  std::string node_id;
  int64_t login_date = 0;
};

struct UserOnlineInfo {
  int64_t user_id = 0;
  UserStatus status = kUserStatusOffline;  // OFFLINE when no device is online
  std::vector<DeviceSession> devices;
  // Devices registered on nodes that are not live (crashed, or gone without unregistering
  // them): they count as offline, and a push to them cannot be delivered.
  std::vector<DeviceSession> unreachable;
  // The registry may have lost this user's entries moments ago (Redis lost data and the nodes
  // are still writing their sessions back, which takes up to one heartbeat interval): devices may
  // be missing, so a push is offered to every live node rather than to the listed ones only.
  bool may_be_incomplete = false;
};

struct DeviceRegistration {
  // The entry this one replaced (the caller closes that session), if any.
  std::optional<DeviceSession> previous;
  // The login date recorded: now_millis, or one millisecond after the date of the session of
  // the same device type this node registered last, when that is not older. A session is told
  // apart from its successor by its login date: unregisterDevice removes only its own.
  int64_t login_date = 0;
};

class SessionRegistry {
 public:
  virtual ~SessionRegistry() = default;

  // Records user_id's device as online on node_id with the given status. When that device type
  // is already registered, the previous entry is returned (the caller kicks it) and replaced.
  virtual Result<DeviceRegistration> registerDevice(int64_t user_id, DeviceType device_type,
                                                    UserStatus status, const std::string& node_id,
                                                    int64_t now_millis) = 0;
  // Removes the device only if the session registered on node_id with this login date still
  // owns it (a newer login, here or elsewhere, is kept).
  virtual VoidResult unregisterDevice(int64_t user_id, DeviceType device_type,
                                      const std::string& node_id, int64_t login_date) = 0;
  // false when the user has no online device.
  virtual Result<bool> setStatus(int64_t user_id, UserStatus status) = 0;
  virtual Result<std::vector<UserOnlineInfo>> query(std::span<const int64_t> user_ids) = 0;
  // Online users in id order after after_user_id, for the admin API.
  virtual Result<std::vector<UserOnlineInfo>> listOnline(int64_t after_user_id, int limit) = 0;
  virtual Result<int64_t> countOnlineUsers() = 0;
};

std::unique_ptr<SessionRegistry> makeInProcessSessionRegistry();

}  // namespace parley
