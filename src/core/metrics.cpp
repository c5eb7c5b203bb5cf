#include "core/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace parley {
namespace {

using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

// Slots per cache; a power of two. At most half are filled, so a probe always meets an empty slot
// quickly and lookups stay short.
constexpr size_t kCacheSlots = 1024;
constexpr size_t kMaxLabelSets = kCacheSlots / 2;
constexpr std::string_view kOverflowLabel = "other";

// Maps a label set (one text label value and/or one integer label value) to the metrics
// registered for it. Lookups are lock-free: entries are only ever added, and each is published
// with a release store after it is fully built. Adding takes a mutex and runs `make` once per
// label set. prometheus::Family::Add would also do, but it locks and builds a std::map of labels on
// every call, which the per-request path should not pay.
template <typename Value>
class LabelCache {
 public:
  // number_text is the integer label already formatted; both are "other" for the overflow set.
  using Make = std::function<Value(std::string_view text, std::string_view number_text)>;

  LabelCache(std::string metric_name, Make make)
      : metric_name_(std::move(metric_name)), make_(std::move(make)) {}

  Value get(std::string_view text, int64_t number = 0) {
    const size_t hash = hashKey(text, number);
    for (size_t i = 0; i < kCacheSlots; ++i) {
      const Entry* entry = slots_[(hash + i) & (kCacheSlots - 1)].load(std::memory_order_acquire);
      if (entry == nullptr) {
        break;
      }
      if (entry->number == number && entry->text == text) {
        return entry->value;
      }
    }
    return insert(text, number, hash);
  }

 private:
  struct Entry {
    std::string text;
    int64_t number;
    Value value;
  };

  static size_t hashKey(std::string_view text, int64_t number) {
    return std::hash<std::string_view>{}(text) ^
           (static_cast<size_t>(number) * 0x9E3779B97F4A7C15ULL);
  }

  Value insert(std::string_view text, int64_t number, size_t hash) {
    std::lock_guard lock(mutex_);
    size_t slot = 0;
    // Another thread may have added it since the lock-free probe.
    for (size_t i = 0; i < kCacheSlots; ++i) {
      slot = (hash + i) & (kCacheSlots - 1);
      const Entry* entry = slots_[slot].load(std::memory_order_relaxed);
      if (entry == nullptr) {
        break;
      }
      if (entry->number == number && entry->text == text) {
        return entry->value;
      }
    }
    if (entries_.size() >= kMaxLabelSets) {
      if (!overflow_) {
        spdlog::warn("metric {}: more than {} label sets, counting new ones as \"{}\"",
                     metric_name_, kMaxLabelSets, kOverflowLabel);
        overflow_ = make_(kOverflowLabel, kOverflowLabel);
      }
      return *overflow_;
    }
    entries_.push_back(std::make_unique<Entry>(
        Entry{std::string(text), number, make_(text, std::to_string(number))}));
    slots_[slot].store(entries_.back().get(), std::memory_order_release);
    return entries_.back()->value;
  }

  const std::string metric_name_;
  const Make make_;
  std::array<std::atomic<const Entry*>, kCacheSlots> slots_{};
  std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;  // owns what slots_ points to
  std::optional<Value> overflow_;
};

struct ConnectionSeries {
  Gauge* open;
  Counter* opened;
};

struct RequestSeries {
  Counter* handled;
  Histogram* duration;
};

// Request latencies span a cached read (~100 µs) to a slow store call; past 5 s the client has
// already timed out, so finer buckets there would not help anyone.
const Histogram::BucketBoundaries& requestBuckets() {
  static const Histogram::BucketBoundaries buckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                      0.005,  0.01,    0.025,  0.05,  0.1,
                                                      0.25,   0.5,     1.0,    2.5,   5.0};
  return buckets;
}

// Resident set size from /proc/self/statm (second field, in pages); 0 where unavailable.
double residentMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) {
    return 0;
  }
  const long page_size = sysconf(_SC_PAGESIZE);
  return static_cast<double>(resident_pages) * static_cast<double>(page_size > 0 ? page_size : 0);
}

// A prometheus Counter that mirrors a total counted elsewhere.
struct MirroredCounter {
  Counter* counter = nullptr;
  uint64_t seen = 0;
  double unit = 1;  // what one count of the source is worth in the exposed series
  void set(uint64_t total) {
    if (total > seen) counter->Increment(static_cast<double>(total - seen) * unit);
    seen = std::max(seen, total);
  }
};

struct ClusterSeries {
  Gauge* live_nodes;
  MirroredCounter reregistered, taken_over, maintenance_failures, pushes_sent, pushes_dropped,
      rpc_errors, rpc_auth_failures, rpc_connections_refused, rpc_connections_closed,
      redis_commands, redis_failed_fast, redis_timeouts, redis_connects, redis_disconnects,
      redis_redirects, redis_server_changes, pushes_undeliverable, pushes_offered_to_all,
      session_ghosts_removed, sequence_leases, sequence_stale_counters, sequence_lease_waits,
      sequence_bound_checks, locations_rewritten;
};

struct PasswordSeries {
  MirroredCounter cache_hits, full_verifications, shared_hits, shared_misses, shared_unavailable,
      shared_write_failures;
};

struct BlocklistSeries {
  Gauge* blocked_ips;
  Gauge* blocked_users;
  MirroredCounter sync_failures;
};

struct StoreSeries {
  Gauge* queued_writes;
  Gauge* conversations_in_memory;
  MirroredCounter commits, writes, failed_commits, commit_seconds, reads, read_waits;
};

}  // namespace

struct Metrics::Impl {
  explicit Impl(std::string_view version)
      : registry(std::make_shared<prometheus::Registry>()),
        connections(prometheus::BuildGauge()
                        .Name("parley_connections")
                        .Help("Open client connections by transport")
                        .Register(*registry)),
        connections_opened(prometheus::BuildCounter()
                               .Name("parley_connections_opened_total")
                               .Help("Client connections accepted by transport")
                               .Register(*registry)),
        sessions(prometheus::BuildGauge()
                     .Name("parley_sessions")
                     .Help("Logged-in sessions on this node")
                     .Register(*registry)
                     .Add({})),
        sessions_closed(prometheus::BuildCounter()
                            .Name("parley_sessions_closed_total")
                            .Help("Closed sessions by Turms SessionCloseStatus")
                            .Register(*registry)),
        requests(prometheus::BuildCounter()
                     .Name("parley_requests_total")
                     .Help("Handled client requests by kind and Turms status code")
                     .Register(*registry)),
        request_duration(prometheus::BuildHistogram()
                             .Name("parley_request_duration_seconds")
                             .Help("Time from decoding a request to its response, by kind")
                             .Register(*registry)),
        frames_rejected(prometheus::BuildCounter()
                            .Name("parley_frames_rejected_total")
                            .Help("Client frames dropped before dispatch, by reason")
                            .Register(*registry)),
        throttled(prometheus::BuildCounter()
                      .Name("parley_client_throttled_total")
                      .Help("Client requests, connections and logins refused by a throttle "
                            "(1101), by limit")
                      .Register(*registry)),
        auto_blocks(prometheus::BuildCounter()
                        .Name("parley_auto_blocks_total")
                        .Help("Clients (IPs and users) blocked or kept blocked by themselves, by "
                              "offence")
                        .Register(*registry)),
        logins(prometheus::BuildCounter()
                   .Name("parley_logins_total")
                   .Help("Login attempts by Turms status code")
                   .Register(*registry)),
        clients_not_reading(prometheus::BuildCounter()
                                .Name("parley_clients_not_reading_total")
                                .Help("Connections dropped because the client stopped reading "
                                      "while frames for it piled up")
                                .Register(*registry)
                                .Add({})),
        heartbeats(prometheus::BuildCounter()
                       .Name("parley_heartbeats_total")
                       .Help("Heartbeats received from clients")
                       .Register(*registry)
                       .Add({})),
        resident_memory(prometheus::BuildGauge()
                            .Name("parley_process_resident_memory_bytes")
                            .Help("Resident set size of this process")
                            .Register(*registry)
                            .Add({})),
        store_up(prometheus::BuildGauge()
                     .Name("parley_store_up")
                     .Help("1 while the business store answered its last health check, else 0")
                     .Register(*registry)
                     .Add({})),
        connection_cache(
            "parley_connections",
            [this](std::string_view transport, std::string_view) {
              const prometheus::Labels labels{{"transport", std::string(transport)}};
              return ConnectionSeries{&connections.Add(labels), &connections_opened.Add(labels)};
            }),
        request_cache(
            "parley_requests_total",
            [this](std::string_view kind, std::string_view code) {
              // The histogram is per kind only: kind x code x buckets would be too many.
              return RequestSeries{
                  &requests.Add({{"kind", std::string(kind)}, {"code", std::string(code)}}),
                  &request_duration.Add({{"kind", std::string(kind)}}, requestBuckets())};
            }),
        close_cache("parley_sessions_closed_total",
                    [this](std::string_view, std::string_view status) {
                      return &sessions_closed.Add({{"close_status", std::string(status)}});
                    }),
        frame_cache("parley_frames_rejected_total",
                    [this](std::string_view reason, std::string_view) {
                      return &frames_rejected.Add({{"reason", std::string(reason)}});
                    }),
        throttle_cache("parley_client_throttled_total",
                       [this](std::string_view limit, std::string_view) {
                         return &throttled.Add({{"limit", std::string(limit)}});
                       }),
        auto_block_cache("parley_auto_blocks_total",
                         [this](std::string_view offence, std::string_view) {
                           return &auto_blocks.Add({{"offence", std::string(offence)}});
                         }),
        login_cache("parley_logins_total", [this](std::string_view, std::string_view code) {
          return &logins.Add({{"code", std::string(code)}});
        }) {
    prometheus::BuildGauge()
        .Name("parley_build_info")
        .Help("Always 1; the labels describe the running build")
        .Register(*registry)
        .Add({{"version", std::string(version)}})
        .Set(1);
    // Both transports are listed from the start, so dashboards show 0 rather than no data.
    connection_cache.get("ws");
    connection_cache.get("tcp");
    for (const char* limit : {"ip_requests", "user_requests", "ip_connections", "login_backoff"}) {
      throttle_cache.get(limit);
    }
    for (const char* offence : {"corrupted_frame", "corrupted_request", "frequent_request"}) {
      auto_block_cache.get(offence);
    }
  }

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<Gauge>& connections;
  prometheus::Family<Counter>& connections_opened;
  Gauge& sessions;
  prometheus::Family<Counter>& sessions_closed;
  prometheus::Family<Counter>& requests;
  prometheus::Family<Histogram>& request_duration;
  prometheus::Family<Counter>& frames_rejected;
  prometheus::Family<Counter>& throttled;
  prometheus::Family<Counter>& auto_blocks;
  prometheus::Family<Counter>& logins;
  Counter& clients_not_reading;
  Counter& heartbeats;
  Gauge& resident_memory;
  Gauge& store_up;

  LabelCache<ConnectionSeries> connection_cache;
  LabelCache<RequestSeries> request_cache;
  LabelCache<Counter*> close_cache;
  LabelCache<Counter*> frame_cache;
  LabelCache<Counter*> throttle_cache;
  LabelCache<Counter*> auto_block_cache;
  LabelCache<Counter*> login_cache;

  std::mutex sources_mutex;  // scrapes may overlap; guards the sources and their series
  std::function<ClusterMetrics()> cluster_source;
  std::optional<ClusterSeries> cluster;
  std::function<StoreMetrics()> store_source;
  std::optional<StoreSeries> store_series;
  std::function<PasswordMetrics()> password_source;
  std::optional<PasswordSeries> password_series;
  std::function<BlocklistMetrics()> blocklist_source;
  std::optional<BlocklistSeries> blocklist_series;

  MirroredCounter mirroredCounter(const char* name, const char* help, double unit = 1) {
    return MirroredCounter{
        &prometheus::BuildCounter().Name(name).Help(help).Register(*registry).Add({}), 0, unit};
  }

  void registerStore() {
    store_series = StoreSeries{
        &prometheus::BuildGauge()
             .Name("parley_sqlite_queued_writes")
             .Help("SQLite writes waiting for the writer's next batch")
             .Register(*registry)
             .Add({}),
        &prometheus::BuildGauge()
             .Name("parley_sqlite_conversations_in_memory")
             .Help("Conversations whose last sequence id SQLite's writer holds in memory")
             .Register(*registry)
             .Add({}),
        mirroredCounter("parley_sqlite_commits_total",
                        "SQLite group commits (one transaction and fsync each)"),
        mirroredCounter(
            "parley_sqlite_writes_total",
            "SQLite writes run by the writer thread; divided by commits: the batch size"),
        mirroredCounter("parley_sqlite_commit_failures_total",
                        "SQLite batches whose COMMIT failed (their writes failed with it)"),
        mirroredCounter("parley_sqlite_commit_seconds_total",
                        "Time the writer spent committing (WAL write and fsync)", 1e-6),
        mirroredCounter("parley_sqlite_reads_total", "Reads on SQLite's read connections"),
        mirroredCounter("parley_sqlite_read_waits_total",
                        "Reads that found every SQLite read connection busy and waited"),
    };
  }

  void collectStore() {
    if (!store_source) return;
    const StoreMetrics m = store_source();
    auto& w = *store_series;
    w.queued_writes->Set(static_cast<double>(m.queued_writes));
    w.conversations_in_memory->Set(static_cast<double>(m.conversations_in_memory));
    w.commits.set(m.commits);
    w.writes.set(m.writes);
    w.failed_commits.set(m.failed_commits);
    w.commit_seconds.set(m.commit_micros);
    w.reads.set(m.reads);
    w.read_waits.set(m.read_waits);
  }

  void registerPassword() {
    password_series = PasswordSeries{
        mirroredCounter("parley_password_cache_hits_total",
                        "Password checks answered by this node's memory (verified recently)"),
        mirroredCounter("parley_password_full_verifications_total",
                        "Password checks that ran Argon2id or salted SHA-256"),
        mirroredCounter("parley_password_shared_cache_hits_total",
                        "Password checks answered by the shared verification cache (Redis, or "
                        "the embedded node's store)"),
        mirroredCounter("parley_password_shared_cache_misses_total",
                        "Password checks the shared verification cache did not know"),
        mirroredCounter("parley_password_shared_cache_unavailable_total",
                        "Password checks the shared verification cache could not answer (Redis "
                        "unreachable): each verified in full"),
        mirroredCounter("parley_password_shared_cache_write_failures_total",
                        "Verifications the shared verification cache failed to store or renew"),
    };
  }

  void collectPassword() {
    if (!password_source) return;
    const PasswordMetrics m = password_source();
    auto& p = *password_series;
    p.cache_hits.set(m.cache_hits);
    p.full_verifications.set(m.full_verifications);
    p.shared_hits.set(m.shared_hits);
    p.shared_misses.set(m.shared_misses);
    p.shared_unavailable.set(m.shared_unavailable);
    p.shared_write_failures.set(m.shared_write_failures);
  }

  void registerBlocklist() {
    auto& blocked = prometheus::BuildGauge()
                        .Name("parley_blocked_clients")
                        .Help("Clients blocked in this node's copy of the blocklists, by target")
                        .Register(*registry);
    blocklist_series = BlocklistSeries{
        &blocked.Add({{"target", "ip"}}),
        &blocked.Add({{"target", "user"}}),
        mirroredCounter("parley_blocklist_sync_failures_total",
                        "Syncs of the blocklists that could not read the shared lists (Redis "
                        "unreachable): checks used the last copy meanwhile"),
    };
  }

  void collectBlocklist() {
    if (!blocklist_source) return;
    const BlocklistMetrics m = blocklist_source();
    blocklist_series->blocked_ips->Set(static_cast<double>(m.blocked_ips));
    blocklist_series->blocked_users->Set(static_cast<double>(m.blocked_users));
    blocklist_series->sync_failures.set(m.sync_failures);
  }

  void registerCluster() {
    auto counter = [this](const char* name, const char* help) {
      return mirroredCounter(name, help);
    };
    cluster = ClusterSeries{
        &prometheus::BuildGauge()
             .Name("parley_cluster_live_nodes")
             .Help("Live Parley nodes seen in Redis, this one included")
             .Register(*registry)
             .Add({}),
        counter("parley_sessions_reregistered_total",
                "Session entries Redis had lost that this node wrote back (self-healing)"),
        counter("parley_sessions_taken_over_total",
                "Local sessions closed because another node owned the device in Redis"),
        counter("parley_cluster_maintenance_failures_total",
                "Membership heartbeats or session refreshes that failed"),
        counter("parley_rpc_pushes_sent_total", "Push frames sent to other nodes"),
        counter("parley_rpc_pushes_dropped_total",
                "Pushes to other nodes dropped (node unreachable or queue full)"),
        counter("parley_rpc_errors_total", "Node-to-node requests that failed"),
        counter("parley_rpc_auth_failures_total",
                "Node-to-node connections refused because the handshake failed (wrong or missing "
                "cluster.secret, another frame first, too slow), on either end"),
        counter("parley_rpc_connections_refused_total",
                "Node-to-node connections refused beyond cluster.rpc-max-connections"),
        counter("parley_rpc_connections_closed_total",
                "Node-to-node connections closed by this node for a bad or oversized frame, "
                "replies left unread, or idleness"),
        counter("parley_redis_commands_total", "Redis commands issued"),
        counter("parley_redis_failed_fast_total",
                "Redis commands failed at once because the server was unreachable"),
        counter("parley_redis_timeouts_total", "Redis commands that timed out"),
        counter("parley_redis_connects_total", "Redis connection handshakes completed"),
        counter("parley_redis_disconnects_total", "Redis connections lost"),
        counter("parley_redis_redirects_total",
                "Redis Cluster MOVED and ASK redirections followed"),
        counter("parley_redis_server_changes_total",
                "Redis reconnects that found another server process (restart, failover): its "
                "data may be gone or older"),
        counter("parley_pushes_undeliverable_total",
                "Pushes to sessions registered on nodes that are not live (not delivered; the "
                "users pull when they reconnect)"),
        counter("parley_pushes_offered_to_all_total",
                "Recipients offered to every live node because Redis had lost session entries "
                "moments before or could not be read"),
        counter("parley_session_ghosts_removed_total",
                "Session entries naming this node that it did not hold, removed by a refresh or "
                "at start"),
        counter("parley_sequence_leases_total",
                "Durable sequence-id leases taken (one per conversation per lease-size ids)"),
        counter("parley_sequence_stale_counters_total",
                "Sequence counters restarted above their durable lease: Redis had lost them or "
                "came back with an older copy"),
        counter("parley_sequence_lease_waits_total",
                "Sequence-id requests that waited for another node to extend a lease"),
        counter("parley_sequence_bound_checks_total",
                "Sequence counters checked against their durable bound (first use per process)"),
        counter("parley_locations_rewritten_total",
                "User positions Redis had lost that this node wrote back (self-healing)"),
    };
  }

  // Reads the figures their owners keep (cluster, SQLite store) into the registry.
  void collectSources() {
    std::lock_guard lock(sources_mutex);
    collectStore();
    collectPassword();
    collectBlocklist();
    if (!cluster_source) return;
    const ClusterMetrics m = cluster_source();
    auto& c = *cluster;
    c.live_nodes->Set(static_cast<double>(m.live_nodes));
    c.reregistered.set(m.sessions_reregistered);
    c.taken_over.set(m.sessions_taken_over);
    c.maintenance_failures.set(m.maintenance_failures);
    c.pushes_sent.set(m.rpc_pushes_sent);
    c.pushes_dropped.set(m.rpc_pushes_dropped);
    c.rpc_errors.set(m.rpc_errors);
    c.rpc_auth_failures.set(m.rpc_auth_failures);
    c.rpc_connections_refused.set(m.rpc_connections_refused);
    c.rpc_connections_closed.set(m.rpc_connections_closed);
    c.redis_commands.set(m.redis_commands);
    c.redis_failed_fast.set(m.redis_failed_fast);
    c.redis_timeouts.set(m.redis_timeouts);
    c.redis_connects.set(m.redis_connects);
    c.redis_disconnects.set(m.redis_disconnects);
    c.redis_redirects.set(m.redis_redirects);
    c.redis_server_changes.set(m.redis_server_changes);
    c.pushes_undeliverable.set(m.pushes_undeliverable);
    c.pushes_offered_to_all.set(m.pushes_offered_to_all);
    c.session_ghosts_removed.set(m.session_ghosts_removed);
    c.sequence_leases.set(m.sequence_leases);
    c.sequence_stale_counters.set(m.sequence_stale_counters);
    c.sequence_lease_waits.set(m.sequence_lease_waits);
    c.sequence_bound_checks.set(m.sequence_bound_checks);
    c.locations_rewritten.set(m.locations_rewritten);
  }
};

Metrics::Metrics(std::string_view version) : impl_(std::make_unique<Impl>(version)) {}

Metrics::~Metrics() = default;

void Metrics::connectionOpened(std::string_view transport) {
  const ConnectionSeries series = impl_->connection_cache.get(transport);
  series.open->Increment();
  series.opened->Increment();
}

void Metrics::connectionClosed(std::string_view transport) {
  impl_->connection_cache.get(transport).open->Decrement();
}

void Metrics::sessionOpened() { impl_->sessions.Increment(); }

void Metrics::sessionClosed(int close_status) {
  impl_->sessions.Decrement();
  impl_->close_cache.get({}, close_status)->Increment();
}

void Metrics::requestHandled(std::string_view kind, int status_code, double seconds) {
  const RequestSeries series = impl_->request_cache.get(kind, status_code);
  series.handled->Increment();
  series.duration->Observe(seconds);
}

void Metrics::frameRejected(std::string_view reason) {
  impl_->frame_cache.get(reason)->Increment();
}

void Metrics::loginResult(int status_code) { impl_->login_cache.get({}, status_code)->Increment(); }

void Metrics::clientThrottled(std::string_view limit) {
  impl_->throttle_cache.get(limit)->Increment();
}

void Metrics::autoBlocked(std::string_view offence) {
  impl_->auto_block_cache.get(offence)->Increment();
}

void Metrics::heartbeat() { impl_->heartbeats.Increment(); }

void Metrics::clientNotReading() { impl_->clients_not_reading.Increment(); }

void Metrics::storeUp(bool up) { impl_->store_up.Set(up ? 1 : 0); }

void Metrics::setClusterSource(std::function<ClusterMetrics()> source) {
  std::lock_guard lock(impl_->sources_mutex);
  if (!impl_->cluster) impl_->registerCluster();
  impl_->cluster_source = std::move(source);
}

void Metrics::setStoreSource(std::function<StoreMetrics()> source) {
  std::lock_guard lock(impl_->sources_mutex);
  if (!impl_->store_series) impl_->registerStore();
  impl_->store_source = std::move(source);
}

void Metrics::setBlocklistSource(std::function<BlocklistMetrics()> source) {
  std::lock_guard lock(impl_->sources_mutex);
  if (!impl_->blocklist_series) impl_->registerBlocklist();
  impl_->blocklist_source = std::move(source);
}

void Metrics::setPasswordSource(std::function<PasswordMetrics()> source) {
  std::lock_guard lock(impl_->sources_mutex);
  if (!impl_->password_series) impl_->registerPassword();
  impl_->password_source = std::move(source);
}

std::string Metrics::serialize() const {
  impl_->resident_memory.Set(residentMemoryBytes());
  impl_->collectSources();
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace parley

namespace parley {
namespace {

std::string_view labelValue(const prometheus::ClientMetric& metric, std::string_view name) {
  for (const prometheus::ClientMetric::Label& label : metric.label) {
    if (label.name == name) return label.value;
  }
  return {};
}

// Adds each series' value into totals keyed by one label.
template <typename Value>
void sumByLabel(const prometheus::MetricFamily& family, std::string_view label, Value value,
                std::map<std::string, double>& totals) {
  for (const prometheus::ClientMetric& metric : family.metric) {
    totals[std::string(labelValue(metric, label))] += value(metric);
  }
}

}  // namespace

MetricsSnapshot Metrics::snapshot() const {
  MetricsSnapshot snapshot;
  snapshot.resident_memory_bytes = residentMemoryBytes();
  const auto counter = [](const prometheus::ClientMetric& m) { return m.counter.value; };
  const auto gauge = [](const prometheus::ClientMetric& m) { return m.gauge.value; };
  const auto& bounds = requestBuckets();
  snapshot.latency_bounds.assign(bounds.begin(), bounds.end());
  snapshot.latency_bounds.push_back(std::numeric_limits<double>::infinity());  // prometheus' +Inf
  snapshot.latency_counts.assign(snapshot.latency_bounds.size(), 0);
  // Collect() is what a scrape reads, so the stream and /metrics never disagree; the sources
  // are read first, as a scrape does.
  impl_->collectSources();
  for (const prometheus::MetricFamily& family : impl_->registry->Collect()) {
    const std::string& name = family.name;
    if (name == "parley_sessions" && !family.metric.empty()) {
      snapshot.sessions = family.metric.front().gauge.value;
    } else if (name == "parley_connections") {
      sumByLabel(family, "transport", gauge, snapshot.connections);
    } else if (name == "parley_connections_opened_total") {
      sumByLabel(family, "transport", counter, snapshot.connections_opened);
    } else if (name == "parley_requests_total") {
      sumByLabel(family, "kind", counter, snapshot.requests_by_kind);
      sumByLabel(family, "code", counter, snapshot.requests_by_code);
    } else if (name == "parley_logins_total") {
      sumByLabel(family, "code", counter, snapshot.logins_by_code);
    } else if (name == "parley_cluster_live_nodes" && !family.metric.empty()) {
      snapshot.live_nodes = family.metric.front().gauge.value;
    } else if (name == "parley_heartbeats_total" && !family.metric.empty()) {
      snapshot.heartbeats = family.metric.front().counter.value;
    } else if (name == "parley_request_duration_seconds") {
      // Every kind has the same buckets (requestBuckets()), so they add up bucket by bucket.
      for (const prometheus::ClientMetric& metric : family.metric) {
        const auto& buckets = metric.histogram.bucket;
        for (size_t i = 0; i < buckets.size() && i < snapshot.latency_counts.size(); ++i) {
          snapshot.latency_counts[i] += static_cast<double>(buckets[i].cumulative_count);
        }
      }
    }
  }
  return snapshot;
}

}  // namespace parley
