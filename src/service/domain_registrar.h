#pragma once
// Registers one domain's handlers: plain functions of (deps, context, request) that share one
// copy of the ServiceDeps. Each domain's register function is then one line per request kind.
#include <memory>

#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

using DomainHandler = HandlerResult (*)(ServiceDeps&, const RequestContext&, const TurmsRequest&);
using AsyncDomainHandler = void (*)(ServiceDeps&, const RequestContext&, const TurmsRequest&,
                                    Reply);

class DomainRegistrar {
 public:
  DomainRegistrar(Dispatcher& dispatcher, ServiceDeps deps)
      : dispatcher_(dispatcher), deps_(std::make_shared<ServiceDeps>(deps)) {}

  void add(TurmsRequest::KindCase kind, DomainHandler handler) {
    dispatcher_.add(
        kind, [deps = deps_, handler](const RequestContext& ctx, const TurmsRequest& request) {
          return handler(*deps, ctx, request);
        });
  }

  void addAsync(TurmsRequest::KindCase kind, AsyncDomainHandler handler) {
    dispatcher_.addAsync(kind, [deps = deps_, handler](const RequestContext& ctx,
                                                       const TurmsRequest& request, Reply reply) {
      handler(*deps, ctx, request, std::move(reply));
    });
  }

 private:
  Dispatcher& dispatcher_;
  std::shared_ptr<ServiceDeps> deps_;
};

}  // namespace parley
