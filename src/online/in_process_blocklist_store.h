#pragma once
// The embedded node's blocklists: in this process, so they last until it stops (upstream keeps
// them in Redis only, and has no embedded mode).
#include <map>
#include <mutex>

#include "online/blocklist_store.h"

namespace parley {

class InProcessBlocklistStore final : public BlocklistStore {
 public:
  VoidResult block(BlockTarget target, std::span<const std::string> ids,
                   int64_t until_millis) override;
  VoidResult unblock(BlockTarget target, std::span<const std::string> ids) override;
  VoidResult unblockAll(BlockTarget target) override;
  Result<BlocklistSnapshot> read(int64_t now_millis) override;
  VoidResult restore(const BlocklistSnapshot& copy) override;

 private:
  std::mutex mutex_;
  std::map<std::string, int64_t, std::less<>> entries_[2];
};

}  // namespace parley
