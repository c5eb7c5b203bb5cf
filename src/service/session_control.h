#pragma once
// What business handlers may ask of the gateway: push frames to users' sessions and close
// sessions. In one process the gateway implements it directly; across nodes it becomes RPC.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/status_code.h"

namespace parley {

class SessionControl {
 public:
  virtual ~SessionControl() = default;

  // Writes the same encoded TurmsNotification to every online session of user_ids, except the
  // session (except_user_id, except_device_type) when except_user_id != 0.
  virtual void pushToUsers(std::span<const int64_t> user_ids,
                           std::shared_ptr<const std::string> notification,
                           int64_t except_user_id = 0, int32_t except_device_type = -1) = 0;

  // Closes the user's sessions on the given device types (all when empty) with a close signal.
  virtual void closeUserSessions(int64_t user_id, std::span<const int32_t> device_types,
                                 int32_t close_status, StatusCode code,
                                 const std::string& reason) = 0;
};

}  // namespace parley
