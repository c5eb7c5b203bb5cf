#include "app/store_health.h"

#include <spdlog/spdlog.h>

#include "core/metrics.h"
#include "core/periodic_job.h"
#include "store/store.h"

namespace parley {

StoreHealth::StoreHealth(Store& store, Metrics& metrics, std::chrono::milliseconds interval)
    : store_(store), metrics_(metrics) {
  check();
  job_ = std::make_unique<PeriodicJob>("store-health", interval, [this] { check(); });
}

StoreHealth::~StoreHealth() = default;

void StoreHealth::check() {
  const VoidResult answered = store_.ping();
  const bool was_healthy = healthy_.exchange(answered.ok(), std::memory_order_relaxed);
  metrics_.storeUp(answered.ok());
  // Once per change, not per check: an operator sees when the outage began and ended.
  if (was_healthy && !answered.ok()) {
    spdlog::error("business store does not answer ({}); /health answers DOWN until it does",
                  answered.status().reason);
  } else if (!was_healthy && answered.ok()) {
    spdlog::info("business store answers again; /health answers UP");
  }
}

}  // namespace parley
