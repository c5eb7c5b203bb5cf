#pragma once
// Starts a real build/parley process for integration tests: free ports (the server binds port 0
// and reports what it got), a temp data dir, and stop by pid.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace parley::testing {

struct ParleyOptions {
  std::vector<std::string> extra_args;  // e.g. {"--close-idle-session-after-seconds", "1"}
  bool demo_data = true;
  int demo_user_count = 20;
  std::string data_dir;  // empty = a fresh temp dir, removed by the destructor (see TempDir)
  std::string binary;    // empty = this build's parley
  // The signal the server gets when the thread that started it ends (see spawnChild). None by
  // default: a test may start a server from a helper thread that ends before the server should.
  // The chaos harness starts every node from its main thread and asks for SIGKILL, so that a
  // harness that dies leaves no node behind.
  int death_signal = 0;
};

class ParleyProcess {
 public:
  static constexpr const char* kAdminPassword = "test-admin-password";
  // Given to every Redis-backed node that names no secret of its own, so that every multi-node
  // test runs the RPC handshake between its nodes.
  static constexpr const char* kClusterSecret = "test-cluster-secret-0123456789";

  explicit ParleyProcess(ParleyOptions options = {});
  ~ParleyProcess();
  ParleyProcess(const ParleyProcess&) = delete;
  ParleyProcess& operator=(const ParleyProcess&) = delete;

  uint16_t wsPort() const { return ws_port_; }
  uint16_t tcpPort() const { return tcp_port_; }
  uint16_t adminPort() const { return admin_port_; }
  uint16_t rpcPort() const { return rpc_port_; }  // 0 without Redis
  pid_t pid() const { return pid_; }
  const std::string& dataDir() const { return data_dir_; }

  // SIGTERM, then waits for exit; returns the exit status (-1 on timeout, after SIGKILL).
  int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // SIGKILL, as a crash would.
  void kill9();
  // Everything the process wrote to stderr so far (its log).
  std::string log() const;

 private:
  // Before everything else, so the directory is removed last, and also when the constructor
  // throws.
  std::optional<TempDir> owned_data_dir_;
  pid_t pid_ = -1;
  uint16_t ws_port_ = 0;
  uint16_t tcp_port_ = 0;
  uint16_t admin_port_ = 0;
  uint16_t rpc_port_ = 0;
  std::string data_dir_;
  std::string log_path_;
};

// Runs build/parley with args to completion (for start-up failures); returns exit code and
// combined output.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult runParleyToExit(const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace parley::testing
