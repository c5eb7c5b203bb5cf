// A single Redis, or several standalone Redis shards chosen by ShardingAlgorithm from the key's
// hash tag. Clients are created once, so routing a command is a few arithmetic operations and no
// lock: the hot path is RedisClient's own.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <future>

#include "redis/redis_deployment_internal.h"

namespace parley::redis::detail {

namespace {

class StandaloneDeployment final : public RedisDeployment {
 public:
  StandaloneDeployment(std::span<boost::asio::io_context* const> contexts, DeploymentPlan plan,
                       RedisClientOptions options)
      : topology_(plan.topology),
        contexts_(contexts.begin(), contexts.end()),
        servers_(std::move(plan.servers)),
        sharding_(static_cast<int32_t>(servers_.size())),
        options_(options) {
    clients_.reserve(contexts_.size() * servers_.size());
    for (auto* context : contexts_) {
      for (const auto& server : servers_) {
        clients_.push_back(std::make_unique<RedisClient>(*context, server, options));
      }
    }
  }

  RedisTopology topology() const override { return topology_; }

  std::string describe() const override {
    if (topology_ == RedisTopology::kSingle) return "single " + servers_[0].display();
    std::string text = std::to_string(servers_.size()) + " shards:";
    for (const auto& server : servers_) text += " " + server.display();
    return text;
  }

  uint32_t batchOf(std::string_view key) const override {
    return static_cast<uint32_t>(shardOf(key));
  }

  // One per server: a script reaches it on whichever server its routing key chose.
  std::string keyBeside(std::string_view, std::string_view name) const override {
    return std::string(name);
  }

  void command(std::string_view routing_key, std::vector<std::string> args,
               RedisClient::Callback done) override {
    clientFor(routing_key).command(std::move(args), std::move(done));
  }

  void evalsha(const RedisScript& script, std::vector<std::string> keys,
               std::vector<std::string> args, RedisClient::Callback done) override {
    RedisClient& client = clientFor(keys.empty() ? std::string_view() : keys[0]);
    client.evalsha(script, std::move(keys), std::move(args), std::move(done));
  }

  Result<RespValue> commandSync(std::string_view routing_key,
                                std::vector<std::string> args) override {
    // On a deployment io thread this picks that thread's client, which refuses.
    return clientFor(routing_key).commandSync(std::move(args));
  }

  Result<RespValue> evalshaSync(const RedisScript& script, std::vector<std::string> keys,
                                std::vector<std::string> args) override {
    RedisClient& client = clientFor(keys.empty() ? std::string_view() : keys[0]);
    return client.evalshaSync(script, std::move(keys), std::move(args));
  }

  std::vector<ServerReply> commandOnEveryServerSync(std::vector<std::string> args) override {
    std::vector<ServerReply> replies;
    replies.reserve(servers_.size());
    if (onAnyContext(contexts_)) {
      for (const auto& server : servers_) {
        replies.push_back({server.display(), error(StatusCode::kServerInternalError,
                                                   "blocking Redis call on an io thread")});
      }
      return replies;
    }
    // Sent to all shards first, then awaited: one round trip, not one per shard.
    const size_t context = pickContext(contexts_);
    std::vector<std::shared_ptr<std::promise<Result<RespValue>>>> promises;
    for (size_t shard = 0; shard < servers_.size(); ++shard) {
      auto promise = std::make_shared<std::promise<Result<RespValue>>>();
      promises.push_back(promise);
      client(context, shard).command(args, [promise](Result<RespValue> reply) {
        promise->set_value(std::move(reply));
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + syncLimit();
    for (size_t shard = 0; shard < servers_.size(); ++shard) {
      auto future = promises[shard]->get_future();
      if (future.wait_until(deadline) != std::future_status::ready) {
        replies.push_back({servers_[shard].display(),
                           error(StatusCode::kServerUnavailable, "no Redis reply in time")});
      } else {
        replies.push_back({servers_[shard].display(), future.get()});
      }
    }
    return replies;
  }

  size_t serverCount() const override { return servers_.size(); }

  Result<RespValue> commandOnServerSync(size_t server_index,
                                        std::vector<std::string> args) override {
    if (server_index >= servers_.size()) {
      return error(StatusCode::kIllegalArgument, "no Redis server " + std::to_string(server_index) +
                                                     " of " + std::to_string(servers_.size()));
    }
    // On a deployment io thread this picks that thread's client, which refuses.
    return client(pickContext(contexts_), server_index).commandSync(std::move(args));
  }

  RedisDeploymentStats stats() const override {
    RedisDeploymentStats total;
    for (const auto& client : clients_) addClientStats(total, client->stats());
    return total;
  }

 private:
  size_t shardOf(std::string_view key) const {
    if (servers_.size() == 1) return 0;
    return static_cast<size_t>(shardOfKey(key, sharding_));
  }

  RedisClient& client(size_t context, size_t shard) {
    return *clients_[context * servers_.size() + shard];
  }

  RedisClient& clientFor(std::string_view key) {
    return client(pickContext(contexts_), shardOf(key));
  }

  std::chrono::milliseconds syncLimit() const {
    return 2 * (options_.connect_timeout + options_.command_timeout) + std::chrono::seconds(1);
  }

  const RedisTopology topology_;
  const std::vector<boost::asio::io_context*> contexts_;
  const std::vector<RedisUri> servers_;
  const ShardingAlgorithm sharding_;
  const RedisClientOptions options_;
  // [context][shard], flattened; fixed after construction, so read without a lock.
  std::vector<std::unique_ptr<RedisClient>> clients_;
};

}  // namespace

std::unique_ptr<RedisDeployment> openStandalone(std::span<boost::asio::io_context* const> contexts,
                                                DeploymentPlan plan, RedisClientOptions options) {
  auto deployment = std::make_unique<StandaloneDeployment>(contexts, std::move(plan), options);
  spdlog::info("redis: {}", deployment->describe());
  return deployment;
}

}  // namespace parley::redis::detail
