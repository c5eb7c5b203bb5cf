#pragma once
// Everything the clients saw, as it happened: every login of every device (an "epoch", from the
// login's answer to the connection's end), every message sent with its answer, every push
// received. The checks judge a trial from this record only, never from what the clients meant to
// do. Thread-safe: the client threads write, the main thread reads snapshots.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::chaos {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class CloseCause {
  kOpen,       // still connected
  kByHarness,  // the client closed it (churn, end of the run)
  kNodeDown,   // its node was killed or stopped
  kDropped,    // anything else: the server closed it or the connection broke
};

struct EpochRecord {
  int64_t id = 0;
  int64_t user = 0;
  int device = 0;  // im.turms.proto.DeviceType
  size_t node = 0;
  std::string node_id;
  TimePoint logged_in;
  std::optional<TimePoint> closed;
  CloseCause cause = CloseCause::kOpen;
  std::string close_detail;  // the close signal or socket error seen
  int closed_in_trial = 0;
};

struct SendRecord {
  int64_t request_id = 0;
  int trial = 0;
  int64_t sender = 0;
  int64_t sender_epoch = 0;
  bool group = false;
  int64_t target = 0;  // the recipient, or the group
  std::string text;    // unique in the run: finds a message stored without an acknowledgement
  TimePoint sent;
  std::optional<TimePoint> answered;
  int code = 0;  // the answer's status code; 0 while none came
  int64_t message_id = 0;
  bool answered_late = false;  // after the sender had stopped waiting
  bool acknowledged() const { return code == 1000 && message_id != 0; }
};

struct PushRecord {
  int64_t epoch = 0;
  int64_t sequence_id = -1;  // the push's first custom attribute; -1 when missing
  TimePoint at;
};

class Ledger {
 public:
  // The trial that epochs closing from now on count against (0: between trials).
  void setTrial(int trial) { trial_.store(trial); }
  int trial() const { return trial_.load(); }

  int64_t openEpoch(int64_t user, int device, size_t node, const std::string& node_id,
                    TimePoint logged_in);
  void closeEpoch(int64_t epoch, TimePoint at, CloseCause cause, const std::string& detail);

  // Before the request goes out, so that an answer always finds it.
  void recordSend(SendRecord send);
  // A response to a message send, in time or late. Unknown request ids are ignored.
  void recordAnswer(int64_t request_id, int code, int64_t message_id, TimePoint at, bool late);
  void recordPush(int64_t epoch, int64_t message_id, int64_t sequence_id, TimePoint at);

  std::vector<EpochRecord> epochs() const;
  // Only the epochs still open, or closed at or after `since`: what a check of recent events
  // needs, without copying a long run's history.
  std::vector<EpochRecord> epochsSince(TimePoint since) const;
  // When each (user, device) last had its connection closed, if it ever had one; the open ones
  // are TimePoint::max().
  std::map<std::pair<int64_t, int>, TimePoint> lastConnected() const;
  std::vector<SendRecord> sendsOfTrial(int trial) const;
  // Every push of each message id (missing ids: none received).
  std::unordered_map<int64_t, std::vector<PushRecord>> pushesOf(
      const std::vector<int64_t>& message_ids) const;

 private:
  std::atomic<int> trial_{0};
  mutable std::mutex mutex_;
  std::vector<EpochRecord> epochs_;  // index = id - 1
  std::vector<size_t> open_epochs_;  // indexes into epochs_
  std::map<std::pair<int64_t, int>, TimePoint> last_connected_;
  std::vector<SendRecord> sends_;
  std::unordered_map<int64_t, size_t> send_index_;  // request id → sends_ index
  std::unordered_map<int64_t, std::vector<PushRecord>> pushes_;
};

}  // namespace parley::chaos
