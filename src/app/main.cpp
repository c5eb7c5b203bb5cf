// parley: one Parley node. Reads configuration, wires the components and runs until SIGTERM or
// SIGINT, then shuts down gracefully (close signal 201 to every session, storage flushed).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string_view>
#include <thread>

#include "admin/admin_server.h"
#include "app/blocklist_setup.h"
#include "app/cluster_node.h"
#include "app/migrate.h"
#include "app/node_figures.h"
#include "app/store_health.h"
#include "app/verification_cache_setup.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/logging.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "core/periodic_job.h"
#include "core/snowflake.h"
#include "gateway/gateway.h"
#include "net/client_servers.h"
#include "net/io_pool.h"
#include "nodes/membership.h"
#include "online/session_registry.h"
#include "online/user_locations.h"
#include "service/conversation/conversation_handlers.h"
#include "service/demo_data.h"
#include "service/dispatcher.h"
#include "service/group/group_blocklist_handlers.h"
#include "service/group/group_handlers.h"
#include "service/group/group_invitation_handlers.h"
#include "service/group/group_join_question_handlers.h"
#include "service/group/group_join_request_handlers.h"
#include "service/group/group_types.h"
#include "service/message/message_handlers.h"
#include "service/relationship/friend_request_handlers.h"
#include "service/relationship/relationship_group_handlers.h"
#include "service/relationship/relationship_handlers.h"
#include "service/service_deps.h"
#include "service/unimplemented_handlers.h"
#include "service/user/nearby_user_handlers.h"
#include "service/user/user_handlers.h"
#include "service/user/user_settings_handlers.h"
#include "store/store.h"

extern char** environ;

namespace parley {
namespace {

constexpr const char* kVersion = "0.1.0";

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return env;
}

PasswordHasherOptions hasherOptions(const PasswordConfig& config, std::string secret) {
  PasswordHasherOptions options;
  options.algorithm = config.algorithm == "salted-sha256" ? PasswordAlgorithm::kSaltedSha256
                                                          : PasswordAlgorithm::kArgon2id;
  options.argon2_ops_limit = config.argon2_ops_limit;
  options.argon2_mem_limit_kib = config.argon2_mem_limit_kib;
  options.verification_cache_seconds = config.verification_cache_seconds;
  options.verification_cache_secret = std::move(secret);
  return options;
}

std::string randomPassword() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device device;
  std::string password;
  for (int i = 0; i < 24; ++i) password += kAlphabet[device() % (sizeof(kAlphabet) - 1)];
  return password;
}

// admin.console-dir, or where the build and an install put the console: build/console beside
// build/parley, <prefix>/share/parley/console for <prefix>/bin/parley. Empty when none exists;
// /console/ then says the console was not built.
std::string consoleDir(const AdminConfig& config) {
  if (!config.console_dir.empty()) {
    return config.console_dir;
  }
  std::error_code error;
  const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return "";
  }
  for (const std::filesystem::path& candidate :
       {binary.parent_path() / "console",
        binary.parent_path().parent_path() / "share" / "parley" / "console"}) {
    if (std::filesystem::is_regular_file(candidate / "index.html", error)) {
      return candidate.string();
    }
  }
  return "";
}

// Blocks SIGINT/SIGTERM (shut down) and SIGHUP (reload certificates) in every thread (threads
// inherit the mask) so that main can sigwait.
sigset_t blockHandledSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

std::shared_ptr<net::ReloadableTlsContext> loadTls(const TlsFilesConfig& files,
                                                   const std::string& what) {
  std::shared_ptr<net::ReloadableTlsContext> tls;
  try {
    tls = std::make_shared<net::ReloadableTlsContext>(net::TlsServerFiles{
        files.cert_file, files.key_file, files.client_ca_file, files.require_client_cert});
  } catch (const std::runtime_error& e) {
    throw ConfigError("TLS for the " + what + ": " + e.what());
  }
  spdlog::info("TLS for the {}: certificate {}", what, tls->current()->certificateSummary());
  return tls;
}

// Connections accepted from now on get the new certificate; open ones keep theirs. A file that
// does not load leaves the current certificate in use.
void reloadTls(net::ReloadableTlsContext& tls, const std::string& what) {
  if (auto failure = tls.reload()) {
    spdlog::error("SIGHUP: TLS for the {} not reloaded, the current certificate stays: {}", what,
                  *failure);
    return;
  }
  spdlog::info("SIGHUP: TLS for the {} reloaded: certificate {}", what,
               tls.current()->certificateSummary());
}

int run(const Config& config) {
  sigset_t signals = blockHandledSignals();
  // Writes to a closed stdout (a supervisor that went away) must not kill the node.
  signal(SIGPIPE, SIG_IGN);
  const Clock& clock = SystemClock::instance();
  // First: a missing or mismatched certificate stops the node before it touches any store.
  std::shared_ptr<net::ReloadableTlsContext> client_tls;
  if (config.gateway.ws_tls || config.gateway.tcp_tls) {
    client_tls = loadTls(config.gateway.tls, "client ports");
  }
  std::shared_ptr<net::ReloadableTlsContext> admin_tls;
  if (config.admin.https && config.admin.port >= 0) {
    admin_tls = loadTls(config.admin.tls, "admin API");
  }
  // Clusters share MongoDB; with no mongo.uri a node keeps everything in its own SQLite file.
  auto store = config.mongo.uri.empty() ? openSqliteStore(config.store.data_dir)
                                        : openMongoStore(config.mongo);
  PasswordHasher hasher(
      hasherOptions(config.password, verificationCacheSecret(config.password, *store)), clock);
  if (config.demo.enabled) {
    seedDemoData(*store, hasher, clock, config.demo.user_count,
                 config.demo.distinct_password_hashes);
  }

  Metrics metrics(kVersion);
  if (store->metrics()) {
    metrics.setStoreSource([&store = *store] { return store.metrics().value_or(StoreMetrics{}); });
  }
  net::IoPool pool(config.node.io_threads, config.node.blocking_threads);
  // Running from here on: wiring a Redis Cluster fetches its slot map over these threads.
  pool.start();
  // With redis.session.uris set, sessions and sequence ids live in Redis and this node is one of
  // several; otherwise everything stays in this process and its store.
  auto cluster = ClusterNode::open(config, pool, *store, clock, metrics);
  std::unique_ptr<SessionRegistry> in_process_registry;
  if (!cluster) in_process_registry = makeInProcessSessionRegistry();
  SessionRegistry& registry = cluster ? cluster->registry() : *in_process_registry;
  // The verification cache's second level: Redis beside the sessions, or the embedded store.
  auto shared_verification_cache =
      openSharedVerificationCache(config.password, cluster.get(), *store, clock);
  if (shared_verification_cache) hasher.useSharedCache(*shared_verification_cache);
  metrics.setPasswordSource([&hasher] {
    const PasswordVerifyStats stats = hasher.stats();
    return PasswordMetrics{stats.cache_hits,         stats.full_verifications,
                           stats.shared_hits,        stats.shared_misses,
                           stats.shared_unavailable, stats.shared_write_failures};
  });
  SequenceIds& sequence_ids = cluster ? cluster->sequenceIds() : store->sequenceIds();
  // Positions for nearby users: beside the sessions in Redis, or in this process. With
  // location.enabled off nothing is stored: the handlers answer 2200 and logins skip positions.
  UserLocations* shared_locations = cluster ? cluster->locations() : nullptr;
  std::unique_ptr<UserLocations> in_process_locations;
  if (!shared_locations) {
    in_process_locations = makeInProcessUserLocations(
        config.node.id, config.location.treat_user_id_and_device_type_as_unique_user);
  }
  UserLocations& locations = shared_locations ? *shared_locations : *in_process_locations;
  // The admin API calls storage and hashing synchronously: it gets its own thread so it never
  // stalls client connections.
  net::IoPool admin_pool(1, 1);
  Dispatcher dispatcher;
  GatewayDeps gateway_deps{config.gateway, config.node.id, pool,    dispatcher, store->users(),
                           registry,       hasher,         metrics, clock};
  gateway_deps.local_backends = config.mongo.uri.empty() && !cluster;
  gateway_deps.locations = config.location.enabled ? &locations : nullptr;
  std::unique_ptr<NodeBlocklist> blocklist;
  if (config.blocklist.enabled) {
    blocklist =
        std::make_unique<NodeBlocklist>(config.blocklist, cluster.get(), config.node.id, clock);
    gateway_deps.blocklist = &blocklist->blocklist();
    gateway_deps.blocklist_config = &config.blocklist;
  }
  Gateway gateway(gateway_deps);
  if (blocklist) {
    // Every node closes its own connections of a blocked client, once its copy has the block.
    blocklist->start([&gateway](BlockTarget target, const std::string& id) {
      gateway.closeBlockedClient(target, id);
    });
    metrics.setBlocklistSource([&blocklist = *blocklist] { return blocklist.metrics(); });
  }
  if (cluster) cluster->start(gateway);
  // For the console's cluster view; written beside the sessions, like the membership.
  std::unique_ptr<NodeFigures> node_figures;
  if (cluster) {
    node_figures = std::make_unique<NodeFigures>(
        cluster->sessionRedis(), metrics, clock, config.node.id, [&cluster] {
          std::vector<std::string> ids;
          for (const nodes::NodeInfo& node : cluster->liveNodes()) ids.push_back(node.id);
          return ids;
        });
    node_figures->start();
  }
  SessionControl& session_control = cluster ? cluster->routing() : gateway;
  const int64_t worker_id = config.node.worker_id >= 0
                                ? config.node.worker_id
                                : SnowflakeIdGenerator::workerIdFromName(config.node.id);
  SnowflakeIdGenerator ids(worker_id, clock);
  GroupTypes group_types(store->groupTypes(), clock);
  ServiceDeps service{.store = *store,
                      .sessions = registry,
                      .session_control = session_control,
                      .locations = locations,
                      .sequence_ids = sequence_ids,
                      .ids = ids,
                      .hasher = hasher,
                      .clock = clock,
                      .message = config.message,
                      .group = config.group,
                      .group_types = group_types,
                      .friend_request = config.friend_request,
                      .user = config.user,
                      .location = config.location};
  registerUserHandlers(dispatcher, service);
  registerUserSettingsHandlers(dispatcher, service);
  registerNearbyUserHandlers(dispatcher, service);
  registerMessageHandlers(dispatcher, service);
  registerGroupHandlers(dispatcher, service);
  registerGroupBlocklistHandlers(dispatcher, service);
  registerGroupInvitationHandlers(dispatcher, service);
  registerGroupJoinRequestHandlers(dispatcher, service);
  registerGroupJoinQuestionHandlers(dispatcher, service);
  registerRelationshipHandlers(dispatcher, service);
  registerRelationshipGroupHandlers(dispatcher, service);
  registerFriendRequestHandlers(dispatcher, service);
  registerConversationHandlers(dispatcher, service);
  registerUnimplementedHandlers(dispatcher);
  // Every node runs it: each step is idempotent, so several nodes at once only repeat work.
  int upkeep_runs = 0;
  PeriodicJob request_upkeep("request-upkeep", std::chrono::minutes(1), [&] {
    const bool hourly = upkeep_runs++ % 60 == 0;
    runFriendRequestCleanup(*store, config.friend_request, clock.nowMillis(), hourly);
    runGroupInvitationCleanup(*store, config.group.invitation, clock.nowMillis(), hourly);
    runGroupJoinRequestCleanup(*store, config.group.join_request, clock.nowMillis(), hourly);
  });

  net::ClientServerOptions server_options;
  server_options.bind = config.gateway.bind;
  server_options.ws_port = config.gateway.ws_port;
  server_options.tcp_port = config.gateway.tcp_port;
  server_options.limits.max_frame_bytes = config.gateway.max_request_size_bytes;
  server_options.limits.close_timeout_millis = config.gateway.close_timeout_millis;
  server_options.limits.max_unsent_bytes = static_cast<size_t>(config.gateway.max_unsent_bytes);
  if (config.gateway.ws_tls) server_options.ws_tls = client_tls;
  if (config.gateway.tcp_tls) server_options.tcp_tls = client_tls;
  net::ClientServers servers(pool, gateway, server_options);

  const StoreHealth store_health(*store, metrics);
  std::unique_ptr<AdminServer> admin;
  if (config.admin.port >= 0) {
    std::string password = config.admin.password;
    if (password.empty()) {
      password = randomPassword();
      spdlog::warn("admin.password is not set; this run's admin password is: {}", password);
    }
    AdminDeps admin_deps{store->users(),
                         registry,
                         hasher,
                         metrics,
                         clock,
                         password,
                         config.node.id,
                         [&store_health] { return store_health.healthy(); },
                         [&session_control](int64_t user_id) {
                           // On every node that holds a session of the user.
                           session_control.closeUserSessions(user_id, {},
                                                             /*USER_IS_DELETED_OR_INACTIVATED*/ 700,
                                                             StatusCode::kOk, "");
                         },
                         store.get(),
                         config.friend_request,
                         [&group_types] { group_types.invalidate(); },
                         config.group,
                         blocklist ? &blocklist->blocklist() : nullptr};
    admin_deps.console_dir = consoleDir(config.admin);
    admin_deps.config_values = configValues(config);
    if (cluster) {
      admin_deps.live_nodes = [&cluster] {
        std::vector<AdminNode> live;
        for (const nodes::NodeInfo& node : cluster->liveNodes()) {
          live.push_back({node.id, node.rpc_host + ":" + std::to_string(node.rpc_port),
                          node.started_at_millis, node.heartbeat_millis});
        }
        return live;
      };
      admin_deps.other_nodes_figures = [&node_figures] { return node_figures->others(); };
      admin_deps.redis_servers = [&cluster] {
        std::vector<AdminRedisServer> servers;
        for (RedisServerStatus& status : cluster->redisStatus()) {
          servers.push_back({std::move(status.purpose), std::move(status.server), status.reachable,
                             std::move(status.persistence)});
        }
        return servers;
      };
    }
    admin_deps.kick_sessions = [&session_control](int64_t user_id,
                                                  std::span<const int32_t> device_types) {
      session_control.closeUserSessions(user_id, device_types, /*DISCONNECTED_BY_ADMIN*/ 600,
                                        StatusCode::kOk, "");
    };
    const std::string console_dir = admin_deps.console_dir;
    admin = std::make_unique<AdminServer>(admin_pool.context(0), std::move(admin_deps),
                                          config.admin.bind, config.admin.port, admin_tls);
    if (console_dir.empty()) {
      spdlog::info("web console not found (admin.console-dir); /console/ answers 404");
    } else {
      // The address an operator opens, with the port actually bound (admin.port may be 0).
      spdlog::info("web console at {}://{}:{}/console/ (files in {})", admin_tls ? "https" : "http",
                   config.admin.bind, admin->port(), console_dir);
    }
  }
  gateway.start();
  admin_pool.start();
  spdlog::info(
      "parley {} node '{}' ready: websocket {}, tcp {}, admin {}, business data in {}, online "
      "state {}",
      kVersion, config.node.id, servers.wsPort(), servers.tcpPort(), admin ? admin->port() : 0,
      config.mongo.uri.empty() ? config.store.data_dir
                               : "MongoDB database '" + config.mongo.database + "'",
      cluster ? "in Redis (rpc port " + std::to_string(cluster->rpcPort()) + ")" : "in process");
  // A machine-readable line for scripts and tests that start Parley on port 0.
  std::printf("parley ready ws=%u tcp=%u admin=%u rpc=%u\n", servers.wsPort(), servers.tcpPort(),
              admin ? admin->port() : 0u, cluster ? cluster->rpcPort() : 0u);
  std::fflush(stdout);

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    if (client_tls) reloadTls(*client_tls, "client ports");
    if (admin_tls) reloadTls(*admin_tls, "admin API");
    if (!client_tls && !admin_tls) spdlog::info("received SIGHUP; no TLS certificates to reload");
  }
  spdlog::info("received {}; shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");

  servers.stopAccepting();
  if (blocklist) blocklist->stop();
  gateway.closeAll();
  // Give clients the close timeout to read the close signal and hang up, plus a margin.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(config.gateway.close_timeout_millis + 2000);
  while (gateway.connectionCount() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Closed sessions unregister themselves on the blocking pool, and those calls need the io
  // threads for their Redis replies: let them finish before anything stops.
  if (!pool.waitBlockingIdle(std::chrono::seconds(10))) {
    spdlog::warn("shutdown: blocking work still running after 10 s; stopping anyway");
  }
  // Writes still queued in the store (messages whose answers are not sent yet) commit now, and
  // their answers are handed to the io threads, which still run.
  store->flush();
  // Its job writes to Redis: it ends before the cluster's connections do.
  node_figures.reset();
  // Now leave the membership so other nodes stop routing here at once.
  if (cluster) cluster->stop();
  if (admin) admin->stop();
  admin_pool.stop();
  pool.stop();
  spdlog::info("shutdown complete");
  return 0;
}

}  // namespace
}  // namespace parley

int main(int argc, char** argv) {
  // `parley migrate [flags]` copies the SQLite store into MongoDB instead of serving; it takes
  // the same flags, config file and environment as a node.
  const bool migrate = argc > 1 && std::string_view(argv[1]) == "migrate";
  if (migrate) {
    --argc;
    ++argv;
  }
  parley::CommandLine command_line;
  try {
    command_line = parley::parseCommandLine(argc, argv, parley::environment());
  } catch (const parley::ConfigError& e) {
    std::cerr << "parley: configuration error: " << e.what() << "\n";
    return 2;
  }
  if (command_line.exit_now) return command_line.exit_code;
  const auto& config = command_line.config;
  parley::setupLogging(config.log.level, config.node.id, config.log.format);
  try {
    return migrate ? parley::runMigrate(config) : parley::run(config);
  } catch (const std::exception& e) {
    // Start-up failures (ports in use, unusable data dir, ...) end here with their reason.
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
}
