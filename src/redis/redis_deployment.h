#pragma once
// One logical Redis store (sessions, sequence ids or locations) over any of the three
// topologies, behind one interface, so that everything above it has a single code path:
//
//   - a single node: uris = {"redis://host:6379"}
//   - several standalone shards: uris = {"redis://a:6379", "redis://b:6379", ...}. A key's shard
//     is chosen by ShardingAlgorithm from the key's hash tag (see redis_keys.h): {u:<user>} →
//     shardOfUser, {g:<group>} → shardOfGroup, {p:<lo>:<hi>} → shardOfPrivateConversation,
//     {v:<16 hex>} → shardOfVerification, {l:<n>} → shard n (mod N), any other tag or none → shard
//     0 (small shared data: membership). The shard index is the position in the list: every node
//     must list the same URIs in the same order, and changing the order moves data.
//   - one Redis Cluster: uris = {"redis+cluster://seed1:7000", "redis+cluster://seed2:7001"} (one
//     seed is enough; userinfo gives AUTH as for redis://, used for every node; no /db). Keys
//     route by CLUSTER KEYSLOT through the slot map from CLUSTER SLOTS. Handled here: MOVED (map
//     updated, one full refresh scheduled), ASK (ASKING + the command, once, map untouched),
//     TRYAGAIN and CLUSTERDOWN (retried until the command timeout); at most 5 redirections per
//     command. A lost connection to a node fails the command with kServerUnavailable and
//     refreshes the map, which is how a failover is picked up.
// The URI and routing rules are implemented in redis_topology.h.
//
// Connections: one pipelined RedisClient per server per io_context handed in (cluster: created
// when a primary is first needed). A call made on one of those io threads uses that thread's
// connection; a call from any other thread (the blocking pool, the maintenance thread) uses one
// chosen per calling thread. Single and sharded routing takes no lock; the cluster's slot map is
// behind a shared_mutex (reads dominate). Asio stays in the .cpp.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "redis/redis_client.h"
#include "redis/resp.h"

namespace boost::asio {
class io_context;
}

namespace parley::redis {

enum class RedisTopology { kSingle, kSharded, kCluster };

// The reply of one server to a command sent to every server.
struct ServerReply {
  std::string server;  // host:port/db, never a password
  Result<RespValue> reply;
};

struct RedisDeploymentStats {
  uint64_t commands = 0;
  uint64_t failed_fast = 0;
  uint64_t timeouts = 0;
  uint64_t connects = 0;
  uint64_t disconnects = 0;
  uint64_t script_reloads = 0;
  uint64_t server_changes = 0;  // reconnects that found another server process (restart, failover)
  uint64_t moved = 0;           // MOVED redirections followed (cluster)
  uint64_t asked = 0;           // ASK redirections followed (cluster)
  uint64_t slot_map_refreshes = 0;  // full slot maps read with CLUSTER SLOTS (cluster)
};

class RedisDeployment {
 public:
  virtual ~RedisDeployment() = default;

  // Checks the URI list without connecting (configuration time): non-empty; all redis:// or all
  // redis+cluster://; each URI parses; no server twice. kIllegalArgument naming the bad URI by
  // position, password masked, otherwise.
  static VoidResult validate(std::span<const std::string> uris);

  // Opens connections on every context (each run by exactly one thread). For a cluster, fetches
  // the slot map from the first seed that answers; fails with kServerUnavailable when none does.
  // Standalone servers are not required to be up: their clients reconnect by themselves.
  static Result<std::unique_ptr<RedisDeployment>> open(
      std::span<boost::asio::io_context* const> contexts, std::span<const std::string> uris,
      RedisClientOptions options = {});

  virtual RedisTopology topology() const = 0;
  // For logs: "single 127.0.0.1:6379", "3 shards: ...", "cluster of 3 primaries: ...".
  virtual std::string describe() const = 0;

  // Keys with the same batch may be used together in one script or multi-key command: the same
  // server (single, sharded) or the same slot (cluster). Used to group per-user work into one
  // call per batch.
  virtual uint32_t batchOf(std::string_view key) const = 0;
  // The key called `name` that lives beside `key`: in its batch, and the same for every key of
  // that batch (on a Cluster "<name>{<tag of the slot>}", elsewhere `name` itself on each
  // server), for state kept per batch, such as a marker that tells whether the batch's data
  // survived. Use it in a script or command together with a key of that batch, after it: it is
  // never a routing key (on standalone shards it names no shard).
  virtual std::string keyBeside(std::string_view key, std::string_view name) const = 0;

  // Runs args on the server owning routing_key (the command itself names its keys; routing_key is
  // normally one of them). Error replies (RespValue::isError()) are delivered as values, except
  // MOVED/ASK/TRYAGAIN which are followed here. Failure semantics as RedisClient::command. done
  // runs on an io thread, never inside this call.
  virtual void command(std::string_view routing_key, std::vector<std::string> args,
                       RedisClient::Callback done) = 0;
  // EVALSHA (EVAL on NOSCRIPT) on the server owning keys[0]; every key must share keys[0]'s batch.
  virtual void evalsha(const RedisScript& script, std::vector<std::string> keys,
                       std::vector<std::string> args, RedisClient::Callback done) = 0;

  // Blocking forms, for the blocking pool and maintenance threads; called on one of the
  // deployment's io threads they fail with kServerInternalError instead of deadlocking.
  virtual Result<RespValue> commandSync(std::string_view routing_key,
                                        std::vector<std::string> args) = 0;
  virtual Result<RespValue> evalshaSync(const RedisScript& script, std::vector<std::string> keys,
                                        std::vector<std::string> args) = 0;

  // The same command on every server (every primary of a cluster), in a stable order: for
  // CONFIG GET, SCAN of the whole deployment, health checks, and FLUSHALL in tests.
  virtual std::vector<ServerReply> commandOnEveryServerSync(std::vector<std::string> args) = 0;

  // Per-server iteration, for work that must not run in one long command (SCAN with a cursor of
  // that server): the servers commandOnEveryServerSync addresses, in the same order. A cluster's
  // primaries are those of the current slot map, so a failover or reshard between two calls may
  // change which node an index names (the iteration then skips or repeats keys, as SCAN may
  // anyway). An index past the end is kIllegalArgument; on an io thread kServerInternalError.
  virtual size_t serverCount() const = 0;
  virtual Result<RespValue> commandOnServerSync(size_t server_index,
                                                std::vector<std::string> args) = 0;

  virtual RedisDeploymentStats stats() const = 0;
};

}  // namespace parley::redis
