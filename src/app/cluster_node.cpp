#include "app/cluster_node.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/thread_name.h"
#include "gateway/gateway.h"
#include "net/io_pool.h"
#include "net/tls_context.h"
#include "nodes/cluster_session_control.h"
#include "nodes/membership.h"
#include "nodes/node_clients.h"
#include "nodes/node_rpc.pb.h"
#include "nodes/rpc_frame.h"
#include "nodes/rpc_server.h"
#include "online/redis_sequence_ids.h"
#include "online/redis_session_registry.h"
#include "online/redis_user_locations.h"
#include "redis/redis_deployment.h"
#include "store/store.h"

namespace parley {

namespace {

// The value of a CONFIG GET reply; nullopt when it failed or was refused.
std::optional<std::string> configGetValue(const Result<redis::RespValue>& reply) {
  if (!reply || reply->type != redis::RespType::kArray || reply->elements.size() < 2) {
    return std::nullopt;
  }
  return reply->elements[1].str;
}

// Session entries and sequence counters are what a node must not lose silently: say so at start
// when the Redis servers would lose them at the next restart.
void warnIfRedisPersistsNothing(redis::RedisDeployment& deployment, const char* purpose) {
  auto appendonly = deployment.commandOnEveryServerSync({"CONFIG", "GET", "appendonly"});
  auto save = deployment.commandOnEveryServerSync({"CONFIG", "GET", "save"});
  for (size_t i = 0; i < appendonly.size() && i < save.size(); ++i) {
    auto aof_value = configGetValue(appendonly[i].reply);
    auto save_value = configGetValue(save[i].reply);
    if (!aof_value || !save_value) {
      // CONFIG is often renamed or disabled on managed Redis; that is not a problem of ours.
      spdlog::info("Redis {} ({}): cannot check persistence (CONFIG GET refused or failed)",
                   appendonly[i].server, purpose);
      continue;
    }
    if (*aof_value != "yes" && save_value->empty()) {
      spdlog::warn(
          "Redis {} ({}) persists nothing (appendonly no, no save points): a restart loses every "
          "session entry and sequence counter. Parley re-registers sessions and re-seeds counters "
          "from durable storage, but enable AOF (appendonly yes, appendfsync everysec; see "
          "docs/redis.conf).",
          appendonly[i].server, purpose);
    } else if (*aof_value != "yes") {
      spdlog::warn(
          "Redis {} ({}) uses snapshots only (appendonly no): a crash loses the writes since the "
          "last snapshot. appendonly yes with appendfsync everysec is recommended.",
          appendonly[i].server, purpose);
    }
  }
}

// For rediss:// URIs: redis.tls.*, loaded once for every deployment. Null when no URI is TLS.
std::shared_ptr<const net::TlsContext> redisTlsContext(const RedisConfig& redis) {
  bool any_tls = false;
  for (const auto* uris : {&redis.session_uris, &redis.sequence_uris, &redis.location_uris}) {
    for (const std::string& uri : *uris) any_tls = any_tls || uri.rfind("rediss", 0) == 0;
  }
  if (!any_tls) return nullptr;
  try {
    return net::TlsContext::forClient({redis.tls.ca_file, redis.tls.cert_file, redis.tls.key_file});
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("Redis over TLS (redis.tls.*): ") + e.what());
  }
}

std::unique_ptr<redis::RedisDeployment> openDeployment(
    net::IoPool& pool, const std::vector<std::string>& uris, const char* key, int timeout_ms,
    const std::shared_ptr<const net::TlsContext>& tls) {
  if (auto valid = redis::RedisDeployment::validate(uris); !valid) {
    throw std::runtime_error(std::string("config key '") + key + "': " + valid.status().reason);
  }
  std::vector<boost::asio::io_context*> contexts;
  for (size_t i = 0; i < pool.size(); ++i) contexts.push_back(&pool.context(i));
  redis::RedisClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(timeout_ms);
  options.command_timeout = std::chrono::milliseconds(timeout_ms);
  options.tls = tls;
  auto deployment = redis::RedisDeployment::open(contexts, uris, options);
  if (!deployment) {
    throw std::runtime_error(std::string("Redis (") + key + "): " + deployment.status().reason);
  }
  spdlog::info("Redis for {}: {}", key, (*deployment)->describe());
  return std::move(*deployment);
}

void addStats(ClusterMetrics& m, const redis::RedisDeploymentStats& s) {
  m.redis_commands += s.commands;
  m.redis_failed_fast += s.failed_fast;
  m.redis_timeouts += s.timeouts;
  m.redis_connects += s.connects;
  m.redis_disconnects += s.disconnects;
  m.redis_redirects += s.moved + s.asked;
  m.redis_server_changes += s.server_changes;
}

}  // namespace

struct ClusterNode::Impl {
  const Config& config;
  net::IoPool& pool;
  Store& store;
  const Clock& clock;
  Metrics& metrics;

  std::unique_ptr<redis::RedisDeployment> session_redis;
  std::unique_ptr<redis::RedisDeployment> sequence_redis;  // null: the session deployment
  std::unique_ptr<redis::RedisDeployment> location_redis;  // null: the session deployment
  std::unique_ptr<nodes::Membership> membership;
  std::unique_ptr<RedisSessionRegistry> registry;
  std::unique_ptr<RedisSequenceIds> sequence_ids;
  std::unique_ptr<RedisUserLocations> locations;  // null: location.enabled is off
  std::unique_ptr<nodes::RpcNodeClients> clients;
  std::unique_ptr<nodes::ClusterSessionControl> routing;
  std::unique_ptr<nodes::LocalSessionRpcHandler> rpc_handler;
  std::unique_ptr<nodes::RpcServer> rpc_server;
  Gateway* gateway = nullptr;

  std::thread maintenance;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;  // guarded by mutex

  std::atomic<uint64_t> reregistered{0};
  std::atomic<uint64_t> ghosts_removed{0};
  std::atomic<uint64_t> taken_over{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> locations_rewritten{0};
  bool warned_shared_sqlite = false;

  Impl(const Config& c, net::IoPool& p, Store& s, const Clock& k, Metrics& m)
      : config(c), pool(p), store(s), clock(k), metrics(m) {}

  redis::RedisDeployment& sequenceDeployment() {
    return sequence_redis ? *sequence_redis : *session_redis;
  }
  redis::RedisDeployment& locationDeployment() {
    return location_redis ? *location_redis : *session_redis;
  }

  // Writes back the positions Redis lost and retries failed removals.
  void refreshLocations() {
    if (!locations) return;
    const LocationRefreshReport report = locations->refresh();
    locations_rewritten.fetch_add(report.rewritten);
    if (report.failed_buckets > 0) {
      failures.fetch_add(1);
      spdlog::debug("location refresh: {} buckets failed: {}", report.failed_buckets,
                    report.first_error);
    }
  }

  void maintenanceLoop() {
    const auto interval = std::chrono::milliseconds(config.cluster.heartbeat_interval_millis);
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, interval, [this] { return stopping; })) {
      lock.unlock();
      tick();
      lock.lock();
    }
  }

  // One tick: tell the others this node lives, then refresh (and, after a data loss, rewrite)
  // every local session entry: one script call per Redis batch, not one per user.
  void tick() {
    if (auto alive = membership->heartbeat(); !alive) {
      failures.fetch_add(1);
    } else {
      // Nodes that left (or died) take their connection and queued pushes with them.
      std::vector<std::string> live;
      for (const auto& node : membership->liveNodes()) live.push_back(node.id);
      clients->forgetAllBut(std::move(live));
    }
    if (!warned_shared_sqlite && config.mongo.uri.empty() && !membership->alone()) {
      warned_shared_sqlite = true;
      spdlog::warn(
          "other nodes are live but this node keeps business data in its own SQLite store: "
          "users on different nodes will not see each other's messages. Point every node at the "
          "same MongoDB (mongo.uri).");
    }
    const int64_t refresh_started = clock.nowMillis();
    SessionRefreshReport report = registry->refreshLocalSessions();
    if (report.failed_batches > 0) {
      failures.fetch_add(1);
    } else {
      membership->noteSessionsWritten(refresh_started);
    }
    reregistered.fetch_add(report.reregistered_devices);
    ghosts_removed.fetch_add(report.removed_ghosts);
    taken_over.fetch_add(report.taken_over.size());
    for (const auto& [user_id, device_type] : report.taken_over) {
      // While Redis had lost this entry, a newer login of the same device type on another node
      // registered itself: that session wins, this one is closed as a kicked device.
      const int32_t device = device_type;
      gateway->closeUserSessions(user_id, std::span<const int32_t>(&device, 1),
                                 /*DISCONNECTED_BY_OTHER_DEVICE*/ 501,
                                 StatusCode::kSessionSimultaneousConflictsOffline,
                                 "Another device of the same type logged in");
    }
    refreshLocations();
  }

  // Tells every live node that this one has joined, before the client ports open: until their next
  // membership heartbeat they would otherwise treat it as dead and push nothing to its users.
  void announceJoin(const nodes::NodeInfo& self) {
    rpc::NodeJoined joined;
    joined.set_node_id(self.id);
    joined.set_rpc_host(self.rpc_host);
    joined.set_rpc_port(self.rpc_port);
    joined.set_started_at_millis(self.started_at_millis);
    for (const auto& node : membership->liveNodes()) {
      if (node.id == self.id) continue;
      if (Status answered = clients->announceJoin(node.id, joined); !answered.isOk()) {
        // It learns of this node at its next heartbeat instead.
        spdlog::warn("could not announce this node to node {}: {}", node.id, answered.reason);
      }
    }
  }

  ClusterMetrics snapshot() const {
    ClusterMetrics m;
    m.live_nodes = static_cast<int64_t>(membership->liveNodes().size());
    m.sessions_reregistered = reregistered.load();
    m.sessions_taken_over = taken_over.load();
    m.maintenance_failures = failures.load();
    m.session_ghosts_removed = ghosts_removed.load();
    const auto sequences = sequence_ids->stats();
    m.sequence_leases = sequences.leases;
    m.sequence_stale_counters = sequences.stale_counters;
    m.sequence_lease_waits = sequences.lease_waits;
    m.sequence_bound_checks = sequences.bound_checks;
    if (routing) {
      const auto routed = routing->stats();
      m.pushes_undeliverable = routed.undeliverable;
      m.pushes_offered_to_all = routed.offered_to_all;
    }
    if (clients) {
      auto rpc = clients->stats();
      m.rpc_pushes_sent = rpc.pushes_sent;
      m.rpc_pushes_dropped = rpc.pushes_dropped;
      m.rpc_errors = rpc.rpc_errors;
      m.rpc_auth_failures += rpc.handshake_failures;
    }
    if (rpc_server) {
      const auto served = rpc_server->stats();
      m.rpc_auth_failures += served.auth_failures;
      m.rpc_connections_refused = served.refused;
      m.rpc_connections_closed = served.malformed + served.idle_closed + served.overflowed;
    }
    m.locations_rewritten = locations_rewritten.load();
    addStats(m, session_redis->stats());
    if (sequence_redis) addStats(m, sequence_redis->stats());
    if (location_redis) addStats(m, location_redis->stats());
    return m;
  }
};

ClusterNode::ClusterNode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClusterNode::~ClusterNode() { stop(); }

std::unique_ptr<ClusterNode> ClusterNode::open(const Config& config, net::IoPool& pool,
                                               Store& store, const Clock& clock, Metrics& metrics) {
  const auto& redis_config = config.redis;
  if (redis_config.session_uris.empty()) return nullptr;
  // A push frame is one notification (at most a client request, relayed) and a bounded number
  // of user ids: the frame limit must leave room for the largest request.
  if (const int64_t needed =
          int64_t{config.gateway.max_request_size_bytes} + int64_t{nodes::kMaxPushFrameOverhead};
      config.cluster.rpc_max_frame_bytes < needed) {
    throw std::runtime_error("config key 'cluster.rpc-max-frame-bytes': " +
                             std::to_string(config.cluster.rpc_max_frame_bytes) +
                             " cannot carry a push of the largest request "
                             "(gateway.max-request-size-bytes); use at least " +
                             std::to_string(needed));
  }
  auto impl = std::make_unique<Impl>(config, pool, store, clock, metrics);
  const auto redis_tls = redisTlsContext(redis_config);
  impl->session_redis = openDeployment(pool, redis_config.session_uris, "redis.session.uris",
                                       redis_config.timeout_ms, redis_tls);
  if (!redis_config.sequence_uris.empty() &&
      redis_config.sequence_uris != redis_config.session_uris) {
    impl->sequence_redis = openDeployment(pool, redis_config.sequence_uris, "redis.sequence.uris",
                                          redis_config.timeout_ms, redis_tls);
  }
  if (config.location.enabled && !redis_config.location_uris.empty() &&
      redis_config.location_uris != redis_config.session_uris) {
    impl->location_redis = openDeployment(pool, redis_config.location_uris, "redis.location.uris",
                                          redis_config.timeout_ms, redis_tls);
  }
  warnIfRedisPersistsNothing(*impl->session_redis, "sessions");
  if (impl->sequence_redis) warnIfRedisPersistsNothing(*impl->sequence_redis, "sequence ids");

  RedisSessionRegistryOptions registry_options;
  registry_options.node_id = config.node.id;
  registry_options.session_ttl_seconds = config.gateway.close_idle_session_after_seconds;
  // Membership exists from start() on; before it there are no sessions to look up. A node the
  // view does not hold is looked up in Redis again before its devices count as offline.
  registry_options.is_node_alive = [impl = impl.get()](std::string_view node_id) {
    return !impl->membership || impl->membership->confirmAlive(node_id);
  };
  // Every node's next refresh writes its sessions back: one tick, plus the refresh itself.
  registry_options.heal_window_millis =
      2 * int64_t{config.cluster.heartbeat_interval_millis} + 1000;
  registry_options.sessions_written_since = [impl = impl.get()](int64_t since_millis) {
    return !impl->membership || impl->membership->allSessionsWrittenSince(since_millis);
  };
  impl->registry = std::make_unique<RedisSessionRegistry>(*impl->session_redis,
                                                          std::move(registry_options), clock);
  RedisSequenceIdsOptions sequence_options;
  sequence_options.lease_size = redis_config.sequence_lease_size;
  impl->sequence_ids = std::make_unique<RedisSequenceIds>(impl->sequenceDeployment(),
                                                          store.sequenceLeases(), sequence_options);
  if (config.location.enabled) {
    impl->locations = std::make_unique<RedisUserLocations>(
        impl->locationDeployment(),
        RedisUserLocationsOptions{config.node.id,
                                  config.location.treat_user_id_and_device_type_as_unique_user});
  }
  return std::unique_ptr<ClusterNode>(new ClusterNode(std::move(impl)));
}

SessionRegistry& ClusterNode::registry() { return *impl_->registry; }
SequenceIds& ClusterNode::sequenceIds() { return *impl_->sequence_ids; }
UserLocations* ClusterNode::locations() { return impl_->locations.get(); }
redis::RedisDeployment& ClusterNode::sessionRedis() { return *impl_->session_redis; }
SessionControl& ClusterNode::routing() { return *impl_->routing; }

std::vector<nodes::NodeInfo> ClusterNode::liveNodes() const {
  return impl_->membership ? impl_->membership->liveNodes() : std::vector<nodes::NodeInfo>();
}

std::vector<RedisServerStatus> ClusterNode::redisStatus() const {
  std::vector<RedisServerStatus> servers;
  const std::pair<const char*, redis::RedisDeployment*> deployments[] = {
      {"sessions", impl_->session_redis.get()},
      {"sequence ids", impl_->sequence_redis.get()},
      {"locations", impl_->location_redis.get()}};
  for (const auto& [purpose, deployment] : deployments) {
    if (deployment == nullptr) continue;  // on the session deployment
    const auto pings = deployment->commandOnEveryServerSync({"PING"});
    const auto appendonly = deployment->commandOnEveryServerSync({"CONFIG", "GET", "appendonly"});
    const auto save = deployment->commandOnEveryServerSync({"CONFIG", "GET", "save"});
    for (size_t i = 0; i < pings.size(); ++i) {
      RedisServerStatus status;
      status.purpose = purpose;
      status.server = pings[i].server;
      status.reachable = pings[i].reply.ok() && !pings[i].reply->isError();
      const auto aof = i < appendonly.size() ? configGetValue(appendonly[i].reply) : std::nullopt;
      const auto rdb = i < save.size() ? configGetValue(save[i].reply) : std::nullopt;
      if (aof && rdb) {
        status.persistence = *aof == "yes" ? "aof" : rdb->empty() ? "none" : "rdb";
      }
      servers.push_back(std::move(status));
    }
  }
  return servers;
}

uint16_t ClusterNode::rpcPort() const { return impl_->rpc_server ? impl_->rpc_server->port() : 0; }

void ClusterNode::start(Gateway& gateway) {
  auto& impl = *impl_;
  const auto& cluster = impl.config.cluster;
  impl.gateway = &gateway;
  impl.rpc_handler = std::make_unique<nodes::LocalSessionRpcHandler>(gateway);
  nodes::RpcServerOptions rpc_options;
  rpc_options.bind_address = cluster.rpc_bind;
  rpc_options.port = static_cast<uint16_t>(cluster.rpc_port);
  rpc_options.secret = cluster.secret;
  rpc_options.max_frame_size = static_cast<size_t>(cluster.rpc_max_frame_bytes);
  rpc_options.max_queued_reply_bytes = static_cast<size_t>(cluster.rpc_max_queued_reply_bytes);
  rpc_options.max_connections = static_cast<size_t>(cluster.rpc_max_connections);
  rpc_options.idle_timeout = std::chrono::seconds(cluster.rpc_idle_timeout_seconds);
  auto server = nodes::RpcServer::listen(impl.pool.context(0), rpc_options, *impl.rpc_handler);
  if (!server) {
    throw std::runtime_error("cluster RPC (cluster.rpc-port): " + server.status().reason);
  }
  impl.rpc_server = std::move(*server);

  nodes::NodeInfo self;
  self.id = impl.config.node.id;
  self.rpc_host = cluster.rpc_advertise_host;
  if (self.rpc_host.empty()) {
    // A wildcard bind is not an address others can dial; loopback serves one host.
    const bool wildcard = cluster.rpc_bind == "0.0.0.0" || cluster.rpc_bind == "::";
    self.rpc_host = wildcard ? "127.0.0.1" : cluster.rpc_bind;
  }
  self.rpc_port = impl.rpc_server->port();
  self.started_at_millis = impl.clock.nowMillis();
  nodes::MembershipOptions membership_options;
  membership_options.heartbeat_interval =
      std::chrono::milliseconds(cluster.heartbeat_interval_millis);
  membership_options.stale_after = std::chrono::milliseconds(cluster.node_stale_after_millis);
  impl.membership = std::make_unique<nodes::Membership>(*impl.session_redis, self,
                                                        membership_options, impl.clock);
  if (auto joined = impl.membership->join(); !joined) {
    throw std::runtime_error("cannot join the cluster as node '" + self.id +
                             "': " + joined.status().reason);
  }
  impl.rpc_handler->useMembership(*impl.membership);
  // This process holds no session yet: whatever names this node in Redis is an earlier
  // process's, and would show those users online (or be refreshed along with new sessions).
  if (auto removed = impl.registry->removeEntriesOfEarlierProcess(); !removed) {
    spdlog::warn(
        "could not remove the session entries of an earlier process of node {} ({}); the "
        "refreshes remove those of users who log in here again, the others expire with their TTL",
        self.id, removed.status().reason);
  } else {
    impl.ghosts_removed.fetch_add(*removed);
  }
  nodes::NodeClientsOptions client_options;
  client_options.node_id = self.id;
  client_options.secret = cluster.secret;
  client_options.max_frame_size = rpc_options.max_frame_size;
  // Every node has the same idle timeout: a ping per quarter of it keeps connections open.
  client_options.keepalive_interval = rpc_options.idle_timeout / 4;
  impl.clients = std::make_unique<nodes::RpcNodeClients>(
      impl.pool.context(impl.pool.size() > 1 ? 1 : 0),
      [membership =
           impl.membership.get()](std::string_view node_id) -> std::optional<nodes::NodeAddress> {
        auto node = membership->find(node_id);
        if (!node) return std::nullopt;
        return nodes::NodeAddress{node->rpc_host, node->rpc_port};
      },
      client_options);
  impl.membership->setReachability([clients = impl.clients.get()](std::string_view node_id) {
    return clients->connected(node_id);
  });
  impl.routing = std::make_unique<nodes::ClusterSessionControl>(self.id, gateway, *impl.registry,
                                                                *impl.membership, *impl.clients);
  gateway.useCluster(
      *impl.routing, [routing = impl.routing.get()](const std::string& node_id, int64_t user_id,
                                                    int32_t device_type) {
        routing->closeOnNode(node_id, user_id, std::span<const int32_t>(&device_type, 1),
                             /*DISCONNECTED_BY_OTHER_DEVICE*/ 501,
                             StatusCode::kSessionSimultaneousConflictsOffline,
                             "Another device of the same type logged in");
      });
  impl.announceJoin(self);
  impl.metrics.setClusterSource([impl = impl_.get()] { return impl->snapshot(); });
  impl.maintenance = std::thread([impl = impl_.get()] {
    nameThisThread("cluster-maint");
    impl->maintenanceLoop();
  });
}

void ClusterNode::stop() {
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    if (impl.stopping) return;
    impl.stopping = true;
  }
  impl.wake.notify_all();
  if (impl.maintenance.joinable()) impl.maintenance.join();
  if (impl.membership) impl.membership->leave();
  if (impl.rpc_server) impl.rpc_server->stop();
}

}  // namespace parley
