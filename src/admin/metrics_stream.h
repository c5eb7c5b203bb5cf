#pragma once
// GET /metrics/stream: server-sent events carrying one JSON snapshot of the node's counters a
// second (the same counters as /metrics), for the web console's live charts. A browser computes
// rates from consecutive snapshots; Prometheus keeps scraping /metrics.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace parley {

struct MetricsSnapshot;

inline constexpr const char* kMetricsStreamPath = "/metrics/stream";

// This node's figures as one JSON object: time, node, sessions, connections, request, login and
// latency counters, memory and the machine's 1-minute load average. What an event carries for
// this node, and what a clustered node publishes for the others (app/node_figures.h).
std::string nodeFiguresJson(const MetricsSnapshot& snapshot, int64_t now_millis,
                            const std::string& node_id);

// One event: "data: {...}\n\n", this node's figures plus onlineUsers, the cluster's count from
// the session registry (null when the registry could not answer), and "cluster": the figures the
// other live nodes last published (nodeFiguresJson texts; one that does not parse is left out).
std::string metricsStreamEvent(const MetricsSnapshot& snapshot, int64_t now_millis,
                               const std::string& node_id, std::optional<int64_t> online_users,
                               std::span<const std::string> other_nodes = {});

}  // namespace parley
