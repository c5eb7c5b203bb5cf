#pragma once
// SessionRegistry on Redis, shared by every node (upstream's layout, from turms-server-common
// SessionLocationService and UserStatusService, with decimal text instead of raw bytes).
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
// Self-healing: this node keeps a mirror of the sessions it holds (added before their
// registration is sent, removed before their removal is sent). refreshLocalSessions(), called
// every maintenance tick, refreshes heartbeats and TTLs with one script call per batch of users
// and in the same call writes back every device Redis lost (flush, restart without persistence,
// failover, reshard), so no client is disconnected because Redis forgot it. Upstream instead
// closes such sessions; we close only those a newer login on another node took over.
//
// Exact presence. A session is identified by (node, device type, login date), and a removal
// deletes only its own session. What can leave an entry naming this node that it no longer holds
// is mended without waiting for the TTL: a removal or registration that failed is retried in the
// next refresh; a session that logged out while a refresh that still listed it was in flight
// (and wrote it back) is removed again as soon as that refresh returns; a refresh deletes device
// fields naming this node that it does not hold and that are older than the refresh's snapshot;
// and removeEntriesOfEarlierProcess(), called once at start, deletes every entry a previous
// process with this node id left behind.
//
// Data loss seen by lookups. Each batch of user keys (a slot of a Cluster, a server otherwise)
// has a marker naming the Redis server process that holds it (redis_session_scripts.h,
// querySessions). When a lookup finds it missing or naming another process, the batch lost or
// rolled back its entries, and lookups in that batch flag their users may_be_incomplete, so that
// routing offers pushes to every live node instead of losing them: for heal_window_millis, and
// after that until every live node has written its sessions back (sessions_written_since), which
// takes longer when Redis stays unusable for a while after the loss (a Cluster failing over).
//
// Every call blocks on Redis (never call from one of the deployment's io threads). Failures are
// kServerUnavailable with a reason; nothing throws.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "online/session_registry.h"
#include "redis/resp.h"

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
  // How long after a batch lost its entries lookups flag them may_be_incomplete: at least one
  // maintenance tick of every node plus the time a refresh takes.
  int64_t heal_window_millis = 11'000;
  // Whether every live node has written all its sessions to Redis since that moment (ms, Redis's
  // clock): past the window, a batch that lost its entries then is complete again only after
  // that. Empty = the window alone decides.
  std::function<bool(int64_t since_millis)> sessions_written_since;
  // Called by a refresh between taking its snapshot of the local sessions and sending them: a
  // test puts a logout there to reproduce that race deterministically. Empty in production.
  std::function<void()> after_refresh_snapshot;
};

struct SessionRefreshReport {
  size_t users = 0;                 // local users refreshed
  size_t reregistered_devices = 0;  // device entries Redis had lost and this node wrote back
  size_t removed_ghosts = 0;        // entries naming this node that it does not hold, deleted
  size_t retried_removals = 0;      // removals (or failed registrations) sent again
  // Written back while the session logged out meanwhile, and removed again at once.
  size_t undone_write_backs = 0;
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
  // Once at start, before the node accepts clients: deletes every device entry naming this
  // node (an earlier process with the same node id left them; this one holds nothing yet).
  // Walks every server's session keys (admin-style SCAN, one page per command). Returns the
  // number of devices removed.
  Result<size_t> removeEntriesOfEarlierProcess();
  // Users with at least one device registered by this node.
  size_t localSessionCount() const;

  Result<DeviceRegistration> registerDevice(int64_t user_id, DeviceType device_type,
                                            UserStatus status, const std::string& node_id,
                                            int64_t now_millis) override;
  VoidResult unregisterDevice(int64_t user_id, DeviceType device_type, const std::string& node_id,
                              int64_t login_date) override;
  Result<bool> setStatus(int64_t user_id, UserStatus status) override;
  // One script call per batch of users (a server, or a slot of a Cluster), all in flight at once.
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
  // A session of this node whose entry must go: its removal (or its registration) failed.
  struct PendingRemoval {
    DeviceType device_type;
    int64_t login_date;
    bool operator<(const PendingRemoval& other) const {
      return std::tie(device_type, login_date) < std::tie(other.device_type, other.login_date);
    }
  };
  // Users of one refresh: their held devices and pending removals as of the snapshot.
  struct RefreshEntry {
    int64_t user_id = 0;
    LocalUser user;
    std::vector<PendingRemoval> removals;
    std::string key;
  };

  static constexpr size_t kScanCount = 1000;  // SCAN's COUNT hint
  static constexpr size_t kReadBatch = 1000;  // users per pipelined HGETALL batch
  // Users whose refresh calls are in flight at once (about 0.1 s of Redis work; see
  // bench/RESULTS.md, re-registration).
  static constexpr size_t kRefreshUsersPerWave = 16'000;
  // A device field naming this node that it does not hold is deleted by a refresh only when its
  // login date is this much older than the refresh's snapshot: a login registering at that very
  // moment is dated (by this node's clock) just before it is held, never seconds before.
  static constexpr int64_t kGhostGraceMillis = 10'000;

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
  // Runs the refresh script over entries, in waves; the replies in chunk order.
  std::vector<std::pair<std::vector<size_t>, Result<redis::RespValue>>> runRefresh(
      const std::vector<RefreshEntry>& entries, int64_t ghost_cutoff);
  // Drops the local session (user, device) if it is the one with this login date. mutex_ held.
  void forgetLocked(int64_t user_id, DeviceType device_type, int64_t login_date);
  // The removal script for one session; remembers it for the next refresh when it fails.
  VoidResult removeSession(int64_t user_id, DeviceType device_type, int64_t login_date);
  // Calls `read` with HGETALL-like field lists of each user, batch by batch, plus whether that
  // batch may have lost entries recently.
  VoidResult lookup(std::span<const int64_t> user_ids,
                    const std::function<void(size_t index, const std::vector<std::string>& fields,
                                             bool healing)>& read);

  redis::RedisDeployment& redis_;
  const RedisSessionRegistryOptions options_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::unordered_map<int64_t, LocalUser> local_;
  std::unordered_map<int64_t, std::set<PendingRemoval>> pending_removals_;
  bool failing_ = false;  // guarded by mutex_
};

}  // namespace parley
