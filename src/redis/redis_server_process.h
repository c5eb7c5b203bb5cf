#pragma once
// A real redis-server for the tests labelled `redis`: on a free loopback port, in a temp dir of
// its own, without persistence, stopped by pid. Restarting keeps the port, as a Redis coming back
// after an outage (with its data gone, since nothing is persisted).
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace parley::redis::testing {

// A Redis Cluster node also listens on port + 10000 (the cluster bus), which must be free too.
enum class RedisPorts { kClient, kClientAndClusterBus };

class RedisServerProcess {
 public:
  // Starts redis-server ($PARLEY_REDIS_SERVER, else the one on PATH) with extra_args appended
  // (e.g. {"--requirepass", "secret"}) and waits until it accepts connections. Relative paths
  // in extra_args are in the server's own directory. Throws std::runtime_error with the reason
  // and the server's log.
  explicit RedisServerProcess(std::vector<std::string> extra_args = {},
                              RedisPorts ports = RedisPorts::kClient);
  // Stops the server and removes its directory.
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // SIGTERM and wait for the exit; a no-op when not running.
  void stop();
  // SIGKILL, as a crash.
  void kill();
  // Starts again on the same port (after stop() or kill()).
  void start();
  bool running() const { return pid_ > 0; }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // redis://127.0.0.1:<port>
  std::string uri() const;
  std::string log() const;

 private:
  bool tryStart(std::string& failure);

  std::vector<std::string> extra_args_;
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace parley::redis::testing
