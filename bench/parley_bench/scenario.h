#pragma once
// What one parley-bench run does, parsed from "NAME key=value ..." (or "NAME:key=value,...").
// Every field has a default; unknown keys and out-of-range values are errors naming the key.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::bench {

enum class ScenarioKind {
  kIdle,     // log in, then hold the sessions (memory per session)
  kLogin,    // log in, then stop at once (login rate)
  kPrivate,  // private messages between random pairs
  kGroup,    // groups of group_size sessions, messages to a random one of them
  // Log in, then wait (up to duration) for the server to drop the sessions, as a server that dies
  // does; each dropped session logs in again at once on failover_port (a node that dies and its
  // users moving to another node).
  kFailover,
};

enum class Transport { kWebSocket, kTcp };

struct Scenario {
  ScenarioKind kind = ScenarioKind::kIdle;
  Transport transport = Transport::kWebSocket;
  int sessions = 100;
  int64_t first_user_id = 1;  // sessions log in as users first_user_id, first_user_id + 1, ...
  std::string password = "123";
  double login_rate = 5000;     // logins per second over all workers; 0 = no pacing
  int login_concurrency = 512;  // connects + logins in flight per worker
  double login_timeout_seconds =
      0;                         // bound on the login phase; 0 = twice the login rate's time + 60 s
  double duration_seconds = 10;  // the scenario phase after login (and group set-up)
  double rate = 0;         // messages per second over all workers; 0 = closed loop (see inflight)
  int inflight = 0;        // closed loop: messages in flight in total; 0 = one per session or group
  int message_bytes = 64;  // message text length; it starts with the send timestamp
  int group_size = 100;
  int workers = 0;                // worker processes; 0 = enough to keep each below 15,000 sockets
  double heartbeat_seconds = 60;  // per session; 0 = never
  // After sending stops, how long to wait for pushes in flight; failover: how long the sessions
  // stay online once all are back.
  double drain_seconds = 5;
  double max_seconds = 600;           // hard bound on the whole run
  int64_t max_messages = 10'000'000;  // hard bound on messages sent
  int source_addresses = 16;          // client sockets bind to 127.1.0.1, 127.1.0.2, ...
  int failover_port = 0;              // failover: where dropped sessions log in again
  // TLS (wss:// or TLS over TCP) trusting the PEM CA file named here; empty = plaintext.
  std::string tls_ca;

  // Sessions that belong to a group (group scenario): whole groups only.
  int groupCount() const { return kind == ScenarioKind::kGroup ? sessions / group_size : 0; }
};

const char* scenarioName(ScenarioKind kind);
const char* transportName(Transport transport);

// Parses args[0] as the scenario name (optionally "name:k=v,k=v") and the rest as key=value.
// Returns an empty string on success, else a message naming the offending argument.
std::string parseScenario(const std::vector<std::string>& args, Scenario* out);

// Sets one key on an already-parsed scenario (also used for command-line overrides).
std::string applyScenarioOption(std::string_view key, std::string_view value, Scenario* out);

// Checks cross-field constraints (e.g. group_size <= sessions); empty when valid.
std::string validateScenario(const Scenario& scenario);

// Worker processes to use: the explicit setting, or enough that none holds 15,000 sockets.
int effectiveWorkers(const Scenario& scenario);

// Accepted forms: "1500", "1.5k", "2m" (million) for counts and rates; "10", "10s", "500ms",
// "2min" for durations (seconds). Exposed for tests.
bool parseCount(std::string_view text, double* out);
bool parseDurationSeconds(std::string_view text, double* out);

}  // namespace parley::bench
