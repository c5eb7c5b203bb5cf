#pragma once
// SessionRegistry on Redis, shared by every node (issue 6 items 3 and 5; upstream layout:
// shared/reference/turms-storage.md §1.2-1.3, with decimal text instead of raw bytes).
//
// One HASH per online user, key redis_keys::session(user) = "im:sess:{u:<id>}", TTL = the
// close-idle-session timeout, refreshed by every node that has one of the user's devices:
//   "$"               → status (decimal UserStatus)
//   "<device>"        → node id owning that device type (decimal DeviceType)
//   "<device>:t"      → that device's login date, Unix ms (ours; upstream has none)
//   "<node id>"       → that node's last heartbeat, Unix ms from the writing node's Clock
// Node ids must not be "$", a decimal number or "<decimal>:t" (they would read as the other
// field kinds), nor contain ',' (reserved as a
// separator of node-id lists); config validation is stricter.
// Heartbeats come from each node's clock rather than Redis TIME so the reader can judge them with
// its own clock (and tests with a ManualClock): a device counts as online while its node's
// heartbeat is at most ttl + 1 s old, so clock skew only matters when it nears the TTL (180 s).
//
// Self-healing: this node keeps a mirror of what it registered. refreshLocalSessions(), called
// every maintenance tick, refreshes heartbeats and TTLs with one script call per batch of users
// and in the same call writes back every device Redis lost (flush, restart without persistence,
// failover, reshard), so no client is disconnected because Redis forgot it. Upstream instead
// closes such sessions (§1.5 c); we close only those a newer login on another node took over.
//
// Every call blocks on Redis (never call from one of the deployment's io threads). Failures are
// kServerUnavailable with a reason; nothing throws.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "online/session_registry.h"

namespace parley {

namespace redis {
class RedisDeployment;
}

struct RedisSessionRegistryOptions {
  std::string node_id;
  int session_ttl_seconds = 180;     // gateway.close-idle-session-after-seconds
  size_t refresh_batch_size = 1000;  // users per script call
  // Nodes known alive (membership); devices on other nodes are treated as offline. Empty = all
  // alive.
  std::function<bool(std::string_view node_id)> is_node_alive;
};

struct SessionRefreshReport {
  size_t users = 0;                 // local users refreshed
  size_t reregistered_devices = 0;  // device entries Redis had lost and this node wrote back
  // Now owned by another node: the caller closes them locally (close status 501).
  std::vector<std::pair<int64_t, DeviceType>> taken_over;
  size_t failed_batches = 0;
  std::string first_error;
};

// Node ids the hash layout can hold (see above).
bool isValidSessionNodeId(std::string_view node_id);

class RedisSessionRegistry final : public SessionRegistry {
 public:
  RedisSessionRegistry(redis::RedisDeployment& redis, RedisSessionRegistryOptions options,
                       const Clock& clock);

  // Called by the node's maintenance thread every tick (blocking; not on an io thread).
  SessionRefreshReport refreshLocalSessions();
  // Users with at least one device registered by this node.
  size_t localSessionCount() const;

  Result<std::optional<DeviceSession>> registerDevice(int64_t user_id, DeviceType device_type,
                                                      UserStatus status, const std::string& node_id,
                                                      int64_t now_millis) override;
  VoidResult unregisterDevice(int64_t user_id, DeviceType device_type,
                              const std::string& node_id) override;
  Result<bool> setStatus(int64_t user_id, UserStatus status) override;
  // One pipelined round trip per server, whatever the number of users.
  Result<std::vector<UserOnlineInfo>> query(std::span<const int64_t> user_ids) override;
  // Admin only. Both walk every server's session keys with SCAN from here, a page of about
  // kScanCount keys per command, and read the users' hashes in pipelined batches of kReadBatch
  // with query()'s liveness rules: no Redis server is blocked for longer than one such command,
  // whatever the number of users, but each call costs a pass over the whole keyspace (listOnline
  // sometimes more, when many listed users turn out offline). SCAN's guarantees apply: users
  // online for the whole walk are seen; one who logs in or out meanwhile may or may not be, and
  // the count may include a user twice while a server resizes its key table.
  Result<std::vector<UserOnlineInfo>> listOnline(int64_t after_user_id, int limit) override;
  Result<int64_t> countOnlineUsers() override;

 private:
  struct LocalUser {
    UserStatus status = kUserStatusAvailable;
    std::map<DeviceType, int64_t> login_dates;  // device type → login date (ms)
  };

  static constexpr size_t kScanCount = 1000;  // SCAN's COUNT hint
  static constexpr size_t kReadBatch = 1000;  // users per pipelined HGETALL batch
  // Users whose refresh calls are in flight at once (about 0.1 s of Redis work; see
  // bench/RESULTS.md, re-registration).
  static constexpr size_t kRefreshUsersPerWave = 16'000;

  // Calls visit with the ids of every server's session keys, about kReadBatch at a time (ids
  // unchecked: possibly offline, possibly repeated). Stops at the first failure, visit's or
  // Redis'.
  VoidResult forEachSessionUserBatch(
      const std::function<VoidResult(std::span<const int64_t>)>& visit);
  bool nodeAlive(std::string_view node_id) const;
  int64_t staleAfterMillis() const;
  UserOnlineInfo decode(int64_t user_id, const std::vector<std::string>& fields_and_values,
                        int64_t now_millis) const;
  // Logs the first failure of an outage and the recovery, once each.
  void noteOutcome(bool ok, const std::string& what, const std::string& reason);

  redis::RedisDeployment& redis_;
  const RedisSessionRegistryOptions options_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::unordered_map<int64_t, LocalUser> local_;
  bool failing_ = false;  // guarded by mutex_
};

}  // namespace parley
