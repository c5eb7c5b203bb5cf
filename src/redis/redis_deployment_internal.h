#pragma once
// Shared by the RedisDeployment implementations (private to src/redis).
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "redis/redis_deployment.h"
#include "redis/redis_topology.h"

namespace parley::redis::detail {

// The index of the context whose io thread is calling, else one chosen per calling thread (stable
// for the thread's lifetime), so a blocking-pool thread always uses the same connections.
size_t pickContext(std::span<boost::asio::io_context* const> contexts);

// True when the calling thread runs one of the contexts.
bool onAnyContext(std::span<boost::asio::io_context* const> contexts);

// Runs call and blocks until its callback, at most limit. Refuses on a deployment io thread.
Result<RespValue> waitForReply(std::span<boost::asio::io_context* const> contexts,
                               std::chrono::milliseconds limit,
                               const std::function<void(RedisClient::Callback)>& call);

// Adds one client's counters to a deployment's totals.
void addClientStats(RedisDeploymentStats& total, const RedisClientStats& client);

std::unique_ptr<RedisDeployment> openStandalone(std::span<boost::asio::io_context* const> contexts,
                                                DeploymentPlan plan, RedisClientOptions options);

Result<std::unique_ptr<RedisDeployment>> openCluster(
    std::span<boost::asio::io_context* const> contexts, DeploymentPlan plan,
    RedisClientOptions options);

}  // namespace parley::redis::detail
