#include "support/parley_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

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

// fork+exec with stdout to a pipe and stderr to a file; returns the pid.
pid_t spawn(const std::vector<std::string>& args, int* stdout_fd, const std::string& log_path) {
  // Built before fork: the child of a multi-threaded process may only make async-signal-safe
  // calls.
  std::vector<std::string> env = childEnvironment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    close(pipe_fds[0]);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  *stdout_fd = pipe_fds[0];
  return pid;
}

int waitExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace

ParleyProcess::ParleyProcess(ParleyOptions options) {
  data_dir_ = options.data_dir;
  if (data_dir_.empty()) {
    owned_data_dir_.emplace("parley-test");
    data_dir_ = owned_data_dir_->path().string();
  }
  log_path_ = data_dir_ + "/parley.log";
  std::vector<std::string> args = {PARLEY_BINARY, "--ws-port=0", "--tcp-port=0", "--admin-port=0",
                                   "--bind=127.0.0.1", "--data-dir=" + data_dir_,
                                   std::string("--admin-password=") + kAdminPassword,
                                   // Cheap hashing keeps the suite fast; the cost is a config.
                                   "--argon2-ops-limit=1", "--argon2-mem-limit-kib=64",
                                   "--close-timeout-millis=200", "--io-threads=2"};
  if (options.demo_data) {
    args.push_back("--demo-data");
    args.push_back("--demo-user-count=" + std::to_string(options.demo_user_count));
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  int out_fd = -1;
  pid_ = spawn(args, &out_fd, log_path_);

  // Wait for "parley ready ws=N tcp=N admin=N" on stdout.
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  static const std::regex kReady(R"(parley ready ws=(\d+) tcp=(\d+) admin=(\d+))");
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
  int out_fd = -1;
  const std::string log_path = dir.file("log");
  pid_t pid = spawn(full, &out_fd, log_path);
  RunResult result;
  result.exit_code = waitExit(pid, timeout);
  char buffer[4096];
  ssize_t n;
  while ((n = read(out_fd, buffer, sizeof(buffer))) > 0) result.output.append(buffer, n);
  close(out_fd);
  result.output += readFile(log_path);
  return result;
}

}  // namespace parley::testing
