#include "testing/ferretdb_process.h"

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "testing/test_processes.h"

#ifndef PARLEY_FERRETDB_DEFAULT
#error "PARLEY_FERRETDB_DEFAULT must point at the build dir's ferretdb-test"
#endif

namespace parley::testing {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(10);

}  // namespace

FerretDbProcess::FerretDbProcess() : FerretDbProcess(FerretDbTlsFiles{}) {}

FerretDbProcess::FerretDbProcess(FerretDbTlsFiles tls) : tls_(std::move(tls)) {
  const std::string binary = binaryPath();
  if (!std::filesystem::exists(binary)) {
    throw std::runtime_error("FerretDB test server not found at " + binary +
                             ": run ./scripts/build-ferretdb.sh or set PARLEY_FERRETDB");
  }
  std::filesystem::create_directories(dir_.path() / "data");
  std::string failure;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = freeLoopbackPort();
    if (tryStart(failure)) return;
  }
  throw std::runtime_error("FerretDB did not start: " + failure);
}

FerretDbProcess::~FerretDbProcess() { stop(); }

std::string FerretDbProcess::binaryPath() {
  if (const char* path = std::getenv("PARLEY_FERRETDB"); path != nullptr && *path != '\0') {
    return path;
  }
  return PARLEY_FERRETDB_DEFAULT;
}

void FerretDbProcess::start() {
  if (running()) return;
  std::string failure;
  // The port was just released by our own server; a few tries cover the kernel's cleanup.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (tryStart(failure)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("FerretDB did not restart on port " + std::to_string(port_) + ": " +
                           failure);
}

bool FerretDbProcess::tryStart(std::string& failure) {
  const std::string binary = binaryPath();
  const std::string listen = "--listen-addr=127.0.0.1:" + std::to_string(port_);
  const std::string data = "--data-dir=" + (dir_.path() / "data").string();
  std::vector<std::string> args{binary, listen, data};
  if (!tls_.cert_file.empty()) {
    args.insert(args.end(), {"--tls-cert-file=" + tls_.cert_file, "--tls-key-file=" + tls_.key_file,
                             "--tls-ca-file=" + tls_.ca_file});
  }
  const SpawnedChild child =
      spawnChild(args, {.log_path = dir_.file("ferretdb.log"), .pipe_stdout = true}, SIGTERM);
  const pid_t pid = child.pid;
  const int out_fd = child.stdout_fd;

  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (out.find("ferretdb ready") == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(out_fd);
      throw std::runtime_error("FerretDB did not become ready within 30 s; log:\n" + log());
    }
    pollfd pfd{out_fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) > 0) {
      char buffer[512];
      const ssize_t n = read(out_fd, buffer, sizeof(buffer));
      if (n <= 0) {
        // Exited before becoming ready: most likely the port was taken.
        reapOrKill(pid, std::chrono::seconds(5));
        close(out_fd);
        failure = "exited before becoming ready; log:\n" + log();
        return false;
      }
      out.append(buffer, static_cast<size_t>(n));
    }
  }
  pid_ = pid;
  stdout_fd_ = out_fd;
  return true;
}

void FerretDbProcess::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    reapOrKill(pid_, kStopTimeout);
    pid_ = -1;
  }
  closeOutput();
}

void FerretDbProcess::kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  closeOutput();
}

void FerretDbProcess::closeOutput() {
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

std::string FerretDbProcess::uri() const {
  return "mongodb://127.0.0.1:" + std::to_string(port_) + "/";
}

std::string FerretDbProcess::log() const {
  std::ifstream in(dir_.file("ferretdb.log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace parley::testing
