#include "app/blocklist_setup.h"

#include <spdlog/spdlog.h>

#include "app/cluster_node.h"
#include "core/clock.h"
#include "core/periodic_job.h"
#include "online/in_process_blocklist_store.h"
#include "online/redis_blocklist_store.h"

namespace parley {

NodeBlocklist::NodeBlocklist(const BlocklistConfig& config, ClusterNode* cluster,
                             const std::string& node_id, const Clock& clock)
    : config_(config), clock_(clock) {
  if (cluster) {
    store_ = std::make_unique<RedisBlocklistStore>(cluster->sessionRedis(), node_id);
  } else {
    store_ = std::make_unique<InProcessBlocklistStore>();
  }
  blocklist_ = std::make_unique<Blocklist>(*store_);
}

NodeBlocklist::~NodeBlocklist() = default;

void NodeBlocklist::start(Blocklist::OnBlocked on_blocked) {
  blocklist_->onBlocked(std::move(on_blocked));
  sync();
  job_ = std::make_unique<PeriodicJob>("blocklist-sync",
                                       std::chrono::milliseconds(config_.sync_interval_millis),
                                       [this] { sync(); });
}

void NodeBlocklist::stop() { job_.reset(); }

BlocklistMetrics NodeBlocklist::metrics() const {
  return {blocklist_->size(BlockTarget::kIp), blocklist_->size(BlockTarget::kUser),
          sync_failures_.load(std::memory_order_relaxed)};
}

void NodeBlocklist::sync() {
  auto synced = blocklist_->sync(clock_.nowMillis());
  if (!synced && !failing_) {
    spdlog::warn(
        "blocklist: cannot read the shared blocklists; checking against the last copy "
        "({} IPs, {} users) until they can be read: {}",
        blocklist_->size(BlockTarget::kIp), blocklist_->size(BlockTarget::kUser),
        synced.status().reason);
  } else if (synced && failing_) {
    spdlog::info("blocklist: the shared blocklists can be read again");
  }
  failing_ = !synced;
  if (!synced) sync_failures_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace parley
