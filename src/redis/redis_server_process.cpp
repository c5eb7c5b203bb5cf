#include "redis/redis_server_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "testing/test_processes.h"

namespace parley::redis::testing {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(10);
// What a server persists in its directory (Redis 7: the append-only file is a directory).
constexpr const char* kDataFiles[] = {"appendonlydir", "dump.rdb"};

uint16_t freeLoopbackPort(RedisPorts ports) {
  if (ports == RedisPorts::kClient) return parley::testing::freeLoopbackPort();
  constexpr uint16_t kBusOffset = 10000;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const uint16_t port = parley::testing::freeLoopbackPort();
    if (port <= 65535 - kBusOffset &&
        parley::testing::loopbackPortBindable(static_cast<uint16_t>(port + kBusOffset))) {
      return port;
    }
  }
  throw std::runtime_error("cannot find a free loopback port with a free cluster bus port");
}

std::string binaryPath() {
  if (const char* path = std::getenv("PARLEY_REDIS_SERVER"); path != nullptr && *path != '\0') {
    return path;
  }
  return "redis-server";
}

}  // namespace

RedisServerProcess::RedisServerProcess(std::vector<std::string> extra_args, RedisPorts ports,
                                       RedisPersistence persistence, RedisTransport transport)
    : extra_args_(std::move(extra_args)), persistence_(persistence), transport_(transport) {
  std::string pattern = (std::filesystem::temp_directory_path() / "parley-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (transport_ == RedisTransport::kTls) {
    certificates_ = parley::testing::writeTestCertificates(dir_.string());
  }
  std::string failure;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = freeLoopbackPort(ports);
    if (tryStart(failure)) return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  throw std::runtime_error("redis-server did not start: " + failure);
}

RedisServerProcess::~RedisServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServerProcess::start() {
  if (running()) return;
  std::string failure;
  // The port was just released by our own server; a few tries cover the kernel's cleanup.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (tryStart(failure)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_) + ": " +
                           failure);
}

bool RedisServerProcess::tryStart(std::string& failure) {
  const bool append_only = persistence_ == RedisPersistence::kAppendOnly;
  std::vector<std::string> args{binaryPath(),
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                append_only ? "yes" : "no",
                                "--appendfsync",
                                "everysec",
                                "--dir",
                                dir_.string(),
                                "--daemonize",
                                "no"};
  if (transport_ == RedisTransport::kTls) {
    // The same port, spoken over TLS only.
    args[2] = "0";
    args.insert(args.end(),
                {"--tls-port", std::to_string(port_), "--tls-cert-file",
                 certificates_.server_cert_file, "--tls-key-file", certificates_.server_key_file,
                 "--tls-ca-cert-file", certificates_.ca_file});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  const pid_t pid =
      parley::testing::spawnChild(args, {.log_path = (dir_ / "redis.log").string()}).pid;
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      failure = "exited before accepting connections (port taken?); log:\n" + log();
      return false;
    }
    if (parley::testing::loopbackPortAccepts(port_)) {
      pid_ = pid;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  throw std::runtime_error("redis-server did not accept connections within 10 s; log:\n" + log());
}

void RedisServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  parley::testing::reapOrKill(pid_, kStopTimeout);
  pid_ = -1;
}

void RedisServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisServerProcess::copyDataFiles(const std::filesystem::path& to) const {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::remove_all(to, error);
  fs::create_directories(to);
  for (const char* name : kDataFiles) {
    const fs::path source = dir_ / name;
    if (!fs::exists(source)) continue;
    fs::copy(source, to / name, fs::copy_options::recursive, error);
    if (error) {
      throw std::runtime_error("copying " + source.string() + " failed: " + error.message());
    }
  }
}

void RedisServerProcess::restoreDataFiles(const std::filesystem::path& from) {
  namespace fs = std::filesystem;
  if (running()) throw std::logic_error("RedisServerProcess::restoreDataFiles while running");
  removeDataFiles();
  std::error_code error;
  for (const char* name : kDataFiles) {
    const fs::path source = from / name;
    if (!fs::exists(source)) continue;
    fs::copy(source, dir_ / name, fs::copy_options::recursive, error);
    if (error) {
      throw std::runtime_error("restoring " + source.string() + " failed: " + error.message());
    }
  }
}

void RedisServerProcess::removeDataFiles() {
  if (running()) throw std::logic_error("RedisServerProcess::removeDataFiles while running");
  for (const char* name : kDataFiles) std::filesystem::remove_all(dir_ / name);
}

std::string RedisServerProcess::uri() const {
  return (transport_ == RedisTransport::kTls ? "rediss://127.0.0.1:" : "redis://127.0.0.1:") +
         std::to_string(port_);
}

std::string RedisServerProcess::log() const {
  std::ifstream in(dir_ / "redis.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace parley::redis::testing
