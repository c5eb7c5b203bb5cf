#pragma once
// What the tests that start real servers (redis-server, FerretDB) need around them: starting a
// child with its output in a log, a free loopback port, and stopping a child by pid within a
// bound.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::testing {

// Where a child started by spawnChild reads and writes.
struct ChildOutput {
  std::string log_path;       // stderr, and stdout unless piped, go to this file (none: inherited)
  bool truncate_log = false;  // start the log afresh instead of appending to it
  bool pipe_stdout = false;   // stdout into a pipe instead, read through SpawnedChild::stdout_fd
  bool null_stdin = false;    // stdin from /dev/null instead of the test's own
  // The child's whole environment ("NAME=value" entries); unset: the test's own.
  std::optional<std::vector<std::string>> environment;
};

struct SpawnedChild {
  pid_t pid = -1;
  int stdout_fd = -1;  // the pipe's read end (pipe_stdout), owned by the caller; else -1
};

// fork + exec of args (args[0] a path, or a name looked up on PATH). The child gets death_signal
// when the thread that started it ends, so a test that crashes leaves no server behind (0: none,
// for a child that must outlive a helper thread). An exec that fails shows as exit status 127.
// Throws std::runtime_error when pipe or fork fails.
SpawnedChild spawnChild(const std::vector<std::string>& args, const ChildOutput& output,
                        int death_signal = SIGKILL);

// A port nobody listens on right now. Another process may take it before the server binds it:
// callers retry with another one.
uint16_t freeLoopbackPort();
// Whether 127.0.0.1:port can be bound (nothing listens there) / accepts a connection.
bool loopbackPortBindable(uint16_t port);
bool loopbackPortAccepts(uint16_t port);
// Reaps pid within timeout; SIGKILL (and reaps) when it does not exit by then. Returns the
// waitpid status (killed: WIFEXITED is false).
int reapOrKill(pid_t pid, std::chrono::milliseconds timeout);
// A waitpid status as a shell shows it: the exit code, or 128 + the signal that ended the child.
int exitCode(int status);

}  // namespace parley::testing
