#pragma once
// One device of one user: a Turms client connection that logs in to some node, sends messages
// and queries, and records into the Ledger everything that comes back (answers, pushes, close
// signals, the connection's end). Several threads use it (the sender, the pump that reads and
// heartbeats, the lifecycle thread that reconnects, the checks): each call holds its lock.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "chaos/ledger.h"
#include "chaos/node_directory.h"
#include "client/turms_client.h"

namespace parley::chaos {

enum class DeviceRole {
  kSender,  // the user's first device: sends, always reconnects (to another node if its own died)
  kSecondDevice,  // receives only, always reconnects
  kChurn,         // receives only, logs out and in again during each trial until the fault ended
};

class DeviceSession {
 public:
  DeviceSession(Ledger& ledger, const NodeDirectory& nodes, int64_t user, int device,
                DeviceRole role, client::Transport transport);
  ~DeviceSession();
  DeviceSession(const DeviceSession&) = delete;
  DeviceSession& operator=(const DeviceSession&) = delete;

  int64_t user() const { return user_; }
  int device() const { return device_; }
  DeviceRole role() const { return role_; }
  bool isOpen() const { return open_.load(); }
  // The node of the current or last connection; -1 before the first.
  int lastNode() const { return last_node_.load(); }
  // How the last connection ended (kOpen while open or before the first).
  CloseCause lastCloseCause() const { return last_cause_.load(); }

  // Connects to the node and logs in (password "123"). False, with the reason, when either
  // fails; the session stays closed then.
  bool connect(size_t node, std::chrono::milliseconds timeout, std::string* failure);
  // Logs out by closing the connection (as a client going away).
  void close();

  // Sends a message and waits (at most timeout) for its answer; the Ledger holds the outcome.
  // False when the session is not open.
  bool sendMessage(int trial, bool group, int64_t target, const std::string& text,
                   std::chrono::milliseconds timeout);
  // Any other request; the response, or nullopt when none came in time or the session is closed.
  std::optional<im::turms::proto::TurmsNotification> request(im::turms::proto::TurmsRequest request,
                                                             std::chrono::milliseconds timeout);
  // For the pump thread: reads whatever arrived and heartbeats when nothing was written for
  // heartbeat_every. Skips a session another thread is using.
  void pump(std::chrono::milliseconds heartbeat_every);

 private:
  // All of these run under mutex_.
  void write(const im::turms::proto::TurmsRequest& request);
  // Waits for the response to request_id, recording every other frame; nullopt on timeout or
  // close.
  std::optional<im::turms::proto::TurmsNotification> awaitResponse(int64_t request_id,
                                                                   TimePoint deadline);
  void record(const client::Frame& frame);
  void markClosed(const std::string& detail);

  Ledger& ledger_;
  const NodeDirectory& nodes_;
  const int64_t user_;
  const int device_;
  const DeviceRole role_;
  const client::Transport transport_;

  std::mutex mutex_;
  std::unique_ptr<client::TurmsClient> client_;
  int64_t epoch_ = 0;
  bool closing_by_harness_ = false;
  std::string close_signal_;  // the close signal received, if any, for the close's record
  TimePoint last_write_;
  int64_t awaited_request_ = 0;  // the message send being waited for, if any
  std::atomic<bool> open_{false};
  std::atomic<int> last_node_{-1};
  std::atomic<CloseCause> last_cause_{CloseCause::kOpen};
};

}  // namespace parley::chaos
