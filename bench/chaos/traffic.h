#pragma once
// The users of a chaos run and what they do. Each user has a first device (DESKTOP) that sends
// private messages to two fixed partners and group messages to the groups it is in; some users
// also have a second device (ANDROID) on another node, and some a churning device (IOS) that logs
// out and in during each trial until the fault is over. Devices spread over the nodes and the
// two transports. A device whose node dies reconnects to another node at once, as a Turms client
// would; one dropped for any other reason reconnects too, and the drop is counted.
//
// Threads: up to eight senders (paced to the configured rate, one request in flight each),
// one pump (reads pushes, heartbeats every ttl/5), one lifecycle thread (reconnects, churn).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "chaos/chaos_options.h"
#include "chaos/device_session.h"
#include "chaos/ledger.h"
#include "chaos/node_directory.h"

namespace parley::chaos {

struct ChaosGroup {
  int64_t id = 0;
  int64_t owner = 0;
  std::vector<int64_t> members;  // the owner included
};

class Traffic {
 public:
  static constexpr int64_t kFirstUser = 11;  // users 1..10 hold the demo data's messages

  Traffic(const Options& options, Ledger& ledger, const NodeDirectory& nodes);
  // Stops every thread, then closes every device.
  ~Traffic();
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

  // Logs every device in and creates the groups. Throws std::runtime_error when that fails.
  void setUp();

  // Senders and churn run from startTrial until stopChurn / stopSending.
  void startTrial(int trial);
  void stopChurn();
  // Returns once every sender finished its request in flight (bounded by the request timeout).
  void stopSending();

  // Until every first and second device is connected, or the deadline; false then.
  bool awaitConnected(std::chrono::milliseconds limit);

  const std::vector<int64_t>& users() const { return users_; }
  const std::vector<ChaosGroup>& groups() const { return groups_; }
  // The users a user sends private messages to.
  std::vector<int64_t> partnersOf(int64_t user) const;
  // The user's first device, which the checks query through.
  DeviceSession& firstDevice(int64_t user);
  std::vector<DeviceSession*> devices();

 private:
  void sendLoop(size_t worker, int trial);
  void pumpLoop();
  void lifecycleLoop();
  // Where a device that must be connected goes next: its node if it is up and the device was not
  // dropped because it died, else the next node that is up.
  int nodeFor(const DeviceSession& device);

  const Options& options_;
  Ledger& ledger_;
  const NodeDirectory& nodes_;
  std::vector<int64_t> users_;
  std::vector<std::unique_ptr<DeviceSession>> devices_;
  std::vector<DeviceSession*> first_devices_;  // per user index
  std::vector<ChaosGroup> groups_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> sending_{false};
  std::atomic<bool> churning_{false};
  std::atomic<int64_t> message_counter_{0};
  std::vector<std::thread> senders_;
  std::thread pump_;
  std::thread lifecycle_;
  std::mt19937_64 lifecycle_random_;
};

}  // namespace parley::chaos
