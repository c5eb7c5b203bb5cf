#include "service/dispatcher.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <future>

namespace parley {

struct Reply::State {
  explicit State(std::function<void(HandlerResult)> fn) : deliver(std::move(fn)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (answered.load()) return;
    spdlog::error("a request handler ended without answering; answering 1200");
    deliver(HandlerResult::failure(StatusCode::kServerInternalError,
                                   "The request was dropped without an answer"));
  }

  std::function<void(HandlerResult)> deliver;
  std::atomic<bool> answered{false};
};

Reply::Reply(std::function<void(HandlerResult)> deliver)
    : state_(std::make_shared<State>(std::move(deliver))) {}

void Reply::operator()(HandlerResult result) const {
  if (state_->answered.exchange(true)) {
    spdlog::error("a request handler answered twice; the second answer is dropped");
    return;
  }
  state_->deliver(std::move(result));
}

void Dispatcher::add(TurmsRequest::KindCase kind, Handler handler) {
  handlers_[static_cast<int>(kind)] = {
      [handler = std::move(handler)](const RequestContext& context, const TurmsRequest& request,
                                     const Reply& reply) { reply(handler(context, request)); },
      false};
}

void Dispatcher::addAsync(TurmsRequest::KindCase kind, AsyncHandler handler) {
  handlers_[static_cast<int>(kind)] = {std::move(handler), true};
}

bool Dispatcher::isAsync(TurmsRequest::KindCase kind) const {
  auto it = handlers_.find(static_cast<int>(kind));
  return it != handlers_.end() && it->second.is_async;
}

void Dispatcher::dispatch(const RequestContext& context, const TurmsRequest& request,
                          Reply reply) const {
  if (request.kind_case() == TurmsRequest::KIND_NOT_SET) {
    // Either no kind at all, or a kind newer than this build (kept as an unknown field).
    reply(HandlerResult::failure(StatusCode::kIllegalArgument,
                                 "The request has no kind that this server understands"));
    return;
  }
  auto it = handlers_.find(static_cast<int>(request.kind_case()));
  if (it == handlers_.end()) {
    reply(HandlerResult::failure(StatusCode::kIllegalArgument,
                                 "The request type is unsupported: " + requestKindName(request)));
    return;
  }
  it->second.handler(context, request, std::move(reply));
}

HandlerResult Dispatcher::dispatch(const RequestContext& context,
                                   const TurmsRequest& request) const {
  std::promise<HandlerResult> answer;
  std::future<HandlerResult> answered = answer.get_future();
  dispatch(context, request,
           Reply([&answer](HandlerResult result) { answer.set_value(std::move(result)); }));
  return answered.get();
}

std::string requestKindName(const TurmsRequest& request) {
  const auto* field = TurmsRequest::descriptor()->FindFieldByNumber(request.kind_case());
  return field ? field->name() : "unknown";
}

}  // namespace parley
