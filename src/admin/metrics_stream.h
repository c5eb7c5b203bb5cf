#pragma once
// GET /metrics/stream: server-sent events carrying one JSON snapshot of the node's counters a
// second (the same counters as /metrics), for the web console's live charts. A browser computes
// rates from consecutive snapshots; Prometheus keeps scraping /metrics.
#include <cstdint>
#include <optional>
#include <string>

namespace parley {

struct MetricsSnapshot;

inline constexpr const char* kMetricsStreamPath = "/metrics/stream";

// One event: "data: {...}\n\n". online_users is the cluster's count from the session registry
// (null when the registry could not answer).
std::string metricsStreamEvent(const MetricsSnapshot& snapshot, int64_t now_millis,
                               const std::string& node_id, std::optional<int64_t> online_users);

}  // namespace parley
