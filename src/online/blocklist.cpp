#include "online/blocklist.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <utility>
#include <vector>

namespace parley {

namespace {

int indexOf(BlockTarget target) { return static_cast<int>(target); }

}  // namespace

Blocklist::Blocklist(BlocklistStore& store) : store_(store) {}

std::optional<int64_t> Blocklist::blockedUntil(BlockTarget target, std::string_view id,
                                               int64_t now_millis) const {
  std::shared_lock lock(mutex_);
  const Copy& copy = copy_[indexOf(target)];
  auto entry = copy.find(id);
  if (entry == copy.end() || entry->second <= now_millis) return std::nullopt;
  return entry->second;
}

bool Blocklist::isUserBlocked(int64_t user_id, int64_t now_millis) const {
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), user_id).ptr;
  return blockedUntil(BlockTarget::kUser, std::string_view(digits, end - digits), now_millis)
      .has_value();
}

VoidResult Blocklist::block(BlockTarget target, std::span<const std::string> ids,
                            int64_t until_millis) {
  if (auto stored = store_.block(target, ids, until_millis); !stored) return stored;
  std::vector<std::string> newly_blocked;
  {
    std::unique_lock lock(mutex_);
    Copy& copy = copy_[indexOf(target)];
    for (const std::string& id : ids) {
      auto [entry, added] = copy.try_emplace(id, until_millis);
      if (added || entry->second < until_millis) {
        entry->second = until_millis;
        newly_blocked.push_back(id);
      }
    }
  }
  if (on_blocked_) {
    for (const std::string& id : newly_blocked) on_blocked_(target, id);
  }
  return {};
}

VoidResult Blocklist::unblock(BlockTarget target, std::span<const std::string> ids) {
  if (auto removed = store_.unblock(target, ids); !removed) return removed;
  std::unique_lock lock(mutex_);
  for (const std::string& id : ids) copy_[indexOf(target)].erase(id);
  return {};
}

VoidResult Blocklist::unblockAll(BlockTarget target) {
  if (auto removed = store_.unblockAll(target); !removed) return removed;
  std::unique_lock lock(mutex_);
  copy_[indexOf(target)].clear();
  return {};
}

VoidResult Blocklist::sync(int64_t now_millis) {
  auto snapshot = store_.read(now_millis);
  if (!snapshot) return snapshot.status();
  if (!snapshot->holds_this_nodes_writes) {
    BlocklistSnapshot ours;
    {
      std::shared_lock lock(mutex_);
      for (BlockTarget target : kBlockTargets) {
        for (const auto& [id, until] : copy_[indexOf(target)]) {
          if (until > now_millis) ours.entries[indexOf(target)].push_back({id, until});
        }
      }
    }
    const size_t count = ours.entries[0].size() + ours.entries[1].size();
    if (auto restored = store_.restore(ours); !restored) return restored;
    if (count > 0) {
      spdlog::warn("blocklist: the store had lost entries; wrote back this node's {} blocks",
                   count);
    }
    snapshot = store_.read(now_millis);
    if (!snapshot) return snapshot.status();
  }
  std::vector<std::pair<BlockTarget, std::string>> newly_blocked;
  {
    Copy fresh[2];
    for (BlockTarget target : kBlockTargets) {
      for (BlockedClient& entry : snapshot->entries[indexOf(target)]) {
        fresh[indexOf(target)].emplace(std::move(entry.id), entry.until_millis);
      }
    }
    std::unique_lock lock(mutex_);
    for (BlockTarget target : kBlockTargets) {
      const Copy& old = copy_[indexOf(target)];
      for (const auto& [id, until] : fresh[indexOf(target)]) {
        auto known = old.find(id);
        if (known == old.end() || known->second < until) newly_blocked.emplace_back(target, id);
      }
      copy_[indexOf(target)] = std::move(fresh[indexOf(target)]);
    }
  }
  if (on_blocked_) {
    for (const auto& [target, id] : newly_blocked) on_blocked_(target, id);
  }
  return {};
}

size_t Blocklist::size(BlockTarget target) const {
  std::shared_lock lock(mutex_);
  return copy_[indexOf(target)].size();
}

}  // namespace parley
