#pragma once
// What the tests that start real servers (redis-server, FerretDB) need around them: a free
// loopback port, and stopping a child by pid within a bound.
#include <sys/types.h>

#include <chrono>
#include <cstdint>

namespace parley::testing {

// A port nobody listens on right now. Another process may take it before the server binds it:
// callers retry with another one.
uint16_t freeLoopbackPort();
// Whether 127.0.0.1:port can be bound (nothing listens there) / accepts a connection.
bool loopbackPortBindable(uint16_t port);
bool loopbackPortAccepts(uint16_t port);
// Reaps pid within timeout; SIGKILL (and reaps) when it does not exit by then.
void reapOrKill(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace parley::testing
