// reregistration-bench (issue 6): how long one node takes to write its sessions back after Redis
// lost them. Registers N sessions through RedisSessionRegistry::registerDevice, FLUSHALLs every
// server, times the one refreshLocalSessions() call that re-registers them all, checks they are
// all back, and prints a human summary plus one JSON line. Not a test: no figure is asserted,
// only that every session came back.
//
// By default it starts its own redis-server processes on loopback (single, three standalone
// shards or a three-primary cluster); with --redis-uri it uses the given deployment instead and
// FLUSHALLs it, so never point it at data you want to keep.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "online/redis_keys.h"
#include "online/redis_session_registry.h"
#include "redis/redis_cluster_process.h"
#include "redis/redis_deployment.h"
#include "redis/redis_server_process.h"
#include "testing/eventually.h"
#include "testing/io_threads.h"

namespace parley::bench {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using redis::testing::RedisClusterProcess;
using redis::testing::RedisServerProcess;

struct Options {
  int64_t sessions = 10'000;
  size_t batch_size = 1000;
  std::string topology = "single";
  std::vector<std::string> redis_uris;
  int register_threads = 4;
  int command_timeout_ms = 2000;  // RedisClientOptions' default, as a node runs
  std::string json_out;
};

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

// The redis-server processes of this run, unless --redis-uri names a deployment.
class LocalRedis {
 public:
  explicit LocalRedis(const std::string& topology) {
    if (topology == "cluster3") {
      cluster_ = std::make_unique<RedisClusterProcess>(3);
      uris_ = cluster_->seedUris();
      return;
    }
    const int count = topology == "shards3" ? 3 : 1;
    for (int i = 0; i < count; ++i) {
      servers_.push_back(std::make_unique<RedisServerProcess>());
      uris_.push_back(servers_.back()->uri());
    }
  }
  const std::vector<std::string>& uris() const { return uris_; }

 private:
  std::unique_ptr<RedisClusterProcess> cluster_;
  std::vector<std::unique_ptr<RedisServerProcess>> servers_;
  std::vector<std::string> uris_;
};

// Sum over the servers, or nullopt when one does not answer.
std::optional<int64_t> sumOverServers(redis::RedisDeployment& deployment,
                                      std::vector<std::string> command,
                                      const std::string& info_field = {}) {
  int64_t total = 0;
  for (const redis::ServerReply& server : deployment.commandOnEveryServerSync(command)) {
    if (!server.reply.ok() || server.reply->isError()) return std::nullopt;
    if (info_field.empty()) {
      total += server.reply->integer;
      continue;
    }
    const std::string& text = server.reply->str;
    const size_t at = text.find(info_field + ":");
    if (at == std::string::npos) return std::nullopt;
    total += std::stoll(text.substr(at + info_field.size() + 1));
  }
  return total;
}

bool waitUntilReachable(redis::RedisDeployment& deployment) {
  return parley::testing::eventually(
      [&] { return sumOverServers(deployment, {"DBSIZE"}).has_value(); }, std::chrono::seconds(30));
}

int run(const Options& options) {
  std::optional<LocalRedis> local;
  std::vector<std::string> uris = options.redis_uris;
  if (uris.empty()) {
    local.emplace(options.topology);
    uris = local->uris();
  }
  parley::testing::IoThreads io(2);
  redis::RedisClientOptions client_options;
  client_options.command_timeout = std::chrono::milliseconds(options.command_timeout_ms);
  auto opened = redis::RedisDeployment::open(io.contexts(), uris, client_options);
  if (!opened.ok()) {
    std::cerr << "reregistration-bench: " << opened.status().reason << "\n";
    return 1;
  }
  redis::RedisDeployment& deployment = **opened;
  if (!waitUntilReachable(deployment)) {
    std::cerr << "reregistration-bench: Redis is not reachable: " << deployment.describe() << "\n";
    return 1;
  }
  for (const auto& server : deployment.commandOnEveryServerSync({"FLUSHALL"})) {
    if (!server.reply.ok() || server.reply->isError()) {
      std::cerr << "reregistration-bench: FLUSHALL failed on " << server.server << "\n";
      return 1;
    }
  }

  const std::optional<int64_t> memory_empty =
      sumOverServers(deployment, {"INFO", "memory"}, "used_memory");

  RedisSessionRegistryOptions registry_options;
  registry_options.node_id = "bench-node";
  registry_options.refresh_batch_size = options.batch_size;
  RedisSessionRegistry registry(deployment, registry_options, SystemClock::instance());
  const std::string node_id = registry_options.node_id;
  const int64_t n = options.sessions;

  // Initial registration: users 1..n, device types 0 and 1 alternating, from several threads as
  // a node's blocking pool would.
  std::atomic<int64_t> next{1};
  std::atomic<int64_t> failed{0};
  const auto register_start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < options.register_threads; ++t) {
      threads.emplace_back([&] {
        const int64_t login = SystemClock::instance().nowMillis();
        for (int64_t user = next++; user <= n; user = next++) {
          const auto device = static_cast<DeviceType>(user % 2);
          if (!registry.registerDevice(user, device, kUserStatusAvailable, node_id, login).ok()) {
            ++failed;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  const double register_seconds = secondsSince(register_start);
  if (failed > 0) {
    std::cerr << "reregistration-bench: " << failed << " registrations failed\n";
    return 1;
  }
  const std::optional<int64_t> memory_registered =
      sumOverServers(deployment, {"INFO", "memory"}, "used_memory");

  // Redis loses everything.
  for (const auto& server : deployment.commandOnEveryServerSync({"FLUSHALL"})) {
    if (!server.reply.ok() || server.reply->isError()) {
      std::cerr << "reregistration-bench: FLUSHALL failed on " << server.server << "\n";
      return 1;
    }
  }
  if (sumOverServers(deployment, {"DBSIZE"}).value_or(-1) != 0) {
    std::cerr << "reregistration-bench: keys left after FLUSHALL\n";
    return 1;
  }

  const auto refresh_start = Clock::now();
  const SessionRefreshReport report = registry.refreshLocalSessions();
  const double reregister_seconds = secondsSince(refresh_start);
  if (report.failed_batches > 0) {
    std::cerr << "reregistration-bench: " << report.failed_batches
              << " refresh batches failed: " << report.first_error << "\n";
    return 1;
  }
  const std::optional<int64_t> memory_after =
      sumOverServers(deployment, {"INFO", "memory"}, "used_memory");

  // Every session is back: the count, and a sample read back field by field.
  const auto count_start = Clock::now();
  const Result<int64_t> online = registry.countOnlineUsers();
  const double count_seconds = secondsSince(count_start);
  std::vector<int64_t> sample;
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> pick(1, n);
  for (int i = 0; i < 1000 && i < n; ++i) sample.push_back(pick(random));
  const auto queried = registry.query(sample);
  int64_t sample_ok = 0;
  if (queried.ok()) {
    for (const UserOnlineInfo& info : *queried) {
      if (info.devices.size() == 1 && info.devices[0].node_id == node_id &&
          info.devices[0].device_type == static_cast<DeviceType>(info.user_id % 2)) {
        ++sample_ok;
      }
    }
  }

  // The steady state of every maintenance tick: nothing lost, heartbeats and TTLs refreshed.
  const auto steady_start = Clock::now();
  const SessionRefreshReport steady = registry.refreshLocalSessions();
  const double steady_seconds = secondsSince(steady_start);

  const bool all_back = static_cast<int64_t>(report.reregistered_devices) == n && online.ok() &&
                        *online == n && sample_ok == static_cast<int64_t>(sample.size());
  const double rate = reregister_seconds > 0 ? static_cast<double>(n) / reregister_seconds : 0;

  std::printf("reregistration-bench: %s, %lld sessions, refresh batch %zu, load %s\n",
              deployment.describe().c_str(), static_cast<long long>(n), options.batch_size,
              loadAverage().c_str());
  std::printf("  initial registration (registerDevice x %d threads): %.3f s (%.0f/s)\n",
              options.register_threads, register_seconds,
              register_seconds > 0 ? static_cast<double>(n) / register_seconds : 0.0);
  std::printf(
      "  re-registration after FLUSHALL (one refreshLocalSessions): %.3f s (%.0f/s), %zu "
      "devices written back\n",
      reregister_seconds, rate, report.reregistered_devices);
  std::printf("  steady refresh (nothing lost): %.3f s\n", steady_seconds);
  std::printf("  countOnlineUsers (client-side SCAN): %.3f s -> %lld\n", count_seconds,
              online.ok() ? static_cast<long long>(*online) : -1LL);
  std::printf("  sample of %zu users read back correctly: %lld\n", sample.size(),
              static_cast<long long>(sample_ok));
  std::printf(
      "  redis used_memory: %lld B empty, %lld B after registration, %lld B after "
      "re-registration (%.0f B per session)\n",
      static_cast<long long>(memory_empty.value_or(-1)),
      static_cast<long long>(memory_registered.value_or(-1)),
      static_cast<long long>(memory_after.value_or(-1)),
      static_cast<double>(memory_after.value_or(0) - memory_empty.value_or(0)) /
          static_cast<double>(n));
  std::printf("  all sessions back: %s\n", all_back ? "yes" : "NO");

  json::object doc;
  doc["bench"] = "reregistration";
  doc["date"] = utcNow();
  doc["topology"] = options.redis_uris.empty() ? options.topology : "external";
  doc["redis"] = deployment.describe();
  doc["sessions"] = n;
  doc["batch_size"] = options.batch_size;
  doc["register_threads"] = options.register_threads;
  doc["command_timeout_ms"] = options.command_timeout_ms;
  doc["registration_s"] = register_seconds;
  doc["reregistration_s"] = reregister_seconds;
  doc["reregistration_sessions_per_s"] = rate;
  doc["reregistered_devices"] = report.reregistered_devices;
  doc["steady_refresh_s"] = steady_seconds;
  doc["steady_reregistered_devices"] = steady.reregistered_devices;
  doc["count_online_s"] = count_seconds;
  doc["count_online"] = online.ok() ? *online : -1;
  doc["sample_ok"] = sample_ok;
  doc["sample_size"] = sample.size();
  doc["redis_used_memory_empty"] = memory_empty.value_or(-1);
  doc["redis_used_memory_after_registration"] = memory_registered.value_or(-1);
  doc["redis_used_memory_after"] = memory_after.value_or(-1);
  doc["all_back"] = all_back;
  doc["load_average"] = loadAverage();
  const std::string line = json::serialize(doc);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (!options.json_out.empty()) std::ofstream(options.json_out) << line << "\n";
  return all_back ? 0 : 1;
}

}  // namespace
}  // namespace parley::bench

int main(int argc, char** argv) {
  parley::bench::Options options;
  CLI::App app{
      "reregistration-bench: time to re-register a node's sessions after Redis lost them "
      "(FLUSHALL)"};
  app.add_option("--sessions", options.sessions, "sessions (users 1..N)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--batch-size", options.batch_size, "users per refresh script call")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--topology", options.topology, "redis-servers to start")
      ->check(CLI::IsMember({"single", "shards3", "cluster3"}));
  app.add_option("--redis-uri", options.redis_uris,
                 "use this deployment instead (repeatable; it is FLUSHALLed!)");
  app.add_option("--register-threads", options.register_threads,
                 "threads calling registerDevice for the initial registration")
      ->check(CLI::Range(1, 64));
  app.add_option("--command-timeout-ms", options.command_timeout_ms,
                 "RedisClientOptions::command_timeout (a node's default: 2000)")
      ->check(CLI::Range(10, 600'000));
  app.add_option("--json-out", options.json_out, "also write the JSON line to this file");
  CLI11_PARSE(app, argc, argv);
  // Connection chatter would bury the summary; warnings (lost sessions, outages) stay.
  spdlog::set_level(spdlog::level::warn);
  try {
    return parley::bench::run(options);
  } catch (const std::exception& e) {  // start-up only: the redis-server processes
    std::cerr << "reregistration-bench: " << e.what() << "\n";
    return 1;
  }
}
