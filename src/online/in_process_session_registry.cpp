#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "online/session_registry.h"

namespace parley {
namespace {

// Ranges of im.turms.proto.DeviceType and UserStatus. Checked here so every registry
// implementation rejects the same values (the Redis one stores them as single bytes).
constexpr DeviceType kMaxDeviceType = 5;  // UNKNOWN
constexpr UserStatus kMaxUserStatus = 6;  // BE_RIGHT_BACK

bool isValidDeviceType(DeviceType device_type) {
  return device_type >= 0 && device_type <= kMaxDeviceType;
}

// OFFLINE is not a status one can be online with: Turms rejects it at login, and an
// UpdateUserOnlineStatusRequest{OFFLINE} means "disconnect", which the caller handles.
bool isValidOnlineStatus(UserStatus status) {
  return status >= 0 && status <= kMaxUserStatus && status != kUserStatusOffline;
}

// Single-node registry. One mutex is enough for now: registry calls happen at login, logout and
// status changes, not per message.
class InProcessSessionRegistry final : public SessionRegistry {
 public:
  Result<DeviceRegistration> registerDevice(int64_t user_id, DeviceType device_type,
                                            UserStatus status, const std::string& node_id,
                                            int64_t now_millis) override {
    if (!isValidDeviceType(device_type)) {
      return error(StatusCode::kIllegalArgument, "invalid device type");
    }
    if (!isValidOnlineStatus(status)) {
      return error(StatusCode::kIllegalArgument, "invalid user status for an online device");
    }
    std::lock_guard lock(mutex_);
    UserEntry& user = users_[user_id];
    user.status = status;
    DeviceRegistration registration{std::nullopt, now_millis};
    if (auto it = user.devices.find(device_type); it != user.devices.end()) {
      if (it->second.node_id == node_id) {
        registration.login_date = std::max(now_millis, it->second.login_date + 1);
      }
      registration.previous =
          std::exchange(it->second, DeviceSession{device_type, node_id, registration.login_date});
    } else {
      user.devices.emplace(device_type, DeviceSession{device_type, node_id, now_millis});
    }
    return registration;
  }

  VoidResult unregisterDevice(int64_t user_id, DeviceType device_type, const std::string& node_id,
                              int64_t login_date) override {
    std::lock_guard lock(mutex_);
    const auto user = users_.find(user_id);
    if (user == users_.end()) return {};
    auto& devices = user->second.devices;
    const auto device = devices.find(device_type);
    if (device == devices.end() || device->second.node_id != node_id ||
        device->second.login_date != login_date) {
      return {};
    }
    devices.erase(device);
    if (devices.empty()) users_.erase(user);
    return {};
  }

  Result<bool> setStatus(int64_t user_id, UserStatus status) override {
    if (!isValidOnlineStatus(status)) {
      return error(StatusCode::kIllegalArgument, "invalid user status for an online device");
    }
    std::lock_guard lock(mutex_);
    const auto user = users_.find(user_id);
    if (user == users_.end()) return false;
    user->second.status = status;
    return true;
  }

  Result<std::vector<UserOnlineInfo>> query(std::span<const int64_t> user_ids) override {
    std::vector<UserOnlineInfo> infos;
    infos.reserve(user_ids.size());
    std::lock_guard lock(mutex_);
    for (const int64_t user_id : user_ids) {
      const auto user = users_.find(user_id);
      infos.push_back(user == users_.end() ? UserOnlineInfo{user_id, kUserStatusOffline, {}}
                                           : toInfo(user_id, user->second));
    }
    return infos;
  }

  Result<std::vector<UserOnlineInfo>> listOnline(int64_t after_user_id, int limit) override {
    std::vector<UserOnlineInfo> infos;
    if (limit <= 0) return infos;
    std::lock_guard lock(mutex_);
    for (auto it = users_.upper_bound(after_user_id);
         it != users_.end() && infos.size() < static_cast<size_t>(limit); ++it) {
      infos.push_back(toInfo(it->first, it->second));
    }
    return infos;
  }

  Result<int64_t> countOnlineUsers() override {
    std::lock_guard lock(mutex_);
    return static_cast<int64_t>(users_.size());
  }

 private:
  // Present only while at least one device is online, so the status is forgotten on the last
  // logout, as Turms' Redis hash disappears with its last device.
  struct UserEntry {
    UserStatus status = kUserStatusAvailable;
    std::map<DeviceType, DeviceSession> devices;
  };

  static UserOnlineInfo toInfo(int64_t user_id, const UserEntry& user) {
    UserOnlineInfo info{user_id, user.status, {}};
    info.devices.reserve(user.devices.size());
    for (const auto& [type, session] : user.devices) info.devices.push_back(session);
    return info;
  }

  std::mutex mutex_;
  std::map<int64_t, UserEntry> users_;
};

}  // namespace

std::unique_ptr<SessionRegistry> makeInProcessSessionRegistry() {
  return std::make_unique<InProcessSessionRegistry>();
}

}  // namespace parley
