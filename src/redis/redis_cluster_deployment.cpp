// Redis Cluster: keys route by slot through a slot map shared by all io contexts (a shared_mutex,
// since reads dominate: it changes only on MOVED and on refreshes). Each context has its own
// connections to the primaries, created when first needed.
//
// Redirections: MOVED updates the map at once (so later commands go straight to the new owner),
// retries there and schedules one full CLUSTER SLOTS refresh, coalesced with any already
// pending. ASK sends ASKING and the command back to back on the target's connection and leaves
// the map alone. TRYAGAIN and CLUSTERDOWN are retried after a short delay until the command
// timeout. A connection failure fails the command (kServerUnavailable; callers retry) and
// refreshes the map, which is how a failover is noticed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "redis/cluster_slot_map.h"
#include "redis/key_slot.h"
#include "redis/redis_deployment_internal.h"

namespace parley::redis::detail {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A command that keeps bouncing is a cluster in flux: give up and let the caller retry.
constexpr int kMaxRedirects = 5;
constexpr auto kBusyRetryDelay = 25ms;
// Failing commands each ask for a refresh; this keeps the CLUSTER SLOTS rate bounded.
constexpr auto kMinRefreshInterval = 100ms;

Status unavailable(std::string reason) {
  return error(StatusCode::kServerUnavailable, std::move(reason));
}

Status badSlots(const std::string& why) {
  return unavailable("malformed CLUSTER SLOTS reply: " + why);
}

Result<ClusterSlotsNode> decodeSlotsNode(const RespValue& value) {
  if (value.type != RespType::kArray || value.elements.size() < 2) return badSlots("node entry");
  const RespValue& endpoint = value.elements[0];
  const RespValue& port = value.elements[1];
  if ((endpoint.type != RespType::kBulkString && !endpoint.isNull()) ||
      port.type != RespType::kInteger) {
    return badSlots("node endpoint or port");
  }
  return ClusterSlotsNode{endpoint.str, port.integer};
}

Result<std::vector<ClusterSlotsEntry>> decodeClusterSlots(const RespValue& reply) {
  if (reply.type != RespType::kArray) return badSlots("not an array: " + toDebugString(reply));
  std::vector<ClusterSlotsEntry> entries;
  entries.reserve(reply.elements.size());
  for (const RespValue& item : reply.elements) {
    if (item.type != RespType::kArray || item.elements.size() < 3 ||
        item.elements[0].type != RespType::kInteger ||
        item.elements[1].type != RespType::kInteger) {
      return badSlots("slot range");
    }
    ClusterSlotsEntry entry;
    entry.start = item.elements[0].integer;
    entry.end = item.elements[1].integer;
    auto primary = decodeSlotsNode(item.elements[2]);
    if (!primary.ok()) return primary.status();
    entry.primary = std::move(*primary);
    for (size_t i = 3; i < item.elements.size(); ++i) {
      auto replica = decodeSlotsNode(item.elements[i]);
      if (!replica.ok()) return replica.status();
      entry.replicas.push_back(std::move(*replica));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<ClusterSlotMap> slotMapFromReply(const RespValue& reply, const std::string& queried_host) {
  if (reply.isError()) return unavailable("CLUSTER SLOTS failed: " + reply.str);
  auto entries = decodeClusterSlots(reply);
  if (!entries.ok()) return entries.status();
  return ClusterSlotMap::fromClusterSlots(*entries, queried_host);
}

// The initial map, before any io context need be running: a private io_context driven by this
// thread, one seed after the other.
Result<std::pair<ClusterSlotMap, RedisUri>> fetchInitialMap(const std::vector<RedisUri>& seeds,
                                                            const RedisClientOptions& options) {
  std::string failures;
  for (const RedisUri& seed : seeds) {
    asio::io_context io;
    std::optional<Result<RespValue>> reply;
    {
      RedisClient client(io, seed, options);
      client.command({"CLUSTER", "SLOTS"},
                     [&reply](Result<RespValue> result) { reply = std::move(result); });
      const auto deadline = Clock::now() + options.connect_timeout + options.command_timeout + 1s;
      while (!reply && Clock::now() < deadline) io.run_one_for(50ms);
    }
    io.restart();
    io.poll();  // lets the stopped client finish
    Result<ClusterSlotMap> map = unavailable("no reply in time");
    if (reply && reply->ok()) {
      map = slotMapFromReply(**reply, seed.host);
    } else if (reply) {
      map = reply->status();
    }
    if (map.ok()) {
      if (!map->coversAllSlots()) {
        spdlog::warn("redis cluster: {} of 16384 slots are not served (commands on them fail)",
                     map->unassignedSlotCount());
      }
      return std::make_pair(std::move(*map), seed);
    }
    failures += " " + seed.display() + ": " + map.status().reason + ";";
  }
  return unavailable("no Redis Cluster seed answered CLUSTER SLOTS:" + failures);
}

// One command on its way through the cluster; retried and redirected on the context it started
// on, whose io thread runs every step after the first.
struct ClusterOp {
  size_t context = 0;
  uint16_t slot = 0;
  std::vector<std::string> args;  // the command, or the script's arguments
  std::optional<RedisScript> script;
  std::vector<std::string> keys;  // script only
  RedisClient::Callback done;
  int redirects = 0;
  std::optional<RedisNodeAddress> ask;  // the next attempt goes there, after ASKING
  Clock::time_point deadline;           // for TRYAGAIN / CLUSTERDOWN retries
};

class ClusterCore : public std::enable_shared_from_this<ClusterCore> {
 public:
  ClusterCore(std::span<asio::io_context* const> contexts, ClusterSlotMap map,
              RedisUri template_uri, std::vector<RedisUri> seeds, RedisClientOptions options)
      : contexts_(contexts.begin(), contexts.end()),
        options_(options),
        template_uri_(std::move(template_uri)),
        seeds_(std::move(seeds)),
        map_(std::move(map)) {
    for (size_t i = 0; i < contexts_.size(); ++i) {
      clients_.push_back(std::make_unique<ContextClients>());
    }
  }

  const std::vector<asio::io_context*>& contexts() const { return contexts_; }
  const RedisClientOptions& options() const { return options_; }

  void start(std::shared_ptr<ClusterOp> op) {
    op->deadline = Clock::now() + options_.command_timeout;
    send(std::move(op));
  }

  std::vector<RedisNodeAddress> primaries() const {
    std::shared_lock lock(map_mutex_);
    return map_.primaries();
  }

  // The client of one context for one node; nullptr after close(). Shared, so that close() on
  // another thread cannot destroy it under a caller.
  std::shared_ptr<RedisClient> clientFor(size_t context, const RedisNodeAddress& node) {
    ContextClients& clients = *clients_[context];
    const std::string name = node.toString();
    std::lock_guard lock(clients.mutex);
    if (clients.closed) return nullptr;
    auto it = clients.by_node.find(name);
    if (it == clients.by_node.end()) {
      RedisUri uri = template_uri_;
      uri.host = node.host;
      uri.port = node.port;
      uri.db = 0;
      it = clients.by_node
               .emplace(name, std::make_shared<RedisClient>(*contexts_[context], uri, options_))
               .first;
    }
    return it->second;
  }

  // Stops every connection; commands in flight fail on their io threads.
  void close() {
    for (auto& clients : clients_) {
      std::unordered_map<std::string, std::shared_ptr<RedisClient>> doomed;
      {
        std::lock_guard lock(clients->mutex);
        clients->closed = true;
        doomed.swap(clients->by_node);
      }
    }
  }

  template <typename Fn>
  void forEachClient(Fn&& fn) const {
    for (const auto& clients : clients_) {
      std::lock_guard lock(clients->mutex);
      for (const auto& [name, client] : clients->by_node) fn(*client);
    }
  }

  uint64_t moved() const { return moved_.load(std::memory_order_relaxed); }
  uint64_t refreshes() const { return refreshes_.load(std::memory_order_relaxed); }
  uint64_t asked() const { return asked_.load(std::memory_order_relaxed); }

  void requestRefresh() {
    if (refresh_pending_.exchange(true)) return;
    asio::post(*contexts_[0], [self = shared_from_this()] { self->startRefresh(); });
  }

 private:
  struct ContextClients {
    std::mutex mutex;  // uncontended: its io thread, plus rare calls from other threads
    bool closed = false;
    std::unordered_map<std::string, std::shared_ptr<RedisClient>> by_node;
  };

  void send(std::shared_ptr<ClusterOp> op) {
    RedisNodeAddress target;
    const bool asking = op->ask.has_value();
    if (asking) {
      target = std::move(*op->ask);
      op->ask.reset();
    } else {
      std::shared_lock lock(map_mutex_);
      const RedisNodeAddress* primary = map_.primaryOf(op->slot);
      if (primary == nullptr) {
        lock.unlock();
        requestRefresh();
        std::string reason = "Redis Cluster: slot " + std::to_string(op->slot) + " is not served";
        return retryLater(std::move(op), std::move(reason));
      }
      target = *primary;
    }
    const std::shared_ptr<RedisClient> client = clientFor(op->context, target);
    if (client == nullptr)
      return finishLater(std::move(op), unavailable("the deployment is closed"));
    auto on_reply = [self = shared_from_this(), op, target](Result<RespValue> reply) mutable {
      self->onReply(std::move(op), target, std::move(reply));
    };
    if (asking && op->script) {
      client->evalAfterAsking(*op->script, op->keys, op->args, std::move(on_reply));
    } else if (asking) {
      client->pipeline({{"ASKING"}, op->args}, std::move(on_reply));
    } else if (op->script) {
      client->evalsha(*op->script, op->keys, op->args, std::move(on_reply));
    } else {
      client->command(op->args, std::move(on_reply));
    }
  }

  void onReply(std::shared_ptr<ClusterOp> op, const RedisNodeAddress& from,
               Result<RespValue> reply) {
    if (!reply.ok()) {
      // The node may be gone for good (failover): learn who serves its slots now.
      requestRefresh();
      return op->done(std::move(reply));
    }
    if (!reply->isError()) return op->done(std::move(reply));
    if (reply->isErrorCode("MOVED") || reply->isErrorCode("ASK")) {
      if (auto redirect = parseClusterRedirect(reply->str, from.host)) {
        if (++op->redirects > kMaxRedirects) {
          spdlog::debug("redis cluster: slot {} redirected {} times; giving up", op->slot,
                        kMaxRedirects);
          return op->done(unavailable("Redis Cluster: too many redirections for slot " +
                                      std::to_string(op->slot)));
        }
        if (redirect->kind == RedirectKind::kMoved) {
          moved_.fetch_add(1, std::memory_order_relaxed);
          {
            std::unique_lock lock(map_mutex_);
            map_.reassign(redirect->slot, redirect->address);
          }
          requestRefresh();
        } else {
          asked_.fetch_add(1, std::memory_order_relaxed);
          op->ask = std::move(redirect->address);
        }
        return send(std::move(op));
      }
    }
    if (reply->isErrorCode("TRYAGAIN") || reply->isErrorCode("CLUSTERDOWN")) {
      if (reply->isErrorCode("CLUSTERDOWN")) requestRefresh();
      return retryLater(std::move(op), "Redis Cluster: " + reply->str);
    }
    op->done(std::move(reply));
  }

  // Runs on a context's io thread or on the caller's thread (first attempt); done is always
  // posted, never run inside command().
  void retryLater(std::shared_ptr<ClusterOp> op, std::string reason) {
    if (Clock::now() + kBusyRetryDelay >= op->deadline) {
      return finishLater(std::move(op), unavailable(std::move(reason)));
    }
    auto timer = std::make_shared<asio::steady_timer>(*contexts_[op->context], kBusyRetryDelay);
    timer->async_wait([self = shared_from_this(), op, timer](const boost::system::error_code&) {
      self->send(op);
    });
  }

  void finishLater(std::shared_ptr<ClusterOp> op, Status status) {
    asio::post(*contexts_[op->context],
               [op, status = std::move(status)]() mutable { op->done(std::move(status)); });
  }

  // Refreshes run on context 0's io thread only, so last_refresh_ needs no lock.
  void startRefresh() {
    const auto wait = last_refresh_ + kMinRefreshInterval - Clock::now();
    if (wait > Clock::duration::zero()) {
      auto timer = std::make_shared<asio::steady_timer>(*contexts_[0], wait);
      timer->async_wait([self = shared_from_this(), timer](const boost::system::error_code&) {
        self->last_refresh_ = Clock::time_point();
        self->startRefresh();
      });
      return;
    }
    last_refresh_ = Clock::now();
    // The known primaries first, then the seeds (the whole map may be stale).
    auto candidates = std::make_shared<std::vector<RedisNodeAddress>>(primaries());
    for (const RedisUri& seed : seeds_) {
      RedisNodeAddress address{seed.host, seed.port};
      if (std::find(candidates->begin(), candidates->end(), address) == candidates->end()) {
        candidates->push_back(std::move(address));
      }
    }
    refreshFrom(std::move(candidates), 0);
  }

  void refreshFrom(std::shared_ptr<std::vector<RedisNodeAddress>> candidates, size_t index) {
    if (index >= candidates->size()) {
      if (!refresh_failing_) {
        spdlog::warn("redis cluster: no node answered CLUSTER SLOTS; keeping the old slot map");
        refresh_failing_ = true;
      }
      refresh_pending_.store(false);
      return;
    }
    const RedisNodeAddress node = (*candidates)[index];
    const std::shared_ptr<RedisClient> client = clientFor(0, node);
    if (client == nullptr) {
      refresh_pending_.store(false);
      return;
    }
    client->command({"CLUSTER", "SLOTS"}, [self = shared_from_this(), candidates, index,
                                           node](Result<RespValue> reply) mutable {
      Result<ClusterSlotMap> map =
          reply.ok() ? slotMapFromReply(*reply, node.host) : Result<ClusterSlotMap>(reply.status());
      if (!map.ok()) {
        spdlog::debug("redis cluster: CLUSTER SLOTS from {} failed: {}", node.toString(),
                      map.status().reason);
        return self->refreshFrom(std::move(candidates), index + 1);
      }
      self->installMap(std::move(*map), node);
    });
  }

  void installMap(ClusterSlotMap map, const RedisNodeAddress& source) {
    const auto primaries = map.primaries();
    const size_t unassigned = map.unassignedSlotCount();
    {
      std::unique_lock lock(map_mutex_);
      map_ = std::move(map);
    }
    if (refresh_failing_) {
      spdlog::info("redis cluster: slot map refreshed again from {}", source.toString());
      refresh_failing_ = false;
    }
    spdlog::debug("redis cluster: slot map from {}: {} primaries, {} slots unassigned",
                  source.toString(), primaries.size(), unassigned);
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    refresh_pending_.store(false);
  }

  const std::vector<asio::io_context*> contexts_;
  const RedisClientOptions options_;
  // Credentials for every node: those of the seed that answered first.
  const RedisUri template_uri_;
  const std::vector<RedisUri> seeds_;

  mutable std::shared_mutex map_mutex_;
  ClusterSlotMap map_;

  std::vector<std::unique_ptr<ContextClients>> clients_;

  std::atomic<bool> refresh_pending_{false};
  Clock::time_point last_refresh_;  // context 0's io thread only
  bool refresh_failing_ = false;    // context 0's io thread only

  std::atomic<uint64_t> moved_{0};
  std::atomic<uint64_t> refreshes_{0};
  std::atomic<uint64_t> asked_{0};
};

class ClusterDeployment final : public RedisDeployment {
 public:
  explicit ClusterDeployment(std::shared_ptr<ClusterCore> core) : core_(std::move(core)) {}
  ~ClusterDeployment() override { core_->close(); }

  RedisTopology topology() const override { return RedisTopology::kCluster; }

  std::string describe() const override {
    const auto primaries = core_->primaries();
    std::string text = "cluster of " + std::to_string(primaries.size()) + " primaries:";
    for (const auto& primary : primaries) text += " " + primary.toString();
    return text;
  }

  uint32_t batchOf(std::string_view key) const override { return keySlot(key); }

  std::string keyBeside(std::string_view key, std::string_view name) const override {
    std::string beside(name);
    beside += '{';
    beside += slotTag(keySlot(key));
    beside += '}';
    return beside;
  }

  void command(std::string_view routing_key, std::vector<std::string> args,
               RedisClient::Callback done) override {
    auto op = std::make_shared<ClusterOp>();
    op->context = pickContext(core_->contexts());
    op->slot = keySlot(routing_key);
    op->args = std::move(args);
    op->done = std::move(done);
    core_->start(std::move(op));
  }

  void evalsha(const RedisScript& script, std::vector<std::string> keys,
               std::vector<std::string> args, RedisClient::Callback done) override {
    auto op = std::make_shared<ClusterOp>();
    op->context = pickContext(core_->contexts());
    // A keyless script may run anywhere; slot 0's owner is as good as any.
    op->slot = keys.empty() ? 0 : keySlot(keys[0]);
    op->script = script;
    op->keys = std::move(keys);
    op->args = std::move(args);
    op->done = std::move(done);
    core_->start(std::move(op));
  }

  Result<RespValue> commandSync(std::string_view routing_key,
                                std::vector<std::string> args) override {
    return waitForReply(core_->contexts(), syncLimit(), [&](RedisClient::Callback done) {
      command(routing_key, std::move(args), std::move(done));
    });
  }

  Result<RespValue> evalshaSync(const RedisScript& script, std::vector<std::string> keys,
                                std::vector<std::string> args) override {
    return waitForReply(core_->contexts(), syncLimit(), [&](RedisClient::Callback done) {
      evalsha(script, std::move(keys), std::move(args), std::move(done));
    });
  }

  std::vector<ServerReply> commandOnEveryServerSync(std::vector<std::string> args) override {
    std::vector<ServerReply> replies;
    const auto primaries = core_->primaries();
    if (onAnyContext(core_->contexts())) {
      for (const auto& primary : primaries) {
        replies.push_back({primary.toString(), error(StatusCode::kServerInternalError,
                                                     "blocking Redis call on an io thread")});
      }
      return replies;
    }
    const size_t context = pickContext(core_->contexts());
    std::vector<std::future<Result<RespValue>>> futures;
    for (const auto& primary : primaries) {
      auto promise = std::make_shared<std::promise<Result<RespValue>>>();
      futures.push_back(promise->get_future());
      const std::shared_ptr<RedisClient> client = core_->clientFor(context, primary);
      if (client == nullptr) {
        promise->set_value(unavailable("the deployment is closed"));
        continue;
      }
      client->command(args,
                      [promise](Result<RespValue> reply) { promise->set_value(std::move(reply)); });
    }
    const auto deadline = Clock::now() + syncLimit();
    for (size_t i = 0; i < primaries.size(); ++i) {
      if (futures[i].wait_until(deadline) != std::future_status::ready) {
        replies.push_back({primaries[i].toString(), unavailable("no Redis reply in time")});
      } else {
        replies.push_back({primaries[i].toString(), futures[i].get()});
      }
    }
    return replies;
  }

  size_t serverCount() const override { return core_->primaries().size(); }

  Result<RespValue> commandOnServerSync(size_t server_index,
                                        std::vector<std::string> args) override {
    const auto primaries = core_->primaries();
    if (server_index >= primaries.size()) {
      return error(StatusCode::kIllegalArgument, "no Redis Cluster primary " +
                                                     std::to_string(server_index) + " of " +
                                                     std::to_string(primaries.size()));
    }
    const std::shared_ptr<RedisClient> client =
        core_->clientFor(pickContext(core_->contexts()), primaries[server_index]);
    if (client == nullptr) return unavailable("the deployment is closed");
    auto reply = waitForReply(core_->contexts(), syncLimit(), [&](RedisClient::Callback done) {
      client->command(std::move(args), std::move(done));
    });
    // The primary may be gone for good (failover): learn who serves its slots now.
    if (!reply.ok() && reply.status().code == StatusCode::kServerUnavailable) {
      core_->requestRefresh();
    }
    return reply;
  }

  RedisDeploymentStats stats() const override {
    RedisDeploymentStats total;
    core_->forEachClient([&](const RedisClient& client) { addClientStats(total, client.stats()); });
    total.moved = core_->moved();
    total.asked = core_->asked();
    total.slot_map_refreshes = core_->refreshes();
    return total;
  }

 private:
  std::chrono::milliseconds syncLimit() const {
    const auto& options = core_->options();
    // Every redirection may wait for a connect; busy retries last up to one command timeout.
    return (kMaxRedirects + 2) * (options.connect_timeout + options.command_timeout) +
           std::chrono::seconds(1);
  }

  std::shared_ptr<ClusterCore> core_;
};

}  // namespace

Result<std::unique_ptr<RedisDeployment>> openCluster(
    std::span<boost::asio::io_context* const> contexts, DeploymentPlan plan,
    RedisClientOptions options) {
  auto initial = fetchInitialMap(plan.servers, options);
  if (!initial.ok()) return initial.status();
  auto core =
      std::make_shared<ClusterCore>(contexts, std::move(initial->first), std::move(initial->second),
                                    std::move(plan.servers), options);
  auto deployment = std::make_unique<ClusterDeployment>(std::move(core));
  spdlog::info("redis: {}", deployment->describe());
  return std::unique_ptr<RedisDeployment>(std::move(deployment));
}

}  // namespace parley::redis::detail
