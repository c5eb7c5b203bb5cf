#pragma once
// The pure parts of RedisDeployment: which topology a URI list describes, and which standalone
// shard a key belongs to. No sockets, so they are unit-tested without a server.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "redis/redis_client.h"
#include "redis/redis_deployment.h"
#include "redis/sharding_algorithm.h"

namespace parley::redis {

// redis+cluster://[[username]:password@]host[:port]: a seed node of a Redis Cluster. Same form as
// redis:// except that a database is not allowed (a cluster has only db 0).
constexpr std::string_view kClusterScheme = "redis+cluster://";
// The same over TLS.
constexpr std::string_view kTlsClusterScheme = "rediss+cluster://";

struct DeploymentPlan {
  RedisTopology topology = RedisTopology::kSingle;
  // The shards in configuration order (single: one), or the cluster's seeds.
  std::vector<RedisUri> servers;
};

// kIllegalArgument naming the bad entry by position and with its password masked.
Result<DeploymentPlan> planDeployment(std::span<const std::string> uris);

// The URI with any userinfo replaced by "***", for messages and logs.
std::string redactUri(std::string_view uri);

// The standalone shard of a key (see redis_deployment.h): by its hash tag {u:<user>},
// {g:<group>}, {p:<lo>:<hi>}, {v:<16 hex digits>} (a verification digest), {l:<n>} (shard n
// modulo the shard count: a location bucket); keys without one of these tags (no tag, {cluster},
// ids that are not decimal int64) live on shard 0.
int32_t shardOfKey(std::string_view key, const ShardingAlgorithm& sharding);

}  // namespace parley::redis
