#pragma once
// Request kind -> handler. Each domain registers its handlers next to their code (one line per
// request kind, STYLE.md rule 2); the dispatcher only looks up and calls.
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "service/request_context.h"
#include "turms/turms_notification.pb.h"
#include "turms/turms_request.pb.h"

namespace parley {

using im::turms::proto::TurmsNotification;
using im::turms::proto::TurmsRequest;

// A push produced by a handler: the relayed request goes to these users' sessions after the
// response, and only when the handler succeeded (as upstream).
struct RelayPush {
  std::vector<int64_t> user_ids;
  bool include_requester_other_sessions = false;  // "+self" in the protocol notes
};

struct HandlerResult {
  Status status;
  std::optional<TurmsNotification::Data> data;
  std::optional<RelayPush> push;

  static HandlerResult ok() { return {}; }
  static HandlerResult withData(TurmsNotification::Data data) {
    HandlerResult result;
    result.data = std::move(data);
    return result;
  }
  static HandlerResult failure(StatusCode code, std::string reason = {}) {
    HandlerResult result;
    result.status = error(code, std::move(reason));
    return result;
  }
};

// Handlers may block briefly (storage); the gateway runs them off the io threads.
using Handler = std::function<HandlerResult(const RequestContext&, const TurmsRequest&)>;

class Dispatcher {
 public:
  void add(TurmsRequest::KindCase kind, Handler handler);
  bool has(TurmsRequest::KindCase kind) const { return handlers_.count(kind) != 0; }
  // Unknown or unserved kinds get a clear ILLEGAL_ARGUMENT, never silence.
  HandlerResult dispatch(const RequestContext& context, const TurmsRequest& request) const;

 private:
  std::unordered_map<int, Handler> handlers_;
};

// The snake_case field name of a request kind, e.g. "create_message_request"; "unknown" for
// kinds this build does not know. Used in logs and metric labels.
std::string requestKindName(const TurmsRequest& request);

}  // namespace parley
