#include "nodes/cluster_session_control.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "nodes/membership.h"
#include "nodes/node_clients.h"
#include "nodes/node_rpc.pb.h"
#include "online/session_registry.h"

namespace parley::nodes {

ClusterSessionControl::ClusterSessionControl(const std::string& self_node_id, SessionControl& local,
                                             SessionRegistry& registry, Membership& membership,
                                             NodeClients& clients)
    : self_node_id_(self_node_id),
      local_(local),
      registry_(registry),
      membership_(membership),
      clients_(clients) {}

void ClusterSessionControl::pushToUsers(std::span<const int64_t> user_ids,
                                        std::shared_ptr<const std::string> notification,
                                        int64_t except_user_id, int32_t except_device_type) {
  if (user_ids.empty()) return;
  if (membership_.alone()) {
    spdlog::debug("routing: no other live node: {} users pushed here only", user_ids.size());
    ++counters_->local_pushes;
    local_.pushToUsers(user_ids, std::move(notification), except_user_id, except_device_type);
    return;
  }
  auto online = registry_.query(user_ids);
  std::vector<int64_t> local_users;
  std::vector<int64_t> everywhere;  // where their sessions are is unknown: every live node
  std::map<std::string, std::vector<int64_t>, std::less<>> remote_users;
  if (online.ok()) {
    if (registry_failing_.exchange(false))
      spdlog::info("routing: session registry lookup works again");
    sortByNode(*online, local_users, everywhere, remote_users);
  } else {
    ++counters_->registry_errors;
    if (!registry_failing_.exchange(true)) {
      spdlog::warn(
          "routing: session registry lookup failed ({}); pushes are offered to every live node "
          "until it works again",
          online.status().reason);
    }
    everywhere.assign(user_ids.begin(), user_ids.end());
  }
  if (spdlog::should_log(spdlog::level::debug))
    logRouting(user_ids, online, local_users, everywhere, remote_users);
  if (!everywhere.empty()) {
    counters_->offered_to_all.fetch_add(everywhere.size());
    for (const auto& node : membership_.liveNodes()) {
      if (node.id == self_node_id_) continue;
      auto& users = remote_users[node.id];
      users.insert(users.end(), everywhere.begin(), everywhere.end());
    }
    local_users.insert(local_users.end(), everywhere.begin(), everywhere.end());
  }
  for (auto& [node_id, users] : remote_users) {
    ++counters_->remote_pushes;
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    clients_.push(node_id, users, notification, except_user_id, except_device_type);
  }
  if (!local_users.empty()) {
    ++counters_->local_pushes;
    local_.pushToUsers(local_users, std::move(notification), except_user_id, except_device_type);
  }
  forgetReachable(remote_users);
}

// One line per push at debug level: who the registry said is where, and where the push goes.
// For tracing a missed push (the chaos harness runs nodes with --log-level=debug for that).
void ClusterSessionControl::logRouting(
    std::span<const int64_t> user_ids, const Result<std::vector<UserOnlineInfo>>& online,
    const std::vector<int64_t>& local_users, const std::vector<int64_t>& everywhere,
    const std::map<std::string, std::vector<int64_t>, std::less<>>& remote_users) const {
  std::string text;
  if (!online.ok()) {
    text = "registry failed";
  } else {
    for (const UserOnlineInfo& info : *online) {
      text += " " + std::to_string(info.user_id) + (info.may_be_incomplete ? "?" : "") + "[";
      for (const DeviceSession& device : info.devices) {
        text += std::to_string(device.device_type) + "@" + device.node_id + " ";
      }
      for (const DeviceSession& device : info.unreachable) {
        text += std::to_string(device.device_type) + "@" + device.node_id + "! ";
      }
      text += "]";
    }
  }
  std::string nodes;
  for (const auto& [node_id, users] : remote_users) {
    nodes += " " + node_id + ":" + std::to_string(users.size());
  }
  spdlog::debug("routing: {} users:{}; local {}, everywhere {}, remote{}", user_ids.size(), text,
                local_users.size(), everywhere.size(), nodes);
}

void ClusterSessionControl::sortByNode(
    const std::vector<UserOnlineInfo>& online, std::vector<int64_t>& local_users,
    std::vector<int64_t>& everywhere,
    std::map<std::string, std::vector<int64_t>, std::less<>>& remote_users) {
  for (const auto& info : online) {
    if (info.may_be_incomplete) {
      everywhere.push_back(info.user_id);
      continue;
    }
    // Users the registry knows no live device of are offered to the local gateway too: a user
    // without a local session costs the gateway one lookup.
    bool added_local = info.devices.empty();
    if (added_local) local_users.push_back(info.user_id);
    const auto add = [&](const DeviceSession& device) {
      if (device.node_id == self_node_id_) {
        if (!added_local) local_users.push_back(info.user_id);
        added_local = true;
        return;
      }
      // Whatever the registry judged (an entry not refreshed lately, a node this view lost),
      // the node is looked up again before its users are given up.
      if (!membership_.confirmAlive(device.node_id)) {
        counters_->undeliverable.fetch_add(1);
        noteUnreachable(device, info.user_id);
        return;
      }
      auto& users = remote_users[device.node_id];
      // A user with several devices on one node is pushed once; the node fans out.
      if (users.empty() || users.back() != info.user_id) users.push_back(info.user_id);
    };
    for (const auto& device : info.devices) add(device);
    for (const auto& device : info.unreachable) add(device);
  }
}

void ClusterSessionControl::noteUnreachable(const DeviceSession& device, int64_t user_id) {
  std::lock_guard lock(unreachable_mutex_);
  if (!unreachable_nodes_.insert(device.node_id).second) return;
  spdlog::warn(
      "routing: pushes to sessions on node {} cannot be delivered (user {} device {}): it is not "
      "a live node (crashed, or stopped without unregistering them); its users get their "
      "messages when they reconnect. Counted in parley_pushes_undeliverable_total",
      device.node_id, user_id, device.device_type);
}

void ClusterSessionControl::forgetReachable(
    const std::map<std::string, std::vector<int64_t>, std::less<>>& pushed_to) {
  std::lock_guard lock(unreachable_mutex_);
  if (unreachable_nodes_.empty()) return;
  for (const auto& [node_id, users] : pushed_to) {
    if (unreachable_nodes_.erase(node_id) > 0) {
      spdlog::info("routing: node {} is reachable again", node_id);
    }
  }
}

void ClusterSessionControl::closeUserSessions(int64_t user_id,
                                              std::span<const int32_t> device_types,
                                              int32_t close_status, StatusCode code,
                                              const std::string& reason) {
  local_.closeUserSessions(user_id, device_types, close_status, code, reason);
  if (membership_.alone()) return;
  const int64_t ids[] = {user_id};
  auto online = registry_.query(ids);
  if (!online.ok()) {
    ++counters_->registry_errors;
    spdlog::warn(
        "routing: cannot look up the nodes of user {} to close its sessions ({}); closed "
        "the local ones only",
        user_id, online.status().reason);
    return;
  }
  std::map<std::string, std::vector<int32_t>, std::less<>> remote_types;
  for (const auto& info : *online) {
    for (const auto& device : info.devices) {
      if (device.node_id == self_node_id_) continue;
      if (!device_types.empty() && std::find(device_types.begin(), device_types.end(),
                                             device.device_type) == device_types.end()) {
        continue;
      }
      remote_types[device.node_id].push_back(device.device_type);
    }
  }
  for (const auto& [node_id, types] : remote_types) {
    // "All device types" stays "all" remotely: the remote node may hold types the registry lost.
    closeRemote(node_id, user_id, device_types.empty() ? std::span<const int32_t>() : types,
                close_status, code, reason);
  }
}

void ClusterSessionControl::closeOnNode(const std::string& node_id, int64_t user_id,
                                        std::span<const int32_t> device_types, int32_t close_status,
                                        StatusCode code, const std::string& reason) {
  if (node_id == self_node_id_) {
    local_.closeUserSessions(user_id, device_types, close_status, code, reason);
    return;
  }
  if (!membership_.confirmAlive(node_id)) {
    // Upstream treats a node that is no longer a member as having no sessions.
    ++counters_->skipped_dead_nodes;
    return;
  }
  closeRemote(node_id, user_id, device_types, close_status, code, reason);
}

void ClusterSessionControl::closeRemote(const std::string& node_id, int64_t user_id,
                                        std::span<const int32_t> device_types, int32_t close_status,
                                        StatusCode code, const std::string& reason) {
  ++counters_->remote_closes;
  clients_.closeSessionsAsync(
      node_id, user_id, device_types, close_status, code, reason,
      [counters = counters_, node_id, user_id](Status status) {
        if (status.isOk()) return;
        ++counters->remote_close_failures;
        spdlog::warn("routing: closing the sessions of user {} on node {} failed: {}", user_id,
                     node_id, status.reason);
      });
}

ClusterSessionControlStats ClusterSessionControl::stats() const {
  ClusterSessionControlStats stats;
  stats.local_pushes = counters_->local_pushes.load();
  stats.remote_pushes = counters_->remote_pushes.load();
  stats.skipped_dead_nodes = counters_->skipped_dead_nodes.load();
  stats.undeliverable = counters_->undeliverable.load();
  stats.offered_to_all = counters_->offered_to_all.load();
  stats.registry_errors = counters_->registry_errors.load();
  stats.remote_closes = counters_->remote_closes.load();
  stats.remote_close_failures = counters_->remote_close_failures.load();
  return stats;
}

void LocalSessionRpcHandler::onPush(std::span<const int64_t> user_ids,
                                    std::shared_ptr<const std::string> notification,
                                    int64_t except_user_id, int32_t except_device_type) {
  local_.pushToUsers(user_ids, std::move(notification), except_user_id, except_device_type);
}

Status LocalSessionRpcHandler::onCloseSessions(int64_t user_id,
                                               std::span<const int32_t> device_types,
                                               int32_t close_status, StatusCode code,
                                               const std::string& reason) {
  local_.closeUserSessions(user_id, device_types, close_status, code, reason);
  return Status::ok();
}

void LocalSessionRpcHandler::onNodeJoined(const rpc::NodeJoined& joined) {
  Membership* membership = membership_.load();
  if (!membership) return;
  NodeInfo node;
  node.id = joined.node_id();
  node.rpc_host = joined.rpc_host();
  node.rpc_port = static_cast<uint16_t>(joined.rpc_port());
  node.started_at_millis = joined.started_at_millis();
  membership->noteJoined(std::move(node));
}

}  // namespace parley::nodes
