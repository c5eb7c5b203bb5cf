#pragma once
// Encoders for everything the gateway writes to clients. Each returns the encoded
// TurmsNotification bytes, shared so that one encoding serves every recipient.
#include <cstdint>
#include <optional>
#include <string>

#include "core/status_code.h"
#include "net/connection.h"
#include "turms/turms_notification.pb.h"

namespace parley::notifications {

using im::turms::proto::TurmsNotification;
using im::turms::proto::TurmsRequest;

// Upstream's SessionCloseStatus values (turms-server-common's SessionCloseStatus).
enum class CloseStatus : int32_t {
  kIllegalRequest = 100,
  kHeartbeatTimeout = 110,
  kLoginTimeout = 111,
  kServerError = 200,
  kServerClosed = 201,
  kServerUnavailable = 202,
  kDisconnectedByClient = 500,
  kDisconnectedByOtherDevice = 501,
  kDisconnectedByAdmin = 600,
  kUserIsDeletedOrInactivated = 700,
  kUserIsBlocked = 701,
};

constexpr int32_t toInt(CloseStatus status) { return static_cast<int32_t>(status); }

// Heartbeat failures carry this request id so clients can tell them apart.
constexpr int64_t kHeartbeatFailureRequestId = -100;

net::Payload encode(const TurmsNotification& notification);

net::Payload response(int64_t now, int64_t request_id, StatusCode code, const std::string& reason,
                      const TurmsNotification::Data* data);
net::Payload closeSignal(int64_t now, int32_t close_status, std::optional<StatusCode> code,
                         const std::string& reason);
net::Payload heartbeatFailure(int64_t now, StatusCode code);
net::Payload sessionInfo(int64_t now, const std::string& session_id, const std::string& server_id);
net::Payload relay(int64_t now, const TurmsRequest& request, int64_t requester_id,
                   std::optional<int64_t> sequence_id = std::nullopt);

// The empty frame: a heartbeat answer.
net::Payload heartbeat();

}  // namespace parley::notifications
