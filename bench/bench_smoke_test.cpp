// Smoke test for parley-bench and echo-baseline: each scenario for about a second at tiny scale
// against real processes on loopback. Checks that the JSON line parses and that its counts add
// up; never asserts on timing.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/parley_process.h"
#include "testing/test_processes.h"

#ifndef PARLEY_BENCH_BINARY
#error "PARLEY_BENCH_BINARY must point at parley-bench"
#endif
#ifndef ECHO_BASELINE_BINARY
#error "ECHO_BASELINE_BINARY must point at echo-baseline"
#endif

namespace parley::bench {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// stdout into a pipe, read by finish(); stderr stays the test's.
testing::SpawnedChild spawn(const std::vector<std::string>& args) {
  return testing::spawnChild(args, {.pipe_stdout = true});
}

// Reads stdout until EOF or the deadline; then reaps the process (SIGKILL past the deadline) and
// returns its exit code (testing::exitCode).
int finish(testing::SpawnedChild process, std::string* output, std::chrono::seconds bound) {
  const auto deadline = Clock::now() + bound;
  while (Clock::now() < deadline) {
    pollfd pfd{process.stdout_fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(process.stdout_fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    output->append(buffer, static_cast<size_t>(n));
  }
  close(process.stdout_fd);
  const auto left =
      std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
               std::chrono::milliseconds(0));
  return testing::exitCode(testing::reapOrKill(process.pid, left));
}

struct BenchRun {
  int exit_code = -1;
  std::string output;
  json::object result;
};

BenchRun runBench(uint16_t port, pid_t server_pid, std::vector<std::string> scenario) {
  std::vector<std::string> args = {PARLEY_BENCH_BINARY, "--port", std::to_string(port),
                                   "--server-pid", std::to_string(server_pid)};
  // Small bounds keep a broken server from stalling the suite.
  scenario.push_back("max_duration=60s");
  scenario.push_back("drain=5s");
  args.insert(args.end(), scenario.begin(), scenario.end());
  BenchRun run;
  run.exit_code = finish(spawn(args), &run.output, std::chrono::seconds(90));
  // The JSON line is the last line that starts with '{'.
  size_t start = 0;
  std::string line;
  while (start < run.output.size()) {
    size_t end = run.output.find('\n', start);
    if (end == std::string::npos) end = run.output.size();
    if (run.output[start] == '{') line = run.output.substr(start, end - start);
    start = end + 1;
  }
  if (!line.empty()) run.result = json::parse(line).as_object();
  return run;
}

int64_t number(const json::object& object, const char* section, const char* key) {
  return object.at(section).at(key).to_number<int64_t>();
}

class EchoBaseline {
 public:
  EchoBaseline() {
    process_ = spawn({ECHO_BASELINE_BINARY, "--threads", "2"});
    std::string out;
    static const std::regex kReady(R"(echo-baseline ready ws=(\d+) tcp=(\d+))");
    std::smatch match;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!std::regex_search(out, match, kReady) && Clock::now() < deadline) {
      pollfd pfd{process_.stdout_fd, POLLIN, 0};
      if (poll(&pfd, 1, 100) <= 0) continue;
      char buffer[256];
      const ssize_t n = read(process_.stdout_fd, buffer, sizeof(buffer));
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    if (match.empty()) throw std::runtime_error("echo-baseline did not start: " + out);
    ws_port_ = static_cast<uint16_t>(std::stoi(match[1]));
    tcp_port_ = static_cast<uint16_t>(std::stoi(match[2]));
  }
  ~EchoBaseline() {
    kill(process_.pid, SIGTERM);
    std::string ignored;
    // Past the bound finish() kills it: SIGKILL is then what ended it.
    if (finish(process_, &ignored, std::chrono::seconds(5)) == 128 + SIGKILL) {
      ADD_FAILURE() << "did not stop on SIGTERM";
    }
  }
  uint16_t wsPort() const { return ws_port_; }
  uint16_t tcpPort() const { return tcp_port_; }
  pid_t pid() const { return process_.pid; }

 private:
  testing::SpawnedChild process_;
  uint16_t ws_port_ = 0;
  uint16_t tcp_port_ = 0;
};

void expectCompleted(const BenchRun& run, int sessions) {
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_FALSE(run.result.empty()) << run.output;
  EXPECT_TRUE(run.result.at("completed").as_bool()) << run.output;
  EXPECT_EQ(number(run.result, "sessions", "requested"), sessions);
  EXPECT_EQ(number(run.result, "sessions", "logged_in"), sessions) << run.output;
  EXPECT_EQ(number(run.result, "sessions", "disconnected"), 0) << run.output;
}

// Counts that must add up for any message scenario, whatever the timing.
void expectMessagesAddUp(const BenchRun& run, int64_t pushes_per_message) {
  const auto& m = run.result.at("messages").as_object();
  const int64_t sent = m.at("sent").to_number<int64_t>();
  const int64_t ok = m.at("ok").to_number<int64_t>();
  const int64_t failed = m.at("failed").to_number<int64_t>();
  const int64_t no_response = m.at("no_response").to_number<int64_t>();
  const int64_t received = m.at("pushes_received").to_number<int64_t>();
  EXPECT_GT(sent, 0) << run.output;
  EXPECT_EQ(sent, ok + failed + no_response) << run.output;
  EXPECT_EQ(failed + no_response, 0) << run.output;
  EXPECT_EQ(m.at("pushes_expected").to_number<int64_t>(), ok * pushes_per_message) << run.output;
  EXPECT_EQ(received, ok * pushes_per_message) << run.output;
  EXPECT_EQ(number(run.result.at("latency_ms").as_object(), "e2e", "count"), received);
  EXPECT_EQ(number(run.result.at("latency_ms").as_object(), "ack", "count"), ok);
  EXPECT_TRUE(run.result.at("errors").as_object().empty()) << run.output;
}

testing::ParleyOptions tinyParley() {
  testing::ParleyOptions options;
  options.demo_user_count = 40;
  return options;
}

TEST(BenchSmokeTest, LoginOverWebSocket) {
  parley::testing::ParleyProcess parley(tinyParley());
  const auto run = runBench(parley.wsPort(), parley.pid(), {"login", "sessions=20"});
  expectCompleted(run, 20);
  EXPECT_GT(number(run.result, "login", "rate_per_s"), 0);
  EXPECT_EQ(number(run.result.at("login").as_object(), "latency_ms", "count"), 20);
  EXPECT_TRUE(run.result.at("errors").as_object().empty()) << run.output;
}

TEST(BenchSmokeTest, IdleOverTcpWithHeartbeatsAndServerMemory) {
  parley::testing::ParleyProcess parley(tinyParley());
  const auto run = runBench(
      parley.tcpPort(), parley.pid(),
      {"idle", "transport=tcp", "sessions=20", "duration=1s", "heartbeat=1s", "workers=2"});
  expectCompleted(run, 20);
  EXPECT_EQ(number(run.result, "server", "pid"), parley.pid());
  EXPECT_GT(number(run.result, "server", "rss_sessions_kib"), 0);
  EXPECT_GT(number(run.result, "heartbeats", "sent"), 0);
  // A heartbeat sent just before the report may still be unanswered.
  EXPECT_GT(number(run.result, "heartbeats", "answered"), 0);
  EXPECT_LE(number(run.result, "heartbeats", "answered"), number(run.result, "heartbeats", "sent"));
  EXPECT_EQ(number(run.result, "generator", "workers_reported"), 2);
  EXPECT_TRUE(run.result.at("errors").as_object().empty()) << run.output;
}

TEST(BenchSmokeTest, PrivateMessagesAtATargetRateAcrossWorkers) {
  parley::testing::ParleyProcess parley(tinyParley());
  const auto run = runBench(parley.wsPort(), parley.pid(),
                            {"private", "sessions=20", "duration=1s", "rate=200", "workers=2"});
  expectCompleted(run, 20);
  expectMessagesAddUp(run, 1);
}

TEST(BenchSmokeTest, PrivateMessagesClosedLoopOverTcp) {
  parley::testing::ParleyProcess parley(tinyParley());
  const auto run =
      runBench(parley.tcpPort(), parley.pid(),
               {"private", "transport=tcp", "sessions=20", "duration=1s", "max_messages=2000"});
  expectCompleted(run, 20);
  expectMessagesAddUp(run, 1);
  EXPECT_LE(number(run.result, "messages", "sent"), 2000);
}

TEST(BenchSmokeTest, GroupMessages) {
  parley::testing::ParleyProcess parley(tinyParley());
  const auto run =
      runBench(parley.wsPort(), parley.pid(),
               {"group", "sessions=20", "group_size=10", "duration=1s", "rate=20", "workers=2"});
  expectCompleted(run, 20);
  EXPECT_EQ(number(run.result, "groups", "ready"), 2) << run.output;
  EXPECT_EQ(number(run.result, "groups", "failed"), 0);
  EXPECT_EQ(number(run.result, "groups", "members_added"), 18);
  expectMessagesAddUp(run, 9);
}

TEST(BenchSmokeTest, EchoBaselineRelaysPrivateAndGroupMessages) {
  EchoBaseline echo;
  auto run =
      runBench(echo.wsPort(), echo.pid(), {"private", "sessions=20", "duration=1s", "rate=200"});
  expectCompleted(run, 20);
  expectMessagesAddUp(run, 1);
  run = runBench(echo.tcpPort(), echo.pid(),
                 {"group", "transport=tcp", "sessions=20", "group_size=10", "duration=1s",
                  "rate=20", "first_user_id=101"});
  expectCompleted(run, 20);
  expectMessagesAddUp(run, 9);
}

// The failover scenario: sessions on one server that is then killed log in again on another.
TEST(BenchSmokeTest, FailoverLogsDroppedSessionsInOnTheOtherServer) {
  parley::testing::ParleyProcess dying(tinyParley());
  parley::testing::ParleyProcess other(tinyParley());
  auto bench = spawn({PARLEY_BENCH_BINARY, "--port", std::to_string(dying.wsPort()), "--server-pid",
                      std::to_string(dying.pid()), "failover", "sessions=20", "workers=2",
                      "failover_port=" + std::to_string(other.wsPort()), "duration=60s",
                      "max_duration=90s"});
  // The line that says every session is online, then the server goes away.
  std::string output;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (output.find("sessions online") == std::string::npos && Clock::now() < deadline) {
    pollfd pfd{bench.stdout_fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(bench.stdout_fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  ASSERT_NE(output.find("20 sessions online"), std::string::npos) << output;
  dying.kill9();
  BenchRun run;
  run.exit_code = finish(bench, &run.output, std::chrono::seconds(90));
  run.output = output + run.output;
  const size_t json_start = run.output.rfind("\n{");
  ASSERT_NE(json_start, std::string::npos) << run.output;
  run.result = json::parse(run.output.substr(json_start + 1)).as_object();
  expectCompleted(run, 20);
  const auto& failover = run.result.at("failover").as_object();
  EXPECT_EQ(failover.at("dropped").to_number<int64_t>(), 20) << run.output;
  EXPECT_EQ(failover.at("relogged_in").to_number<int64_t>(), 20) << run.output;
  EXPECT_GE(failover.at("attempts").to_number<int64_t>(), 20);
  EXPECT_EQ(failover.at("abandoned").to_number<int64_t>(), 0);
  EXPECT_EQ(number(failover, "latency_ms", "count"), 20);
}

TEST(BenchSmokeTest, BadScenarioIsRejectedBeforeConnecting) {
  const auto run = runBench(1, 1, {"private", "sessions=1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.result.empty());
}

}  // namespace
}  // namespace parley::bench
