// parley-bench: a Turms-protocol load generator. The coordinator (this process) forks worker
// processes that each hold a slice of the sessions, moves them through the phases (login, group
// set-up, run, drain, report) via shared memory, samples the server's memory and CPU from /proc,
// then prints a human summary and one JSON line. Every run stops by itself (max_duration,
// max_messages) and talks to loopback only.
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "parley_bench/histogram.h"
#include "parley_bench/proc_stats.h"
#include "parley_bench/report.h"
#include "parley_bench/scenario.h"
#include "parley_bench/shared_state.h"
#include "parley_bench/worker.h"

namespace parley::bench {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr auto kSettle = std::chrono::seconds(1);
constexpr auto kGroupSetupBound = std::chrono::seconds(120);
constexpr auto kReportBound = std::chrono::seconds(15);

volatile sig_atomic_t g_interrupted = 0;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int server_pid = 0;
  std::string label;
  std::string json_out;
  std::vector<std::string> scenario_args;
};

struct WorkerHandle {
  pid_t pid = -1;
  int results_fd = -1;
  std::string output;
};

double secondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double round3(double value) { return std::round(value * 1000) / 1000; }

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

class Coordinator {
 public:
  Coordinator(Options options, Scenario scenario)
      : options_(std::move(options)), scenario_(std::move(scenario)) {}

  int run();

 private:
  int64_t sum(std::atomic<int64_t> WorkerProgress::*field) {
    int64_t total = 0;
    for (int i = 0; i < workers_; ++i) total += (shared_->worker(i).*field).load();
    return total;
  }

  // Sleeps in small steps until done() or the deadline; false on timeout or interruption.
  template <typename Done>
  bool waitUntil(Done done, SteadyClock::time_point deadline) {
    while (!done()) {
      if (g_interrupted || SteadyClock::now() >= deadline || SteadyClock::now() >= hard_deadline_ ||
          !workersAlive()) {
        return false;
      }
      sampleServer();
      std::this_thread::sleep_for(kPoll);
    }
    return true;
  }

  bool workersAlive() {
    for (auto& worker : handles_) {
      if (worker.pid <= 0) continue;
      int status = 0;
      if (waitpid(worker.pid, &status, WNOHANG) == worker.pid) {
        worker.pid = -1;
        abort_reason_ = "a worker exited early";
        return false;
      }
    }
    return true;
  }

  void sampleServer() {
    if (!server_pid_) return;
    if (auto rss = residentKib(*server_pid_)) rss_peak_kib_ = std::max(rss_peak_kib_, *rss);
  }

  std::optional<int64_t> serverRss() {
    if (!server_pid_) return std::nullopt;
    return residentKib(*server_pid_);
  }

  void forkWorkers();
  void collectResults();
  json::object summarize();
  void printHuman(const json::object& result);

  Options options_;
  Scenario scenario_;
  int workers_ = 1;
  std::optional<pid_t> server_pid_;
  void* memory_ = nullptr;
  size_t memory_bytes_ = 0;
  std::unique_ptr<SharedState> shared_;
  std::vector<WorkerHandle> handles_;
  std::vector<json::object> worker_results_;
  SteadyClock::time_point started_;
  SteadyClock::time_point hard_deadline_;
  std::string abort_reason_;

  std::optional<int64_t> rss_idle_kib_;
  std::optional<int64_t> rss_sessions_kib_;
  std::optional<int64_t> rss_end_kib_;
  int64_t rss_peak_kib_ = 0;
  std::optional<int64_t> server_cpu_run_ns_;
  std::optional<int64_t> server_cpu_login_ns_;
  double login_wall_seconds_ = 0;
  double run_wall_seconds_ = 0;
  double drain_seconds_ = 0;
  bool drained_ = false;
  int64_t groups_done_ = 0;
  std::string load_start_;
  std::string load_end_;
};

void Coordinator::forkWorkers() {
  for (int w = 0; w < workers_; ++w) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    WorkerConfig config;
    config.scenario = scenario_;
    config.host = options_.host;
    config.port = static_cast<uint16_t>(options_.port);
    config.index = w;
    config.count = workers_;
    config.session_begin = static_cast<int>(int64_t{scenario_.sessions} * w / workers_);
    config.session_end = static_cast<int>(int64_t{scenario_.sessions} * (w + 1) / workers_);
    config.results_fd = fds[1];
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      close(fds[0]);
      for (const auto& other : handles_) close(other.results_fd);
      signal(SIGINT, SIG_IGN);  // the coordinator decides when workers stop
      _exit(runWorker(config, *shared_));
    }
    close(fds[1]);
    handles_.push_back({pid, fds[0], {}});
  }
}

void Coordinator::collectResults() {
  const auto deadline = SteadyClock::now() + kReportBound;
  for (;;) {
    std::vector<pollfd> polls;
    for (auto& handle : handles_) {
      if (handle.results_fd >= 0) polls.push_back({handle.results_fd, POLLIN, 0});
    }
    if (polls.empty() || SteadyClock::now() >= deadline) break;
    poll(polls.data(), polls.size(), 100);
    for (const auto& p : polls) {
      if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      for (auto& handle : handles_) {
        if (handle.results_fd != p.fd) continue;
        char buffer[65536];
        const ssize_t n = read(handle.results_fd, buffer, sizeof(buffer));
        if (n > 0) {
          handle.output.append(buffer, static_cast<size_t>(n));
        } else {
          close(handle.results_fd);
          handle.results_fd = -1;
        }
      }
    }
  }
  for (auto& handle : handles_) {
    if (handle.results_fd >= 0) close(handle.results_fd);
    if (handle.pid > 0) {
      bool exited = false;
      for (int i = 0; i < 200 && !exited; ++i) {
        exited = waitpid(handle.pid, nullptr, WNOHANG) == handle.pid;
        if (!exited) std::this_thread::sleep_for(kPoll);
      }
      if (!exited) {
        kill(handle.pid, SIGKILL);
        waitpid(handle.pid, nullptr, 0);
      }
      handle.pid = -1;
    }
    try {
      auto value = json::parse(handle.output);
      if (value.is_object()) worker_results_.push_back(value.as_object());
    } catch (const std::exception&) {
      if (abort_reason_.empty()) abort_reason_ = "a worker sent no results";
    }
  }
}

int Coordinator::run() {
  started_ = SteadyClock::now();
  hard_deadline_ =
      started_ + std::chrono::milliseconds(static_cast<int64_t>(scenario_.max_seconds * 1000));
  workers_ = effectiveWorkers(scenario_);
  server_pid_ = options_.server_pid > 0 ? std::optional<pid_t>(options_.server_pid)
                                        : findListeningPid(static_cast<uint16_t>(options_.port));
  load_start_ = loadAverage();
  rss_idle_kib_ = serverRss();
  const auto login_cpu_before = server_pid_ ? cpuNanosOf(*server_pid_) : std::nullopt;

  memory_bytes_ = SharedState::bytesFor(scenario_.sessions, scenario_.groupCount());
  memory_ = mmap(nullptr, memory_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory_ == MAP_FAILED) throw std::runtime_error("mmap of the shared state failed");
  shared_ = std::make_unique<SharedState>(memory_, scenario_.sessions, scenario_.groupCount());
  forkWorkers();

  // Login: every session either logs in or fails. The bound allows for the target rate twice
  // over, plus slack, unless the scenario sets its own (logins that each cost an Argon2id run on
  // a busy machine take longer than any rate says).
  const double login_budget =
      scenario_.login_timeout_seconds > 0
          ? scenario_.login_timeout_seconds
          : (scenario_.login_rate > 0 ? 2.0 * scenario_.sessions / scenario_.login_rate : 0) + 60;
  const auto login_deadline =
      started_ + std::chrono::milliseconds(static_cast<int64_t>(login_budget * 1000));
  const auto login_started = SteadyClock::now();
  if (!waitUntil([&] { return sum(&WorkerProgress::login_attempts) >= scenario_.sessions; },
                 login_deadline) &&
      abort_reason_.empty()) {
    abort_reason_ = g_interrupted ? "interrupted" : "login did not finish in time";
  }
  login_wall_seconds_ = secondsSince(login_started);
  if (const auto after = server_pid_ ? cpuNanosOf(*server_pid_) : std::nullopt;
      after && login_cpu_before) {
    server_cpu_login_ns_ = *after - *login_cpu_before;
  }

  if (abort_reason_.empty()) {
    // Let the server finish whatever it allocates per session before measuring memory.
    waitUntil([] { return false; }, SteadyClock::now() + kSettle);
    rss_sessions_kib_ = serverRss();
  }

  if (abort_reason_.empty() && scenario_.kind == ScenarioKind::kGroup) {
    shared_->setPhase(Phase::kSetup);
    if (!waitUntil([&] { return sum(&WorkerProgress::groups_done) >= scenario_.groupCount(); },
                   SteadyClock::now() + kGroupSetupBound)) {
      if (abort_reason_.empty()) abort_reason_ = "group set-up did not finish in time";
    }
    groups_done_ = sum(&WorkerProgress::groups_done);
  }

  if (abort_reason_.empty()) {
    const auto cpu_before = server_pid_ ? cpuNanosOf(*server_pid_) : std::nullopt;
    const auto run_started = SteadyClock::now();
    shared_->setPhase(Phase::kRun);
    const double duration = scenario_.kind == ScenarioKind::kLogin ? 0 : scenario_.duration_seconds;
    const auto run_deadline =
        run_started + std::chrono::milliseconds(static_cast<int64_t>(duration * 1000));
    if (scenario_.kind == ScenarioKind::kFailover) {
      // Whoever runs the failover (bench/node_death.sh) waits for this line, then kills the
      // server; every session it drops logs in again on the failover port.
      const int64_t online = sum(&WorkerProgress::logged_in);
      std::cout << "parley-bench: failover: " << online
                << " sessions online; waiting for their server to drop them" << std::endl;
      waitUntil(
          [&] {
            return sum(&WorkerProgress::dropped) >= online &&
                   sum(&WorkerProgress::relogged_in) >= online;
          },
          run_deadline);
      if (abort_reason_.empty() && sum(&WorkerProgress::relogged_in) < online) {
        abort_reason_ = "not every session logged in again on the failover port in time";
      }
      if (abort_reason_.empty()) {
        // The sessions stay online for `drain` seconds, so the caller can look at the server
        // that took them over (its sessions, its metrics) before they close.
        std::cout << "parley-bench: failover: all " << online
                  << " sessions logged in again; holding them for " << scenario_.drain_seconds
                  << " s" << std::endl;
        waitUntil([] { return false; },
                  SteadyClock::now() + std::chrono::milliseconds(
                                           static_cast<int64_t>(scenario_.drain_seconds * 1000)));
      }
    } else {
      const int64_t message_limit = scenario_.max_messages;
      waitUntil([&] { return sum(&WorkerProgress::sent) >= message_limit; }, run_deadline);
    }
    if (g_interrupted) abort_reason_ = "interrupted";
    shared_->setPhase(Phase::kDrain);
    run_wall_seconds_ = secondsSince(run_started);
    const auto cpu_after = server_pid_ ? cpuNanosOf(*server_pid_) : std::nullopt;
    if (cpu_before && cpu_after) server_cpu_run_ns_ = *cpu_after - *cpu_before;
    rss_end_kib_ = serverRss();

    const auto drain_started = SteadyClock::now();
    drained_ = waitUntil(
        [&] {
          return sum(&WorkerProgress::answered) >= sum(&WorkerProgress::sent) &&
                 sum(&WorkerProgress::pushes_received) >= sum(&WorkerProgress::pushes_expected);
        },
        drain_started +
            std::chrono::milliseconds(static_cast<int64_t>(scenario_.drain_seconds * 1000)));
    drain_seconds_ = secondsSince(drain_started);
  }
  sampleServer();
  shared_->setPhase(Phase::kReport);
  collectResults();
  load_end_ = loadAverage();
  munmap(memory_, memory_bytes_);

  const json::object result = summarize();
  printHuman(result);
  const std::string line = toJsonText(result);
  std::cout << line << std::endl;
  if (!options_.json_out.empty()) {
    std::ofstream out(options_.json_out);
    out << line << '\n';
  }
  return abort_reason_.empty() && static_cast<int>(worker_results_.size()) == workers_ ? 0 : 2;
}

json::object Coordinator::summarize() {
  auto total = [&](const char* key) {
    int64_t sum = 0;
    for (const auto& w : worker_results_) {
      if (const auto* v = w.if_contains(key)) sum += v->to_number<int64_t>();
    }
    return sum;
  };
  Histogram e2e, ack, login, relogin;
  int64_t first_drop = 0, last_relogin = 0;
  json::object errors;
  json::object error_texts;
  int64_t first_login = 0, last_login = 0, run_cpu_ns = 0, run_ns = 0, login_cpu_ns = 0;
  for (const auto& w : worker_results_) {
    Histogram h;
    if (histogramFromJson(w.at("e2e"), &h)) e2e.merge(h);
    if (histogramFromJson(w.at("ack"), &h)) ack.merge(h);
    if (histogramFromJson(w.at("login"), &h)) login.merge(h);
    const auto& failover = w.at("failover").as_object();
    if (histogramFromJson(failover.at("latency"), &h)) relogin.merge(h);
    const auto dropped_at = failover.at("first_drop_ns").to_number<int64_t>();
    if (dropped_at > 0 && (first_drop == 0 || dropped_at < first_drop)) first_drop = dropped_at;
    last_relogin = std::max(last_relogin, failover.at("last_relogin_ns").to_number<int64_t>());
    for (const auto& [key, value] : w.at("errors").as_object()) {
      const int64_t before = errors.contains(key) ? errors.at(key).to_number<int64_t>() : 0;
      errors[key] = before + value.to_number<int64_t>();
    }
    for (const auto& [key, value] : w.at("error_texts").as_object()) error_texts[key] = value;
    const auto first = w.at("login_first_ns").to_number<int64_t>();
    const auto last = w.at("login_last_ns").to_number<int64_t>();
    if (first > 0 && (first_login == 0 || first < first_login)) first_login = first;
    last_login = std::max(last_login, last);
    run_cpu_ns += w.at("run_cpu_ns").to_number<int64_t>();
    login_cpu_ns += w.at("login_cpu_ns").to_number<int64_t>();
    run_ns = std::max(run_ns, w.at("run_ns").to_number<int64_t>());
  }
  const int64_t logged_in = total("logged_in");
  const double login_seconds =
      last_login > first_login ? static_cast<double>(last_login - first_login) / 1e9 : 0;
  const double run_seconds = run_ns > 0 ? static_cast<double>(run_ns) / 1e9 : run_wall_seconds_;
  auto per_second = [&](int64_t count) {
    return run_seconds > 0 ? std::round(static_cast<double>(count) / run_seconds) : 0.0;
  };
  auto optional_number = [](const std::optional<int64_t>& value) -> json::value {
    if (value) return *value;
    return nullptr;
  };

  json::object params{
      {"sessions", scenario_.sessions},
      {"first_user_id", scenario_.first_user_id},
      {"login_rate", scenario_.login_rate},
      {"login_concurrency", scenario_.login_concurrency},
      {"duration_s", scenario_.duration_seconds},
      {"rate", scenario_.rate},
      {"inflight", scenario_.inflight},
      {"message_bytes", scenario_.message_bytes},
      {"group_size", scenario_.group_size},
      {"workers", workers_},
      {"heartbeat_s", scenario_.heartbeat_seconds},
      {"drain_s", scenario_.drain_seconds},
      {"max_duration_s", scenario_.max_seconds},
      {"max_messages", scenario_.max_messages},
      {"source_addresses", scenario_.source_addresses},
      {"failover_port", scenario_.failover_port},
  };

  json::value bytes_per_session = nullptr;
  if (rss_idle_kib_ && rss_sessions_kib_ && logged_in > 0) {
    bytes_per_session =
        std::round(static_cast<double>(*rss_sessions_kib_ - *rss_idle_kib_) * 1024.0 / logged_in);
  }
  // Over the coordinator's login phase (fork to the last login), which includes process start.
  json::value server_cpu_login_pct = nullptr;
  if (server_cpu_login_ns_ && login_wall_seconds_ > 0) {
    server_cpu_login_pct =
        std::round(static_cast<double>(*server_cpu_login_ns_) / 1e7 / login_wall_seconds_);
  }
  json::value server_cpu_pct = nullptr;
  if (server_cpu_run_ns_ && run_wall_seconds_ > 0) {
    server_cpu_pct = std::round(static_cast<double>(*server_cpu_run_ns_) / 1e7 / run_wall_seconds_);
  }

  auto failover_total = [&](const char* key) {
    int64_t sum = 0;
    for (const auto& w : worker_results_) sum += w.at("failover").at(key).to_number<int64_t>();
    return sum;
  };
  const int64_t sent = total("sent");
  const int64_t pushes_received = total("pushes_received");
  json::object result{
      {"tool", "parley-bench"},
      {"format", 1},
      {"label", options_.label},
      {"date", utcNow()},
      {"scenario", scenarioName(scenario_.kind)},
      {"transport", transportName(scenario_.transport)},
      {"tls", !scenario_.tls_ca.empty()},
      {"target", options_.host + ":" + std::to_string(options_.port)},
      {"completed", abort_reason_.empty()},
      {"abort_reason", abort_reason_},
      {"params", std::move(params)},
      {"machine", json::object{{"nproc", processorCount()},
                               {"mem_total_kib", memTotalKib()},
                               {"loadavg_start", load_start_},
                               {"loadavg_end", load_end_}}},
      {"sessions", json::object{{"requested", scenario_.sessions},
                                {"logged_in", logged_in},
                                {"disconnected", total("disconnected")}}},
      {"login",
       json::object{{"seconds", round3(login_seconds)},
                    {"rate_per_s", login_seconds > 0 ? std::round(logged_in / login_seconds) : 0.0},
                    {"latency_ms", latencySummaryMs(login)}}},
      {"groups", json::object{{"requested", scenario_.groupCount()},
                              {"ready", total("groups_ready")},
                              {"failed", total("groups_failed")},
                              {"members_added", total("group_members_added")}}},
      {"messages", json::object{{"sent", sent},
                                {"ok", total("ok")},
                                {"failed", total("failed")},
                                {"no_response", total("no_response")},
                                {"deferred", total("deferred")},
                                {"pushes_expected", total("pushes_expected")},
                                {"pushes_received", pushes_received},
                                {"run_seconds", round3(run_seconds)},
                                {"drained", drained_},
                                {"drain_seconds", round3(drain_seconds_)},
                                {"sent_per_s", per_second(sent)},
                                {"ok_per_s", per_second(total("ok"))},
                                {"deliveries_per_s", per_second(pushes_received)}}},
      {"latency_ms", json::object{{"e2e", latencySummaryMs(e2e)}, {"ack", latencySummaryMs(ack)}}},
      // From the first session the server dropped to the last one logged in again elsewhere.
      {"failover",
       json::object{{"dropped", failover_total("dropped")},
                    {"relogged_in", failover_total("relogged_in")},
                    {"attempts", failover_total("attempts")},
                    {"abandoned", failover_total("abandoned")},
                    {"seconds", last_relogin > first_drop && first_drop > 0
                                    ? round3(static_cast<double>(last_relogin - first_drop) / 1e9)
                                    : 0.0},
                    {"latency_ms", latencySummaryMs(relogin)}}},
      {"heartbeats", json::object{{"sent", total("heartbeats_sent")},
                                  {"answered", total("heartbeats_answered")}}},
      {"server",
       json::object{{"pid", server_pid_ ? json::value(*server_pid_) : json::value(nullptr)},
                    {"rss_idle_kib", optional_number(rss_idle_kib_)},
                    {"rss_sessions_kib", optional_number(rss_sessions_kib_)},
                    {"rss_end_kib", optional_number(rss_end_kib_)},
                    {"rss_peak_kib", server_pid_ ? json::value(rss_peak_kib_) : nullptr},
                    {"bytes_per_session", bytes_per_session},
                    {"cpu_pct_login", server_cpu_login_pct},
                    {"cpu_pct_run", server_cpu_pct}}},
      {"generator",
       json::object{{"workers", workers_},
                    {"workers_reported", worker_results_.size()},
                    {"cpu_pct_login",
                     login_wall_seconds_ > 0
                         ? std::round(static_cast<double>(login_cpu_ns) / 1e7 / login_wall_seconds_)
                         : 0.0},
                    {"cpu_pct_run", run_seconds > 0 ? std::round(static_cast<double>(run_cpu_ns) /
                                                                 1e7 / run_seconds)
                                                    : 0.0}}},
      {"errors", std::move(errors)},
      {"error_texts", std::move(error_texts)},
      {"other_pushes", total("other_pushes")},
  };
  return result;
}

void Coordinator::printHuman(const json::object& r) {
  auto num = [](const json::value& v) -> std::string {
    if (v.is_null()) return "n/a";
    if (v.is_double()) {
      char text[32];
      std::snprintf(text, sizeof(text), "%.3f", v.as_double());
      std::string s = text;
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    }
    return json::serialize(v);
  };
  auto latency = [&](const json::value& v) {
    const auto& o = v.as_object();
    return "p50 " + num(o.at("p50")) + "  p90 " + num(o.at("p90")) + "  p99 " + num(o.at("p99")) +
           "  p99.9 " + num(o.at("p99_9")) + "  max " + num(o.at("max")) +
           " ms (n=" + num(o.at("count")) + ")";
  };
  const auto& sessions = r.at("sessions").as_object();
  const auto& login = r.at("login").as_object();
  const auto& messages = r.at("messages").as_object();
  const auto& server = r.at("server").as_object();
  std::ostream& out = std::cout;
  out << "parley-bench " << r.at("scenario").as_string().c_str() << " over "
      << r.at("transport").as_string().c_str() << " to " << r.at("target").as_string().c_str()
      << ", " << workers_ << " worker(s), load " << load_start_ << " -> " << load_end_ << "\n";
  if (!abort_reason_.empty()) out << "  ABORTED: " << abort_reason_ << "\n";
  out << "  sessions: " << num(sessions.at("logged_in")) << "/" << num(sessions.at("requested"))
      << " logged in in " << num(login.at("seconds")) << " s = " << num(login.at("rate_per_s"))
      << " logins/s (cpu: server " << num(server.at("cpu_pct_login")) << "%, generator "
      << num(r.at("generator").at("cpu_pct_login")) << "%); disconnected "
      << num(sessions.at("disconnected")) << "\n";
  out << "  login latency: " << latency(login.at("latency_ms")) << "\n";
  if (scenario_.kind == ScenarioKind::kGroup) {
    const auto& groups = r.at("groups").as_object();
    out << "  groups: " << num(groups.at("ready")) << "/" << num(groups.at("requested")) << " of "
        << scenario_.group_size << " sessions ready (" << num(groups.at("members_added"))
        << " members added besides the owners), " << num(groups.at("failed")) << " failed\n";
  }
  if (scenario_.kind == ScenarioKind::kFailover) {
    const auto& failover = r.at("failover").as_object();
    out << "  failover: " << num(failover.at("relogged_in")) << "/" << num(failover.at("dropped"))
        << " dropped sessions logged in again on port " << scenario_.failover_port << " in "
        << num(failover.at("seconds")) << " s (first drop to last login), "
        << num(failover.at("attempts")) << " attempts, " << num(failover.at("abandoned"))
        << " abandoned\n";
    out << "  latency drop->logged in again: " << latency(failover.at("latency_ms")) << "\n";
  }
  if (scenario_.kind == ScenarioKind::kPrivate || scenario_.kind == ScenarioKind::kGroup) {
    out << "  messages: sent " << num(messages.at("sent")) << " in "
        << num(messages.at("run_seconds")) << " s = " << num(messages.at("sent_per_s")) << "/s; ok "
        << num(messages.at("ok")) << ", failed " << num(messages.at("failed")) << ", no response "
        << num(messages.at("no_response")) << ", deferred " << num(messages.at("deferred")) << "\n";
    out << "  pushes: " << num(messages.at("pushes_received")) << "/"
        << num(messages.at("pushes_expected"))
        << " received = " << num(messages.at("deliveries_per_s")) << "/s"
        << (messages.at("drained").as_bool() ? "" : " (NOT fully drained)") << "\n";
    out << "  latency send->push: " << latency(r.at("latency_ms").at("e2e")) << "\n";
    out << "  latency send->ack:  " << latency(r.at("latency_ms").at("ack")) << "\n";
  }
  out << "  server pid " << num(server.at("pid")) << ": rss idle " << num(server.at("rss_idle_kib"))
      << " KiB, with sessions " << num(server.at("rss_sessions_kib")) << " KiB ("
      << num(server.at("bytes_per_session")) << " B/session), peak "
      << num(server.at("rss_peak_kib")) << " KiB; cpu during run " << num(server.at("cpu_pct_run"))
      << "%\n";
  out << "  generator cpu during run: " << num(r.at("generator").at("cpu_pct_run")) << "%\n";
  const auto& errors = r.at("errors").as_object();
  out << "  errors: " << (errors.empty() ? "none" : json::serialize(errors)) << "\n";
}

}  // namespace
}  // namespace parley::bench

int main(int argc, char** argv) {
  using namespace parley::bench;
  Options options;
  CLI::App app{
      "parley-bench: Turms-protocol load generator.\n"
      "  parley-bench --port N SCENARIO [key=value ...]\n"
      "SCENARIO is idle, login, private, group or failover; keys: sessions, first_user_id,\n"
      "password, transport (ws|tcp), login_rate, login_concurrency, duration, rate (0 = closed\n"
      "loop), inflight, message_bytes, group_size, workers, heartbeat, drain, max_duration,\n"
      "max_messages, source_addresses, failover_port, login_timeout, tls_ca (TLS trusting that\n"
      "PEM CA file). Example: private "
      "sessions=1000 rate=20k\n"
      "duration=10s. failover: log in, then each session the server drops logs in again on\n"
      "failover_port (duration bounds the wait)"};
  app.add_option("--host", options.host, "server address (loopback only)");
  app.add_option("--port", options.port, "server port (WebSocket or TCP, per transport=)")
      ->required();
  app.add_option("--server-pid", options.server_pid,
                 "server process for RSS and CPU (default: the one listening on --port)");
  app.add_option("--label", options.label, "free text copied into the JSON line");
  app.add_option("--json-out", options.json_out, "also write the JSON line to this file");
  app.add_option("scenario", options.scenario_args, "SCENARIO [key=value ...]")->required();
  CLI11_PARSE(app, argc, argv);

  // Load goes to this machine only.
  const auto address = boost::asio::ip::make_address(options.host);
  if (!address.is_loopback()) {
    std::cerr << "parley-bench: --host must be a loopback address, not " << options.host << "\n";
    return 1;
  }
  Scenario scenario;
  if (auto error = parseScenario(options.scenario_args, &scenario); !error.empty()) {
    std::cerr << "parley-bench: " << error << "\n";
    return 1;
  }
  signal(SIGINT, [](int) { g_interrupted = 1; });
  signal(SIGTERM, [](int) { g_interrupted = 1; });
  signal(SIGPIPE, SIG_IGN);
  try {
    Coordinator coordinator(options, scenario);
    return coordinator.run();
  } catch (const std::exception& error) {
    std::cerr << "parley-bench: " << error.what() << "\n";
    return 1;
  }
}
