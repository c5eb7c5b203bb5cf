#pragma once
// Request kind -> handler. Each domain registers its handlers next to their code (one line per
// request kind, STYLE.md rule 2); the dispatcher only looks up and calls.
#include <functional>
#include <memory>
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

// A push produced by a handler: a relayed request that goes to these users' sessions after the
// response, and only when the handler succeeded with OK (as upstream). The gateway encodes it
// once and writes the same bytes to every recipient connection.
struct RelayPush {
  std::vector<int64_t> user_ids;
  bool include_requester_other_sessions = false;  // "+self" in the protocol notes
  // What is relayed; the client's own request when unset. Handlers set it when the relayed copy
  // is augmented (e.g. a message with its id and delivery date filled in) or is a different
  // request altogether (e.g. the system message announcing a recall).
  std::optional<TurmsRequest> request;
  // A message's sequence id. CreateMessageRequest has no field for it, so the push carries it
  // as the notification's first custom attribute (an int64 Value), which clients that do not
  // know it ignore; QueryMessages returns it in Message.sequence_id as upstream does.
  std::optional<int64_t> sequence_id;
};

struct HandlerResult {
  Status status;
  std::optional<TurmsNotification::Data> data;
  std::vector<RelayPush> pushes;

  static HandlerResult ok() { return {}; }
  // OK, and the requester's other sessions learn about the change ("+self"), by the client's
  // own request or by `relayed`.
  static HandlerResult okWithSelfPush(std::optional<TurmsRequest> relayed = std::nullopt) {
    HandlerResult result;
    result.pushes.push_back(RelayPush{{}, true, std::move(relayed)});
    return result;
  }
  static HandlerResult withLong(int64_t value) {
    TurmsNotification::Data data;
    data.set_long_(value);
    return withData(std::move(data));
  }
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
  // A store's (or another service's) failure, answered as it is.
  static HandlerResult failure(const Status& status) { return failure(status.code, status.reason); }
};

// How a handler's result reaches the requester: answered once, from any thread; copies share
// the one answer. A Reply dropped unanswered (a lost callback) answers SERVER_INTERNAL_ERROR
// rather than leaving the client waiting for ever.
class Reply {
 public:
  explicit Reply(std::function<void(HandlerResult)> deliver);
  void operator()(HandlerResult result) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Handlers may block briefly (storage); the gateway runs them off the io threads.
using Handler = std::function<HandlerResult(const RequestContext&, const TurmsRequest&)>;
// A handler that answers later, e.g. once an asynchronous store write is durable, so that the
// request holds no thread while it waits. Runs where a Handler runs.
using AsyncHandler = std::function<void(const RequestContext&, const TurmsRequest&, Reply)>;

class Dispatcher {
 public:
  void add(TurmsRequest::KindCase kind, Handler handler);
  void addAsync(TurmsRequest::KindCase kind, AsyncHandler handler);
  bool has(TurmsRequest::KindCase kind) const { return handlers_.count(kind) != 0; }
  // Whether kind's handler was added with addAsync (it hands its waiting to the store).
  bool isAsync(TurmsRequest::KindCase kind) const;
  // Unknown or unserved kinds get a clear ILLEGAL_ARGUMENT, never silence.
  void dispatch(const RequestContext& context, const TurmsRequest& request, Reply reply) const;
  // The same, waiting for the answer (tests and tools; never on an io thread).
  HandlerResult dispatch(const RequestContext& context, const TurmsRequest& request) const;

 private:
  struct Entry {
    AsyncHandler handler;
    bool is_async = false;
  };
  std::unordered_map<int, Entry> handlers_;
};

// The snake_case field name of a request kind, e.g. "create_message_request"; "unknown" for
// kinds this build does not know. Used in logs and metric labels.
std::string requestKindName(const TurmsRequest& request);

}  // namespace parley
