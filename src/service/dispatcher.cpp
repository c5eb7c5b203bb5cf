#include "service/dispatcher.h"

#include <spdlog/spdlog.h>

namespace parley {

void Dispatcher::add(TurmsRequest::KindCase kind, Handler handler) {
  handlers_[static_cast<int>(kind)] = std::move(handler);
}

HandlerResult Dispatcher::dispatch(const RequestContext& context,
                                   const TurmsRequest& request) const {
  if (request.kind_case() == TurmsRequest::KIND_NOT_SET) {
    // Either no kind at all, or a kind newer than this build (kept as an unknown field).
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The request has no kind that this server understands");
  }
  auto it = handlers_.find(static_cast<int>(request.kind_case()));
  if (it == handlers_.end()) {
    return HandlerResult::failure(StatusCode::kIllegalArgument,
                                  "The request type is unsupported: " + requestKindName(request));
  }
  return it->second(context, request);
}

std::string requestKindName(const TurmsRequest& request) {
  const auto* field = TurmsRequest::descriptor()->FindFieldByNumber(request.kind_case());
  return field ? field->name() : "unknown";
}

}  // namespace parley
