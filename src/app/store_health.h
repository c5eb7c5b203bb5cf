#pragma once
// The business store's health as /health, the console and parley_store_up show it: a ping every
// interval on a thread of its own, so that /health answers at once even while a MongoDB ping
// waits for its timeout. A load balancer then stops sending clients to a node whose store is
// gone, and the node itself stays up and serves again when the store returns.
#include <atomic>
#include <chrono>
#include <memory>

namespace parley {

class Metrics;
class PeriodicJob;
class Store;

class StoreHealth {
 public:
  // Checks once before returning, then every interval. store and metrics must outlive it.
  StoreHealth(Store& store, Metrics& metrics,
              std::chrono::milliseconds interval = std::chrono::seconds(2));
  ~StoreHealth();
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  // The last check's answer; any thread.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

 private:
  void check();

  Store& store_;
  Metrics& metrics_;
  std::atomic<bool> healthy_{true};
  std::unique_ptr<PeriodicJob> job_;  // last: its thread calls check()
};

}  // namespace parley
