#include "support/parley_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "testing/test_processes.h"

#ifndef PARLEY_BINARY
#error "PARLEY_BINARY must point at build/parley"
#endif

extern char** environ;

namespace parley::testing {

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// This process's environment minus the variables meant for the tests themselves: parley refuses
// unknown PARLEY_* variables (a typo must not go unnoticed), and PARLEY_FERRETDB, which points
// the tests at a FerretDB binary, is not one of its keys.
std::vector<std::string> childEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    if (std::string_view(*entry).starts_with("PARLEY_FERRETDB=")) continue;
    env.emplace_back(*entry);
  }
  return env;
}

// stdout to a pipe (for the ready line), stderr to a fresh log.
SpawnedChild spawnParley(const std::vector<std::string>& args, const std::string& log_path,
                         int death_signal = 0) {
  return spawnChild(args,
                    {.log_path = log_path,
                     .truncate_log = true,
                     .pipe_stdout = true,
                     .environment = childEnvironment()},
                    death_signal);
}

int waitExit(pid_t pid, std::chrono::milliseconds timeout) {
  return exitCode(reapOrKill(pid, timeout));
}

}  // namespace

ParleyProcess::ParleyProcess(ParleyOptions options) {
  data_dir_ = options.data_dir;
  if (data_dir_.empty()) {
    owned_data_dir_.emplace("parley-test");
    data_dir_ = owned_data_dir_->path().string();
  }
  log_path_ = data_dir_ + "/parley.log";
  const std::string binary = options.binary.empty() ? PARLEY_BINARY : options.binary;
  std::vector<std::string> args = {binary, "--ws-port=0", "--tcp-port=0", "--admin-port=0",
                                   "--bind=127.0.0.1", "--data-dir=" + data_dir_,
                                   std::string("--admin-password=") + kAdminPassword,
                                   // Cheap hashing keeps the suite fast; the cost is a config.
                                   "--argon2-ops-limit=1", "--argon2-mem-limit-kib=64",
                                   "--close-timeout-millis=200", "--io-threads=2"};
  if (options.demo_data) {
    args.push_back("--demo-data");
    args.push_back("--demo-user-count=" + std::to_string(options.demo_user_count));
    // Tests build groups of the demo types (members added directly) in one request.
    args.push_back("--group-creatable-type-ids=0,1,2,3");
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto names = [&](std::string_view flag) {
    return std::any_of(options.extra_args.begin(), options.extra_args.end(),
                       [&](const std::string& arg) { return arg.starts_with(flag); });
  };
  // Tests send far faster from one address than a real client may; the throttle tests turn it
  // back on with their own limits.
  if (!names("--throttle=")) args.push_back("--throttle=false");
  // Likewise, the bad-input tests would block the loopback address for everyone after them.
  if (!names("--auto-block=")) args.push_back("--auto-block=false");
  if (names("--redis-session-uris") && !names("--cluster-secret")) {
    args.push_back(std::string("--cluster-secret=") + kClusterSecret);
  }
  const SpawnedChild child = spawnParley(args, log_path_, options.death_signal);
  pid_ = child.pid;
  const int out_fd = child.stdout_fd;

  // Wait for "parley ready ws=N tcp=N admin=N" on stdout.
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  static const std::regex kReady(R"(parley ready ws=(\d+) tcp=(\d+) admin=(\d+) rpc=(\d+))");
  std::smatch match;
  while (!std::regex_search(out, match, kReady)) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill9();
      throw std::runtime_error("parley did not become ready; log:\n" + log());
    }
    pollfd pfd{out_fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) > 0) {
      char buffer[512];
      ssize_t n = read(out_fd, buffer, sizeof(buffer));
      if (n <= 0) {
        int code = waitExit(pid_, std::chrono::seconds(5));
        pid_ = -1;
        throw std::runtime_error("parley exited with " + std::to_string(code) +
                                 " before becoming ready; log:\n" + readFile(log_path_));
      }
      out.append(buffer, static_cast<size_t>(n));
    }
  }
  close(out_fd);
  ws_port_ = static_cast<uint16_t>(std::stoi(match[1]));
  tcp_port_ = static_cast<uint16_t>(std::stoi(match[2]));
  admin_port_ = static_cast<uint16_t>(std::stoi(match[3]));
  rpc_port_ = static_cast<uint16_t>(std::stoi(match[4]));
}

ParleyProcess::~ParleyProcess() {
  if (pid_ > 0) kill9();
}

int ParleyProcess::terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int code = waitExit(pid_, timeout);
  pid_ = -1;
  return code;
}

void ParleyProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ParleyProcess::log() const { return readFile(log_path_); }

RunResult runParleyToExit(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const TempDir dir("parley-run");
  std::vector<std::string> full = {PARLEY_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  const std::string log_path = dir.file("log");
  const SpawnedChild child = spawnParley(full, log_path);
  const int out_fd = child.stdout_fd;
  RunResult result;
  result.exit_code = waitExit(child.pid, timeout);
  char buffer[4096];
  ssize_t n;
  while ((n = read(out_fd, buffer, sizeof(buffer))) > 0) result.output.append(buffer, n);
  close(out_fd);
  result.output += readFile(log_path);
  return result;
}

}  // namespace parley::testing
