#pragma once
// SessionControl across nodes: looks the recipients up in the session registry and sends each
// remote node ONE push with its subset of users (never one per user); the local subset goes
// straight to the gateway. A single node (no other live member) skips the lookup entirely, so it
// stays as fast as the embedded default.
//
// No push is dropped silently. A recipient whose registry entry may be incomplete (Redis lost
// data moments ago and the nodes are writing their sessions back), or whose lookup failed (Redis
// or one shard of it down), is offered to every live node, each of which delivers to the
// sessions it holds. A recipient registered on a node that is not
// live (after the registry looked it up again in Redis) cannot be reached: counted as
// undeliverable, and logged once per such node until it is live again; the user pulls the
// message when it reconnects.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "nodes/rpc_server.h"
#include "online/session_registry.h"
#include "service/session_control.h"

namespace parley::nodes {

class Membership;
class NodeClients;

struct ClusterSessionControlStats {
  uint64_t local_pushes = 0;        // pushToUsers calls handed to the local gateway
  uint64_t remote_pushes = 0;       // push RPCs sent (one per remote node per push)
  uint64_t skipped_dead_nodes = 0;  // registry entries on nodes that are not live members
  // Pushes to sessions registered on nodes that are not live: not delivered.
  uint64_t undeliverable = 0;
  // Pushes offered to every live node because the registry had lost entries moments ago.
  uint64_t offered_to_all = 0;
  uint64_t registry_errors = 0;  // lookups that failed (offered to every live node)
  uint64_t remote_closes = 0;    // close RPCs sent
  uint64_t remote_close_failures = 0;
};

class ClusterSessionControl final : public SessionControl {
 public:
  ClusterSessionControl(const std::string& self_node_id, SessionControl& local,
                        SessionRegistry& registry, Membership& membership, NodeClients& clients);

  // Blocks on the registry lookup when other nodes are live: call it where blocking is allowed
  // (the blocking pool), as for every SessionRegistry call. RPCs are sent asynchronously.
  void pushToUsers(std::span<const int64_t> user_ids,
                   std::shared_ptr<const std::string> notification, int64_t except_user_id = 0,
                   int32_t except_device_type = -1) override;

  // The local sessions are always closed (the gateway knows them best, even when the registry
  // lost them); remote nodes that hold a matching device get a close RPC.
  void closeUserSessions(int64_t user_id, std::span<const int32_t> device_types,
                         int32_t close_status, StatusCode code, const std::string& reason) override;

  // A targeted close: a login here replaced a device registered on node_id. Asynchronous; a
  // failure is logged and counted (the registry entry was replaced anyway, so a session left on
  // a dead node dies with it).
  void closeOnNode(const std::string& node_id, int64_t user_id,
                   std::span<const int32_t> device_types, int32_t close_status, StatusCode code,
                   const std::string& reason);

  ClusterSessionControlStats stats() const;

 private:
  // Sorts looked-up users by where a push reaches them: this node, another live node, or every
  // live node (the registry may have lost their entries).
  void logRouting(
      std::span<const int64_t> user_ids, const Result<std::vector<UserOnlineInfo>>& online,
      const std::vector<int64_t>& local_users, const std::vector<int64_t>& everywhere,
      const std::map<std::string, std::vector<int64_t>, std::less<>>& remote_users) const;
  void sortByNode(const std::vector<UserOnlineInfo>& online, std::vector<int64_t>& local_users,
                  std::vector<int64_t>& everywhere,
                  std::map<std::string, std::vector<int64_t>, std::less<>>& remote_users);
  // Logs the first undeliverable push to a node, once until it is live again.
  void noteUnreachable(const DeviceSession& device, int64_t user_id);
  // A node pushed to is reachable: its next incident is logged again.
  void forgetReachable(const std::map<std::string, std::vector<int64_t>, std::less<>>& pushed_to);
  void closeRemote(const std::string& node_id, int64_t user_id,
                   std::span<const int32_t> device_types, int32_t close_status, StatusCode code,
                   const std::string& reason);

  const std::string self_node_id_;
  SessionControl& local_;
  SessionRegistry& registry_;
  Membership& membership_;
  NodeClients& clients_;

  std::atomic<bool> registry_failing_{false};  // logs a registry outage once
  std::mutex unreachable_mutex_;
  std::set<std::string, std::less<>> unreachable_nodes_;  // logged already; guarded by the mutex
  // Shared with the close RPCs' callbacks, which may run after this object is gone.
  struct Counters {
    std::atomic<uint64_t> local_pushes{0};
    std::atomic<uint64_t> remote_pushes{0};
    std::atomic<uint64_t> skipped_dead_nodes{0};
    std::atomic<uint64_t> undeliverable{0};
    std::atomic<uint64_t> offered_to_all{0};
    std::atomic<uint64_t> registry_errors{0};
    std::atomic<uint64_t> remote_closes{0};
    std::atomic<uint64_t> remote_close_failures{0};
  };
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
};

// Serves peers' RPCs with the local gateway.
class LocalSessionRpcHandler final : public RpcHandler {
 public:
  explicit LocalSessionRpcHandler(SessionControl& local) : local_(local) {}
  // From then on membership learns of joining nodes at once. Set after the server listens: the
  // membership entry needs the port the server got.
  void useMembership(Membership& membership) { membership_.store(&membership); }

  void onPush(std::span<const int64_t> user_ids, std::shared_ptr<const std::string> notification,
              int64_t except_user_id, int32_t except_device_type) override;
  Status onCloseSessions(int64_t user_id, std::span<const int32_t> device_types,
                         int32_t close_status, StatusCode code, const std::string& reason) override;
  void onNodeJoined(const rpc::NodeJoined& joined) override;

 private:
  SessionControl& local_;
  std::atomic<Membership*> membership_{nullptr};
};

}  // namespace parley::nodes
