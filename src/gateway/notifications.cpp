#include "gateway/notifications.h"

namespace parley::notifications {

net::Payload encode(const TurmsNotification& notification) {
  auto bytes = std::make_shared<std::string>();
  notification.SerializeToString(bytes.get());
  return bytes;
}

net::Payload response(int64_t now, int64_t request_id, StatusCode code, const std::string& reason,
                      const TurmsNotification::Data* data) {
  TurmsNotification n;
  n.set_timestamp(now);
  n.set_request_id(request_id);
  n.set_code(toInt(code));
  if (!reason.empty()) n.set_reason(reason);
  if (data) *n.mutable_data() = *data;
  return encode(n);
}

net::Payload closeSignal(int64_t now, int32_t close_status, std::optional<StatusCode> code,
                         const std::string& reason) {
  TurmsNotification n;
  n.set_timestamp(now);
  n.set_close_status(close_status);
  if (code) n.set_code(toInt(*code));
  if (!reason.empty()) n.set_reason(reason);
  return encode(n);
}

net::Payload heartbeatFailure(int64_t now, StatusCode code) {
  TurmsNotification n;
  n.set_timestamp(now);
  n.set_request_id(kHeartbeatFailureRequestId);
  n.set_code(toInt(code));
  return encode(n);
}

net::Payload sessionInfo(int64_t now, const std::string& session_id, const std::string& server_id) {
  TurmsNotification n;
  n.set_timestamp(now);
  auto* session = n.mutable_data()->mutable_user_session();
  session->set_session_id(session_id);
  session->set_server_id(server_id);
  return encode(n);
}

net::Payload relay(int64_t now, const TurmsRequest& request, int64_t requester_id,
                   std::optional<int64_t> sequence_id) {
  TurmsNotification n;
  n.set_timestamp(now);
  n.set_requester_id(requester_id);
  if (sequence_id) n.add_custom_attributes()->set_int64_value(*sequence_id);
  *n.mutable_relayed_request() = request;
  // A password must never travel to other sessions, even the requester's own.
  if (n.relayed_request().has_update_user_request()) {
    n.mutable_relayed_request()->mutable_update_user_request()->clear_password();
  }
  return encode(n);
}

net::Payload heartbeat() {
  static const net::Payload kEmpty = std::make_shared<const std::string>();
  return kEmpty;
}

}  // namespace parley::notifications
