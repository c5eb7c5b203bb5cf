#pragma once
// Process-wide Prometheus metrics of a node, exposed by the admin server's /metrics.
// prometheus-cpp stays in metrics.cpp so that every gateway and service TU that counts something
// does not pay for its headers.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

// Cluster figures kept by their owners (Redis clients, node RPC, the maintenance loop) and read
// when /metrics is scraped. Counters only grow.
struct ClusterMetrics {
  int64_t live_nodes = 0;
  uint64_t sessions_reregistered = 0;  // entries Redis had lost, written back by this node
  uint64_t sessions_taken_over = 0;    // local sessions closed: another node owned the device
  uint64_t maintenance_failures = 0;   // membership or session refresh ticks that failed
  uint64_t rpc_pushes_sent = 0;
  uint64_t rpc_pushes_dropped = 0;
  uint64_t rpc_errors = 0;
  // RPC connections refused for a failed, wrong or unfinished handshake, on either end.
  uint64_t rpc_auth_failures = 0;
  uint64_t rpc_connections_refused = 0;  // beyond cluster.rpc-max-connections
  // Closed by the server: a bad or oversized frame, replies left unread, idleness.
  uint64_t rpc_connections_closed = 0;
  uint64_t redis_commands = 0;
  uint64_t redis_failed_fast = 0;
  uint64_t redis_timeouts = 0;
  uint64_t redis_connects = 0;
  uint64_t redis_disconnects = 0;
  uint64_t redis_redirects = 0;          // MOVED and ASK followed (Redis Cluster)
  uint64_t redis_server_changes = 0;     // reconnects that found another server process
  uint64_t pushes_undeliverable = 0;     // pushes to sessions on nodes that are not live
  uint64_t pushes_offered_to_all = 0;    // pushes sent to every node: the registry lost entries
  uint64_t session_ghosts_removed = 0;   // entries naming this node that it did not hold
  uint64_t sequence_leases = 0;          // durable sequence leases taken by this node
  uint64_t sequence_stale_counters = 0;  // counters restarted above a lease: Redis lost them
  uint64_t sequence_lease_waits = 0;     // calls that waited for another node's lease
  uint64_t sequence_bound_checks = 0;    // counters checked against their durable bound
  uint64_t locations_rewritten = 0;      // user positions Redis had lost, written back
};

// The embedded store's figures (SQLite), read when /metrics is scraped. Writer thread (group
// commit): writes / commits is the batch size, commit_micros / commits the time a commit (WAL
// write and fsync) takes. Read connections: read_waits / reads is the share of reads that found
// every connection busy. Counters only grow.
struct StoreMetrics {
  uint64_t commits = 0;
  uint64_t writes = 0;          // writes in committed or failed batches
  uint64_t failed_commits = 0;  // batches whose COMMIT failed (every write in them failed too)
  uint64_t commit_micros = 0;   // time spent in COMMIT
  int64_t queued_writes = 0;    // waiting for the next batch at the moment of the scrape
  uint64_t reads = 0;           // reads on the read connections
  uint64_t read_waits = 0;      // of those, reads that waited for a connection
  // Conversations whose last sequence id is held in memory (ConversationCounters): those with a
  // message in the last pass or two of the sweep, about 80 bytes each.
  int64_t conversations_in_memory = 0;
};

// Password verification figures (PasswordHasher's stats), read when /metrics is scraped.
// Counters only grow.
struct PasswordMetrics {
  uint64_t cache_hits = 0;          // answered by this node's memory
  uint64_t full_verifications = 0;  // Argon2id or salted SHA-256 ran
  // The second level (Redis, or the embedded node's store).
  uint64_t shared_hits = 0;
  uint64_t shared_misses = 0;
  uint64_t shared_unavailable = 0;     // lookups it could not answer (a full verification each)
  uint64_t shared_write_failures = 0;  // entries it did not store or renew
};

// The client blocklists (online/blocklist.h), read when /metrics is scraped.
struct BlocklistMetrics {
  uint64_t blocked_ips = 0;  // in this node's copy, at the moment of the scrape
  uint64_t blocked_users = 0;
  uint64_t sync_failures = 0;  // syncs that could not read the shared lists; counter
};

// One reading of the client-facing counters behind /metrics, for the admin metrics stream (the
// web console's live charts). Totals since start, except the gauges; a reader computes rates from
// two readings.
struct MetricsSnapshot {
  double sessions = 0;                               // gauge
  std::map<std::string, double> connections;         // open now, by transport (gauge)
  std::map<std::string, double> connections_opened;  // by transport
  std::map<std::string, double> requests_by_kind;    // e.g. "create_message_request"
  std::map<std::string, double> requests_by_code;    // Turms status code
  std::map<std::string, double> logins_by_code;      // Turms status code
  // Request latency of every kind together: bucket upper bounds in seconds, ascending, and the
  // cumulative count at each; the last bound is +infinity (written as null in JSON).
  std::vector<double> latency_bounds;
  std::vector<double> latency_counts;
  double heartbeats = 0;
  double resident_memory_bytes = 0;
  // Live nodes of the cluster, this one included; 1 without a cluster source (a single node).
  double live_nodes = 1;
};

class Metrics {
 public:
  // version becomes parley_build_info{version}.
  explicit Metrics(std::string_view version = "dev");
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // All methods below are thread-safe and, once a label value has been seen, lock-free and
  // allocation-free: label values are resolved through an insert-only cache before touching the
  // registry. Label values should come from small fixed sets (transports, request kinds, status
  // codes); past a per-metric limit of distinct values new ones are counted under "other", so a
  // bug cannot blow up the series count.

  // transport: "ws" or "tcp".
  void connectionOpened(std::string_view transport);
  void connectionClosed(std::string_view transport);

  void sessionOpened();
  // close_status: the Turms SessionCloseStatus value, e.g. 110 (HEARTBEAT_TIMEOUT).
  void sessionClosed(int close_status);

  // kind: the request's field name in TurmsRequest, e.g. "create_session_request".
  void requestHandled(std::string_view kind, int status_code, double seconds);

  // reason: a short fixed token, e.g. "too_large", "bad_protobuf".
  void frameRejected(std::string_view reason);

  void loginResult(int status_code);

  void heartbeat();

  // A request, connection or login refused by a client throttle (gateway.throttle); limit:
  // "ip_requests", "user_requests", "ip_connections" or "login_backoff".
  void clientThrottled(std::string_view limit);

  // A client blocked by itself (blocklist.auto-block); offence: "corrupted_frame",
  // "corrupted_request" or "frequent_request". Renewals of a block count too.
  void autoBlocked(std::string_view offence);

  // A client that stopped reading was dropped (more than gateway.max-unsent-bytes waiting).
  void clientNotReading();

  // The business store's last health check (app/store_health.h).
  void storeUp(bool up);

  // Read at every scrape; set once at start-up, before the admin server serves.
  void setClusterSource(std::function<ClusterMetrics()> source);
  // The same for the embedded store's writer; not set with MongoDB.
  void setStoreSource(std::function<StoreMetrics()> source);
  // The same for password verification.
  void setPasswordSource(std::function<PasswordMetrics()> source);
  // The same for the client blocklists; not set with blocklist.enabled off.
  void setBlocklistSource(std::function<BlocklistMetrics()> source);

  // Prometheus text exposition format 0.0.4 of every metric, including the process ones.
  std::string serialize() const;

  // The same counters as serialize(), as numbers.
  MetricsSnapshot snapshot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley
