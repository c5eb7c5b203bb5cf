// GET /cluster (live nodes, the online state's Redis deployments, the business store) and
// GET /config (the effective configuration, secrets masked): what the console's Nodes and Config
// pages show.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin_route_util.h"
#include "admin/config_mask.h"
#include "admin/metrics_stream.h"
#include "core/clock.h"
#include "core/metrics.h"

namespace parley::admin {
namespace {

std::map<std::string, std::string> configMap(const AdminDeps& deps) {
  return {deps.config_values.begin(), deps.config_values.end()};
}

std::string valueOf(const std::map<std::string, std::string>& config, const std::string& key) {
  auto it = config.find(key);
  return it == config.end() ? "" : it->second;
}

std::vector<std::string> splitUris(const std::string& text) {
  std::vector<std::string> uris;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) uris.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return uris;
}

// One Redis deployment: a single server, standalone shards (several URIs) or a Redis Cluster
// (redis+cluster:// seeds), as RedisConfig describes them.
json::object deploymentJson(std::string_view purpose, const std::string& key,
                            const std::string& uris_text,
                            const std::optional<std::vector<AdminRedisServer>>& servers) {
  const std::vector<std::string> uris = splitUris(uris_text);
  const bool cluster = !uris.empty() && uris.front().starts_with("redis+cluster://");
  json::array shown;
  for (const std::string& uri : uris) shown.emplace_back(maskConfigValue(key, uri));
  json::object deployment{
      {"purpose", purpose},
      {"topology", cluster           ? "cluster"
                   : uris.size() > 1 ? "shards"
                                     : "single"},
      {"uris", std::move(shown)},
      {"healthy", nullptr},  // unknown without redis_servers
      {"servers", json::array()},
  };
  if (!servers) {
    return deployment;
  }
  // A deployment without servers of its own is the session deployment.
  const bool own = std::any_of(servers->begin(), servers->end(),
                               [&](const AdminRedisServer& s) { return s.purpose == purpose; });
  const std::string_view holder = own ? purpose : std::string_view("sessions");
  bool healthy = true;
  json::array& listed = deployment["servers"].as_array();
  for (const AdminRedisServer& server : *servers) {
    if (server.purpose != holder) continue;
    healthy = healthy && server.reachable;
    listed.push_back(json::object{{"server", server.server},
                                  {"reachable", server.reachable},
                                  {"persistence", server.persistence}});
  }
  deployment["healthy"] = healthy && !listed.empty();
  return deployment;
}

// Every live node's last published figures (this node's now), by node id.
std::map<std::string, json::object> figuresByNode(const AdminDeps& deps) {
  std::vector<std::string> texts =
      deps.other_nodes_figures ? deps.other_nodes_figures() : std::vector<std::string>();
  texts.push_back(nodeFiguresJson(deps.metrics.snapshot(), deps.clock.nowMillis(), deps.node_id));
  std::map<std::string, json::object> figures;
  for (const std::string& text : texts) {
    std::error_code error;
    json::value parsed = json::parse(text, error);
    if (error || !parsed.is_object() || !parsed.as_object().contains("node")) continue;
    const json::value& node = parsed.at("node");
    if (node.is_string()) figures[std::string(node.as_string())] = std::move(parsed.as_object());
  }
  return figures;
}

// A node's entry: its address and times, and from its figures (null for a node that published
// none lately) its sessions, open connections, memory and machine load.
json::object nodeJson(const AdminNode& node, bool local,
                      const std::map<std::string, json::object>& figures) {
  json::object entry{{"nodeId", node.id},
                     {"rpcAddress", node.rpc_address},
                     {"startedAt", node.started_at_millis},
                     {"lastHeartbeat", node.heartbeat_millis},
                     {"local", local},
                     {"sessions", nullptr},
                     {"connections", nullptr},
                     {"residentMemoryBytes", nullptr},
                     {"loadAverage", nullptr}};
  const auto found = figures.find(node.id);
  if (found == figures.end()) return entry;
  const json::object& published = found->second;
  for (const char* field : {"sessions", "residentMemoryBytes", "loadAverage"}) {
    if (const json::value* value = published.if_contains(field)) entry[field] = *value;
  }
  if (const json::value* connections = published.if_contains("connections");
      connections && connections->is_object()) {
    int64_t open = 0;
    for (const auto& [transport, count] : connections->as_object()) {
      if (count.is_number()) open += static_cast<int64_t>(count.to_number<double>());
    }
    entry["connections"] = open;
  }
  return entry;
}

AdminResponse cluster(AdminRoutes& routes, const AdminRequest&) {
  const AdminDeps& deps = routes.deps();
  const std::map<std::string, json::object> figures = figuresByNode(deps);
  json::array nodes;
  if (deps.live_nodes) {
    for (const AdminNode& node : deps.live_nodes()) {
      nodes.push_back(nodeJson(node, node.id == deps.node_id, figures));
    }
  } else {
    json::object alone = nodeJson(AdminNode{deps.node_id, "", 0, 0}, true, figures);
    alone["startedAt"] = nullptr;
    alone["lastHeartbeat"] = nullptr;
    nodes.push_back(std::move(alone));
  }

  const auto config = configMap(deps);
  const std::string sessions = valueOf(config, "redis.session.uris");
  json::array redis;
  if (!sessions.empty()) {
    std::optional<std::vector<AdminRedisServer>> servers;
    if (deps.redis_servers) servers = deps.redis_servers();
    redis.push_back(deploymentJson("sessions", "redis.session.uris", sessions, servers));
    // Sequence ids and locations live with the sessions unless they have URIs of their own.
    for (const auto& [purpose, key] : {std::pair{"sequence ids", "redis.sequence.uris"},
                                       std::pair{"locations", "redis.location.uris"}}) {
      const std::string uris = valueOf(config, key);
      redis.push_back(deploymentJson(purpose, key, uris.empty() ? sessions : uris, servers));
    }
  }
  const bool mongo = !valueOf(config, "mongo.uri").empty();
  const bool healthy = !deps.is_healthy || deps.is_healthy();
  return ok(json::object{
      {"nodes", std::move(nodes)},
      {"redis", std::move(redis)},
      {"store",
       json::object{{"kind", mongo ? "MongoDB" : "SQLite (embedded)"}, {"healthy", healthy}}},
  });
}

AdminResponse config(AdminRoutes& routes, const AdminRequest&) {
  json::object values;
  for (const auto& [key, value] : routes.deps().config_values) {
    values[key] = maskConfigValue(key, value);
  }
  return ok(std::move(values));
}

constexpr Route kClusterRoutes[] = {
    {"GET", "/cluster", true, cluster},
    {"GET", "/config", true, config},
};

}  // namespace

std::span<const Route> clusterRoutes() { return kClusterRoutes; }

}  // namespace parley::admin
