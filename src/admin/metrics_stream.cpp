#include "admin/metrics_stream.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
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

json::object figuresObject(const MetricsSnapshot& snapshot, int64_t now_millis,
                           const std::string& node_id) {
  json::array bounds;
  for (const double bound : snapshot.latency_bounds) {
    // JSON has no infinity; the last bucket holds everything.
    bounds.push_back(std::isinf(bound) ? json::value(nullptr) : json::value(bound));
  }
  json::array counts(snapshot.latency_counts.begin(), snapshot.latency_counts.end());
  double load[1] = {0};
  const bool has_load = getloadavg(load, 1) == 1;
  return json::object{
      {"time", now_millis},
      {"node", node_id},
      {"sessions", static_cast<int64_t>(snapshot.sessions)},
      {"liveNodes", snapshot.live_nodes},
      {"connections", mapJson(snapshot.connections)},
      {"connectionsOpened", mapJson(snapshot.connections_opened)},
      {"requestsByKind", mapJson(snapshot.requests_by_kind)},
      {"requestsByCode", mapJson(snapshot.requests_by_code)},
      {"loginsByCode", mapJson(snapshot.logins_by_code)},
      {"latency", json::object{{"bounds", std::move(bounds)}, {"counts", std::move(counts)}}},
      {"heartbeats", snapshot.heartbeats},
      {"residentMemoryBytes", snapshot.resident_memory_bytes},
      {"loadAverage", has_load ? json::value(load[0]) : json::value(nullptr)},
  };
}

}  // namespace

std::string nodeFiguresJson(const MetricsSnapshot& snapshot, int64_t now_millis,
                            const std::string& node_id) {
  return json::serialize(figuresObject(snapshot, now_millis, node_id));
}

std::string metricsStreamEvent(const MetricsSnapshot& snapshot, int64_t now_millis,
                               const std::string& node_id, std::optional<int64_t> online_users,
                               std::span<const std::string> other_nodes) {
  json::object event = figuresObject(snapshot, now_millis, node_id);
  event["onlineUsers"] = online_users ? json::value(*online_users) : json::value(nullptr);
  json::array cluster;
  for (const std::string& text : other_nodes) {
    std::error_code error;
    json::value figures = json::parse(text, error);
    // Published by a node of another version, or damaged in Redis: that node is left out.
    if (!error && figures.is_object()) cluster.push_back(std::move(figures));
  }
  event["cluster"] = std::move(cluster);
  // serialize() never emits a raw newline, which would end the SSE data line early.
  return "data: " + json::serialize(event) + "\n\n";
}

}  // namespace parley
