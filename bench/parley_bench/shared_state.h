#pragma once
// Memory shared between the parley-bench coordinator and its forked workers (an anonymous
// MAP_SHARED mapping made before fork). The coordinator moves `phase` forward; each worker
// writes only its own WorkerProgress and the online flags and group ids of its own sessions.
// Lock-free atomics are address-free, so they work across processes.
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace parley::bench {

enum class Phase : int32_t {
  kLogin = 0,   // connect and log in at the target rate
  kSetup = 1,   // create groups and add their members
  kRun = 2,     // send messages
  kDrain = 3,   // stop sending, wait for responses and pushes in flight
  kReport = 4,  // write results to the coordinator and exit
};

struct WorkerProgress {
  std::atomic<int64_t> login_attempts{0};  // sessions whose login has finished, either way
  std::atomic<int64_t> logged_in{0};
  std::atomic<int64_t> groups_done{0};  // groups this worker owns that are set up (or failed)
  std::atomic<int64_t> sent{0};
  std::atomic<int64_t> answered{0};  // message responses, any code
  std::atomic<int64_t> pushes_expected{0};
  std::atomic<int64_t> pushes_received{0};
  std::atomic<int64_t> disconnected{0};
  // Failover: sessions the server dropped (not counted as disconnected), and those of them logged
  // in again on the failover port.
  std::atomic<int64_t> dropped{0};
  std::atomic<int64_t> relogged_in{0};
};

constexpr int kMaxWorkerProcesses = 64;

struct SharedHeader {
  std::atomic<int32_t> phase{static_cast<int32_t>(Phase::kLogin)};
  WorkerProgress workers[kMaxWorkerProcesses];
};

// The mapping: header, one online flag per session, one "is a member of its group" flag per
// session (a server may refuse some members, e.g. over a group size limit), then one id per
// group (0 = not yet created, -1 = creation failed).
class SharedState {
 public:
  static size_t bytesFor(int sessions, int groups) {
    return sizeof(SharedHeader) + 2 * align(sizeof(std::atomic<uint8_t>) * sessions) +
           sizeof(std::atomic<int64_t>) * static_cast<size_t>(groups);
  }

  // `memory` is zero-filled shared memory of bytesFor(sessions, groups) bytes.
  SharedState(void* memory, int sessions, int groups)
      : header_(new (memory) SharedHeader()),
        online_(reinterpret_cast<std::atomic<uint8_t>*>(static_cast<char*>(memory) +
                                                        sizeof(SharedHeader))),
        member_(reinterpret_cast<std::atomic<uint8_t>*>(
            static_cast<char*>(memory) + sizeof(SharedHeader) +
            align(sizeof(std::atomic<uint8_t>) * sessions))),
        group_ids_(reinterpret_cast<std::atomic<int64_t>*>(
            static_cast<char*>(memory) + sizeof(SharedHeader) +
            2 * align(sizeof(std::atomic<uint8_t>) * sessions))),
        sessions_(sessions),
        groups_(groups) {}

  Phase phase() const { return static_cast<Phase>(header_->phase.load(std::memory_order_acquire)); }
  void setPhase(Phase phase) {
    header_->phase.store(static_cast<int32_t>(phase), std::memory_order_release);
  }
  WorkerProgress& worker(int index) { return header_->workers[index]; }
  bool online(int session) const { return online_[session].load(std::memory_order_relaxed) != 0; }
  void setOnline(int session, bool value) {
    online_[session].store(value ? 1 : 0, std::memory_order_relaxed);
  }
  bool member(int session) const { return member_[session].load(std::memory_order_acquire) != 0; }
  void setMember(int session) { member_[session].store(1, std::memory_order_release); }
  int64_t groupId(int group) const { return group_ids_[group].load(std::memory_order_acquire); }
  void setGroupId(int group, int64_t id) { group_ids_[group].store(id, std::memory_order_release); }
  int sessions() const { return sessions_; }
  int groups() const { return groups_; }

 private:
  static size_t align(size_t bytes) { return (bytes + 63) / 64 * 64; }

  SharedHeader* header_;
  std::atomic<uint8_t>* online_;
  std::atomic<uint8_t>* member_;
  std::atomic<int64_t>* group_ids_;
  int sessions_;
  int groups_;
};

}  // namespace parley::bench
