#pragma once
// A real redis-server for the tests labelled `redis`: on a free loopback port, in a temp dir of
// its own, stopped by pid. Restarting keeps the port, as a Redis coming back after an outage.
// Without persistence (the default) its data is gone after a restart; with an append-only file
// (the chaos harness, bench/chaos) it comes back with what it had written, and its data files can
// be copied aside and put back, for a restart from an older copy.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/test_certificates.h"

namespace parley::redis::testing {

// A Redis Cluster node also listens on port + 10000 (the cluster bus), which must be free too.
enum class RedisPorts { kClient, kClientAndClusterBus };

// kAppendOnly: `appendonly yes`, `appendfsync everysec`, as docs/redis.conf recommends (no RDB
// snapshots: the append-only file's base is its own RDB).
enum class RedisPersistence { kNone, kAppendOnly };

// kTls: TLS only, with a CA, a server and a client certificate made for the server (in its
// directory); clients must present the client certificate, as Redis asks by default.
enum class RedisTransport { kPlain, kTls };

class RedisServerProcess {
 public:
  // Starts redis-server ($PARLEY_REDIS_SERVER, else the one on PATH) with extra_args appended
  // (e.g. {"--requirepass", "secret"}) and waits until it accepts connections. Relative paths
  // in extra_args are in the server's own directory. Throws std::runtime_error with the reason
  // and the server's log.
  explicit RedisServerProcess(std::vector<std::string> extra_args = {},
                              RedisPorts ports = RedisPorts::kClient,
                              RedisPersistence persistence = RedisPersistence::kNone,
                              RedisTransport transport = RedisTransport::kPlain);
  // Stops the server and removes its directory.
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // SIGTERM and wait for the exit; a no-op when not running.
  void stop();
  // SIGKILL, as a crash.
  void kill();
  // Starts again on the same port (after stop() or kill()), loading whatever data files its
  // directory holds.
  void start();
  bool running() const { return pid_ > 0; }

  // The data files (appendonlydir/ and dump.rdb; not a Cluster node's nodes.conf, which must stay
  // current) copied into `to`, replacing what was there. Safe while the server runs: an append
  // cut short at the end of the copy is what Redis loads anyway after a crash
  // (aof-load-truncated). Throws std::runtime_error when copying fails.
  void copyDataFiles(const std::filesystem::path& to) const;
  // Only while stopped: the data files replaced by the copy in `from` (copyDataFiles), so the
  // next start() loads that older state.
  void restoreDataFiles(const std::filesystem::path& from);
  // Only while stopped: the data files deleted, so the next start() begins empty.
  void removeDataFiles();

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // redis://127.0.0.1:<port>, or rediss:// with kTls
  std::string uri() const;
  // kTls: the files a client trusts and presents.
  const parley::testing::TestCertificates& certificates() const { return certificates_; }
  std::string log() const;

 private:
  bool tryStart(std::string& failure);

  std::vector<std::string> extra_args_;
  RedisPersistence persistence_;
  RedisTransport transport_;
  parley::testing::TestCertificates certificates_;
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace parley::redis::testing
