#include "redis/redis_deployment.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <future>
#include <thread>

#include "redis/redis_deployment_internal.h"

namespace parley::redis {

namespace detail {

size_t pickContext(std::span<boost::asio::io_context* const> contexts) {
  for (size_t i = 0; i < contexts.size(); ++i) {
    if (contexts[i]->get_executor().running_in_this_thread()) return i;
  }
  thread_local const size_t thread_hash = std::hash<std::thread::id>{}(std::this_thread::get_id());
  return thread_hash % contexts.size();
}

bool onAnyContext(std::span<boost::asio::io_context* const> contexts) {
  for (auto* context : contexts) {
    if (context->get_executor().running_in_this_thread()) return true;
  }
  return false;
}

Result<RespValue> waitForReply(std::span<boost::asio::io_context* const> contexts,
                               std::chrono::milliseconds limit,
                               const std::function<void(RedisClient::Callback)>& call) {
  if (onAnyContext(contexts)) {
    spdlog::error("redis: a blocking call on an io thread; use the async API there");
    return error(StatusCode::kServerInternalError, "blocking Redis call on an io thread");
  }
  auto promise = std::make_shared<std::promise<Result<RespValue>>>();
  auto future = promise->get_future();
  call([promise](Result<RespValue> reply) { promise->set_value(std::move(reply)); });
  if (future.wait_for(limit) != std::future_status::ready) {
    return error(StatusCode::kServerUnavailable,
                 "no Redis reply in time (are the io threads running?)");
  }
  return future.get();
}

void addClientStats(RedisDeploymentStats& total, const RedisClientStats& client) {
  total.commands += client.commands;
  total.failed_fast += client.failed_fast;
  total.timeouts += client.timeouts;
  total.connects += client.connects;
  total.disconnects += client.disconnects;
  total.script_reloads += client.script_reloads;
  total.server_changes += client.server_changes;
}

}  // namespace detail

VoidResult RedisDeployment::validate(std::span<const std::string> uris) {
  auto plan = planDeployment(uris);
  if (!plan.ok()) return plan.status();
  return {};
}

Result<std::unique_ptr<RedisDeployment>> RedisDeployment::open(
    std::span<boost::asio::io_context* const> contexts, std::span<const std::string> uris,
    RedisClientOptions options) {
  if (contexts.empty()) {
    return error(StatusCode::kServerInternalError, "a Redis deployment needs an io_context");
  }
  auto plan = planDeployment(uris);
  if (!plan.ok()) return plan.status();
  if (plan->topology == RedisTopology::kCluster) {
    return detail::openCluster(contexts, std::move(*plan), options);
  }
  return detail::openStandalone(contexts, std::move(*plan), options);
}

}  // namespace parley::redis
