#pragma once
// The blocklists in Redis, shared by every node (keys: redis_keys.h, im:block:{blocklist}:*).
// All three keys carry one hash tag, so they live on one server: shard 0 of standalone shards,
// one slot of a Redis Cluster. Upstream keeps its blocklists in one Redis too, with an operation
// log for incremental sync; here every sync reads the whole (unexpired) list, which is simpler
// and heals by itself, and costs about 40 bytes per blocked client per sync per node.
// Needs Redis 6.2 or later (ZADD GT).
#include <string>

#include "online/blocklist_store.h"

namespace parley {

namespace redis {
class RedisDeployment;
}

class RedisBlocklistStore final : public BlocklistStore {
 public:
  RedisBlocklistStore(redis::RedisDeployment& redis, std::string node_id);

  VoidResult block(BlockTarget target, std::span<const std::string> ids,
                   int64_t until_millis) override;
  VoidResult unblock(BlockTarget target, std::span<const std::string> ids) override;
  VoidResult unblockAll(BlockTarget target) override;
  Result<BlocklistSnapshot> read(int64_t now_millis) override;
  VoidResult restore(const BlocklistSnapshot& copy) override;

 private:
  redis::RedisDeployment& redis_;
  const std::string node_id_;
};

}  // namespace parley
