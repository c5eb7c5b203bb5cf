#include "online/in_process_blocklist_store.h"

#include <algorithm>

namespace parley {

std::string_view blockTargetName(BlockTarget target) {
  return target == BlockTarget::kIp ? "ip" : "user";
}

VoidResult InProcessBlocklistStore::block(BlockTarget target, std::span<const std::string> ids,
                                          int64_t until_millis) {
  std::lock_guard lock(mutex_);
  auto& entries = entries_[static_cast<int>(target)];
  for (const std::string& id : ids) {
    auto [entry, added] = entries.try_emplace(id, until_millis);
    if (!added) entry->second = std::max(entry->second, until_millis);
  }
  return {};
}

VoidResult InProcessBlocklistStore::unblock(BlockTarget target, std::span<const std::string> ids) {
  std::lock_guard lock(mutex_);
  for (const std::string& id : ids) entries_[static_cast<int>(target)].erase(id);
  return {};
}

VoidResult InProcessBlocklistStore::unblockAll(BlockTarget target) {
  std::lock_guard lock(mutex_);
  entries_[static_cast<int>(target)].clear();
  return {};
}

Result<BlocklistSnapshot> InProcessBlocklistStore::read(int64_t now_millis) {
  std::lock_guard lock(mutex_);
  BlocklistSnapshot snapshot;
  for (BlockTarget target : kBlockTargets) {
    auto& entries = entries_[static_cast<int>(target)];
    std::erase_if(entries, [&](const auto& entry) { return entry.second <= now_millis; });
    for (const auto& [id, until] : entries) {
      snapshot.entries[static_cast<int>(target)].push_back({id, until});
    }
  }
  return snapshot;
}

VoidResult InProcessBlocklistStore::restore(const BlocklistSnapshot&) {
  // Nothing here outlives this process's copy, so there is nothing to put back.
  return {};
}

}  // namespace parley
