#pragma once
// This node's blocklists: their store (Redis beside the sessions, or this process), the local
// copy the gateway checks, and the job that keeps that copy in sync.
#include <atomic>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/metrics.h"
#include "online/blocklist.h"

namespace parley {

class ClusterNode;
class Clock;
class PeriodicJob;

class NodeBlocklist {
 public:
  // cluster: null on the embedded node.
  NodeBlocklist(const BlocklistConfig& config, ClusterNode* cluster, const std::string& node_id,
                const Clock& clock);
  ~NodeBlocklist();

  Blocklist& blocklist() { return *blocklist_; }
  // For /metrics; any thread.
  BlocklistMetrics metrics() const;

  // Reads the store once, then every sync interval; on_blocked closes this node's connections of
  // clients blocked anywhere. A store that cannot be read is logged once per outage, and the
  // copy stays as it was meanwhile.
  void start(Blocklist::OnBlocked on_blocked);
  // Ends the sync job, before what on_blocked uses goes away.
  void stop();

 private:
  void sync();

  const BlocklistConfig& config_;
  const Clock& clock_;
  std::unique_ptr<BlocklistStore> store_;
  std::unique_ptr<Blocklist> blocklist_;
  bool failing_ = false;  // the job's thread only
  std::atomic<uint64_t> sync_failures_{0};
  std::unique_ptr<PeriodicJob> job_;
};

}  // namespace parley
