#pragma once
// The blocklists of client IPs and user ids as a node uses them (upstream: BlocklistService).
// Every connection and login is checked against a local copy, which never waits; changes go to
// the BlocklistStore (Redis: shared by all nodes) and into this node's copy at once, and reach
// the other nodes' copies at their next sync(), within blocklist.sync-interval-millis.
//
// Self-healing: when the store says it may have lost what this node wrote (Redis restarted
// empty or from an older copy), sync() writes the local copy back before reading, so a loss of
// Redis data does not unblock anyone. An unblock made on another node in the last sync interval
// before such a loss can come back the same way; unblock again.
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/striped_map.h"
#include "online/blocklist_store.h"

namespace parley {

class Blocklist {
 public:
  // Called for each client blocked, by this node or (seen at a sync) by another, once per new or
  // extended block: the gateway closes that user's sessions or that address's connections.
  using OnBlocked = std::function<void(BlockTarget target, const std::string& id)>;

  explicit Blocklist(BlocklistStore& store);

  // Set before the first block() or sync().
  void onBlocked(OnBlocked callback) { on_blocked_ = std::move(callback); }

  // The local copy: any thread, never waits on the store.
  std::optional<int64_t> blockedUntil(BlockTarget target, std::string_view id,
                                      int64_t now_millis) const;
  bool isUserBlocked(int64_t user_id, int64_t now_millis) const;

  // Through the store (may wait on Redis: not on an io thread), then into the local copy.
  VoidResult block(BlockTarget target, std::span<const std::string> ids, int64_t until_millis);
  VoidResult unblock(BlockTarget target, std::span<const std::string> ids);
  VoidResult unblockAll(BlockTarget target);
  // The store's entries (admin listing): fresher than the local copy.
  Result<BlocklistSnapshot> read(int64_t now_millis) { return store_.read(now_millis); }

  // Replaces the local copy with the store's, first writing it back if the store lost it.
  VoidResult sync(int64_t now_millis);

  size_t size(BlockTarget target) const;

 private:
  using Copy = std::unordered_map<std::string, int64_t, TransparentStringHash, std::equal_to<>>;

  BlocklistStore& store_;
  OnBlocked on_blocked_;
  mutable std::shared_mutex mutex_;
  Copy copy_[2];
};

}  // namespace parley
