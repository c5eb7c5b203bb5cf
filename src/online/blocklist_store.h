#pragma once
// Where the blocklists of client IPs and user ids are kept: shared by every node (Redis,
// redis_blocklist_store.h) or in this process (embedded node). Blocklist (blocklist.h) keeps a
// local copy of it for the checks on every connection and login.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley {

enum class BlockTarget { kIp = 0, kUser = 1 };
inline constexpr BlockTarget kBlockTargets[] = {BlockTarget::kIp, BlockTarget::kUser};
// "ip" or "user", for logs, metrics and the admin API.
std::string_view blockTargetName(BlockTarget target);

struct BlockedClient {
  std::string id;        // an IP as printed (192.0.2.1, 2001:db8::1) or a decimal user id
  int64_t until_millis;  // epoch milliseconds; the block lifts by itself then
  bool operator==(const BlockedClient&) const = default;
};

struct BlocklistSnapshot {
  // Unexpired entries of each target, indexed by BlockTarget.
  std::vector<BlockedClient> entries[2];
  // False when the store may have lost entries since this node last wrote its copy to it (a
  // Redis restart or data loss, or this node's first read): the caller then writes its copy
  // back (restore) so that blocks outlive the loss.
  bool holds_this_nodes_writes = true;
};

class BlocklistStore {
 public:
  virtual ~BlocklistStore() = default;
  // Blocks ids until until_millis, or later if they already are (a block never shortens).
  virtual VoidResult block(BlockTarget target, std::span<const std::string> ids,
                           int64_t until_millis) = 0;
  virtual VoidResult unblock(BlockTarget target, std::span<const std::string> ids) = 0;
  virtual VoidResult unblockAll(BlockTarget target) = 0;
  // Every unexpired entry; drops the expired ones from the store on the way.
  virtual Result<BlocklistSnapshot> read(int64_t now_millis) = 0;
  // Writes entries back after a loss (block() of each, never shortening), and records that the
  // store now holds this node's writes.
  virtual VoidResult restore(const BlocklistSnapshot& copy) = 0;
};

}  // namespace parley
