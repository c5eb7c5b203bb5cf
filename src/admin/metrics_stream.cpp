#include "admin/metrics_stream.h"

#include <boost/json.hpp>
#include <cmath>
#include <map>

#include "core/metrics.h"

namespace parley {
namespace {

namespace json = boost::json;

json::object mapJson(const std::map<std::string, double>& values) {
  json::object object;
  for (const auto& [key, value] : values) {
    object[key] = value;
  }
  return object;
}

}  // namespace

std::string metricsStreamEvent(const MetricsSnapshot& snapshot, int64_t now_millis,
                               const std::string& node_id, std::optional<int64_t> online_users) {
  json::array bounds;
  for (const double bound : snapshot.latency_bounds) {
    // JSON has no infinity; the last bucket holds everything.
    bounds.push_back(std::isinf(bound) ? json::value(nullptr) : json::value(bound));
  }
  json::array counts(snapshot.latency_counts.begin(), snapshot.latency_counts.end());
  json::object event{
      {"time", now_millis},
      {"node", node_id},
      {"sessions", snapshot.sessions},
      {"onlineUsers", online_users ? json::value(*online_users) : json::value(nullptr)},
      {"liveNodes", snapshot.live_nodes},
      {"connections", mapJson(snapshot.connections)},
      {"connectionsOpened", mapJson(snapshot.connections_opened)},
      {"requestsByKind", mapJson(snapshot.requests_by_kind)},
      {"requestsByCode", mapJson(snapshot.requests_by_code)},
      {"loginsByCode", mapJson(snapshot.logins_by_code)},
      {"latency", json::object{{"bounds", std::move(bounds)}, {"counts", std::move(counts)}}},
      {"heartbeats", snapshot.heartbeats},
      {"residentMemoryBytes", snapshot.resident_memory_bytes},
  };
  // serialize() never emits a raw newline, which would end the SSE data line early.
  return "data: " + json::serialize(event) + "\n\n";
}

}  // namespace parley
