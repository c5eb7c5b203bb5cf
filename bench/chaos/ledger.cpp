#include "chaos/ledger.h"

namespace parley::chaos {

int64_t Ledger::openEpoch(int64_t user, int device, size_t node, const std::string& node_id,
                          TimePoint logged_in) {
  std::lock_guard lock(mutex_);
  EpochRecord epoch;
  epoch.id = static_cast<int64_t>(epochs_.size()) + 1;
  epoch.user = user;
  epoch.device = device;
  epoch.node = node;
  epoch.node_id = node_id;
  epoch.logged_in = logged_in;
  last_connected_[{user, device}] = TimePoint::max();
  open_epochs_.push_back(epochs_.size());
  epochs_.push_back(std::move(epoch));
  return epochs_.back().id;
}

void Ledger::closeEpoch(int64_t epoch, TimePoint at, CloseCause cause, const std::string& detail) {
  std::lock_guard lock(mutex_);
  EpochRecord& record = epochs_.at(static_cast<size_t>(epoch - 1));
  if (record.closed) return;
  record.closed = at;
  record.cause = cause;
  record.close_detail = detail;
  record.closed_in_trial = trial_.load();
  const size_t index = static_cast<size_t>(epoch - 1);
  std::erase(open_epochs_, index);
  // Another connection of the same device may be open (a login elsewhere before this close).
  bool still_open = false;
  for (const size_t open : open_epochs_) {
    still_open =
        still_open || (epochs_[open].user == record.user && epochs_[open].device == record.device);
  }
  if (!still_open) last_connected_[{record.user, record.device}] = at;
}

void Ledger::recordSend(SendRecord send) {
  std::lock_guard lock(mutex_);
  send_index_[send.request_id] = sends_.size();
  sends_.push_back(std::move(send));
}

void Ledger::recordAnswer(int64_t request_id, int code, int64_t message_id, TimePoint at,
                          bool late) {
  std::lock_guard lock(mutex_);
  const auto found = send_index_.find(request_id);
  if (found == send_index_.end()) return;
  SendRecord& send = sends_[found->second];
  if (send.answered) return;
  send.answered = at;
  send.code = code;
  send.message_id = message_id;
  send.answered_late = late;
}

void Ledger::recordPush(int64_t epoch, int64_t message_id, int64_t sequence_id, TimePoint at) {
  std::lock_guard lock(mutex_);
  pushes_[message_id].push_back(PushRecord{epoch, sequence_id, at});
}

std::vector<EpochRecord> Ledger::epochs() const {
  std::lock_guard lock(mutex_);
  return epochs_;
}

std::vector<EpochRecord> Ledger::epochsSince(TimePoint since) const {
  std::lock_guard lock(mutex_);
  std::vector<EpochRecord> recent;
  for (const EpochRecord& epoch : epochs_) {
    if (!epoch.closed || *epoch.closed >= since) recent.push_back(epoch);
  }
  return recent;
}

std::map<std::pair<int64_t, int>, TimePoint> Ledger::lastConnected() const {
  std::lock_guard lock(mutex_);
  return last_connected_;
}

std::vector<SendRecord> Ledger::sendsOfTrial(int trial) const {
  std::lock_guard lock(mutex_);
  std::vector<SendRecord> sends;
  for (const SendRecord& send : sends_) {
    if (send.trial == trial) sends.push_back(send);
  }
  return sends;
}

std::unordered_map<int64_t, std::vector<PushRecord>> Ledger::pushesOf(
    const std::vector<int64_t>& message_ids) const {
  std::lock_guard lock(mutex_);
  std::unordered_map<int64_t, std::vector<PushRecord>> pushes;
  for (const int64_t id : message_ids) {
    if (const auto found = pushes_.find(id); found != pushes_.end()) pushes[id] = found->second;
  }
  return pushes;
}

}  // namespace parley::chaos
