#include "chaos/traffic.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace parley::chaos {
namespace {

namespace pb = im::turms::proto;
using namespace std::chrono_literals;

constexpr auto kLoginTimeout = 5s;
constexpr auto kReconnectPause = 500ms;
constexpr auto kLifecycleTick = 50ms;
constexpr auto kPumpTick = 20ms;
// One request in flight each: enough that a few slow answers (a store coming back) do not stall
// the rate.
constexpr size_t kMaxSenders = 8;

// Sleeps until `until` in short steps, returning early (false) once `keep_going` turns false.
bool sleepUntil(TimePoint until, const std::atomic<bool>& keep_going) {
  while (keep_going.load()) {
    const auto now = Clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(until - now, 50ms));
  }
  return false;
}

}  // namespace

Traffic::Traffic(const Options& options, Ledger& ledger, const NodeDirectory& nodes)
    : options_(options), ledger_(ledger), nodes_(nodes), lifecycle_random_(options.seed) {
  const size_t count = static_cast<size_t>(options.users);
  const size_t node_count = nodes.size();
  for (size_t i = 0; i < count; ++i) {
    const int64_t user = kFirstUser + static_cast<int64_t>(i);
    users_.push_back(user);
    const auto transport = i % 2 == 0 ? client::Transport::kTcp : client::Transport::kWebSocket;
    const auto other = i % 2 == 0 ? client::Transport::kWebSocket : client::Transport::kTcp;
    devices_.push_back(std::make_unique<DeviceSession>(ledger, nodes, user, pb::DESKTOP,
                                                       DeviceRole::kSender, transport));
    first_devices_.push_back(devices_.back().get());
    if (i % 3 == 0 && node_count > 1) {
      devices_.push_back(std::make_unique<DeviceSession>(ledger, nodes, user, pb::ANDROID,
                                                         DeviceRole::kSecondDevice, other));
    }
    if (i % 4 == 1) {
      devices_.push_back(
          std::make_unique<DeviceSession>(ledger, nodes, user, pb::IOS, DeviceRole::kChurn, other));
    }
  }
}

Traffic::~Traffic() {
  stopping_ = true;
  sending_ = false;
  for (auto& sender : senders_) sender.join();
  if (pump_.joinable()) pump_.join();
  if (lifecycle_.joinable()) lifecycle_.join();
  for (auto& device : devices_) device->close();
}

void Traffic::setUp() {
  const size_t node_count = nodes_.size();
  for (size_t d = 0; d < devices_.size(); ++d) {
    DeviceSession& device = *devices_[d];
    const size_t user_index = static_cast<size_t>(device.user() - kFirstUser);
    size_t node = user_index % node_count;
    if (device.role() == DeviceRole::kSecondDevice) node = (user_index + 1) % node_count;
    if (device.role() == DeviceRole::kChurn) node = (user_index + 2) % node_count;
    std::string failure;
    if (!device.connect(node, kLoginTimeout, &failure)) {
      throw std::runtime_error("user " + std::to_string(device.user()) +
                               " cannot log in: " + failure);
    }
  }
  pump_ = std::thread([this] { pumpLoop(); });
  lifecycle_ = std::thread([this] { lifecycleLoop(); });

  // Two overlapping groups: the first two thirds of the users, and the last two thirds.
  const size_t count = users_.size();
  const std::vector<std::pair<size_t, size_t>> ranges = {{0, count * 2 / 3}, {count / 3, count}};
  for (const auto& [begin, end] : ranges) {
    ChaosGroup group;
    group.owner = users_[begin];
    group.members.assign(users_.begin() + static_cast<std::ptrdiff_t>(begin),
                         users_.begin() + static_cast<std::ptrdiff_t>(end));
    pb::TurmsRequest create;
    create.mutable_create_group_request()->set_name("chaos group");
    // The demo type "test": the owner adds the members directly (DEFAULT would invite them).
    // The nodes seed the demo data, and ParleyProcess lets users create groups of that type.
    create.mutable_create_group_request()->set_type_id(1);
    auto created = firstDevice(group.owner).request(create, 10s);
    if (!created || created->code() != 1000) {
      throw std::runtime_error("creating a group failed: " +
                               (created ? std::to_string(created->code()) : "no answer"));
    }
    group.id = created->data().long_();
    pb::TurmsRequest add;
    add.mutable_create_group_members_request()->set_group_id(group.id);
    for (const int64_t member : group.members) {
      if (member != group.owner) add.mutable_create_group_members_request()->add_user_ids(member);
    }
    auto added = firstDevice(group.owner).request(add, 10s);
    if (!added || added->code() != 1000) {
      throw std::runtime_error("adding group members failed: " +
                               (added ? std::to_string(added->code()) : "no answer"));
    }
    groups_.push_back(std::move(group));
  }
}

std::vector<int64_t> Traffic::partnersOf(int64_t user) const {
  const size_t count = users_.size();
  const size_t index = static_cast<size_t>(user - kFirstUser);
  std::vector<int64_t> partners;
  for (const size_t step : {size_t{1}, size_t{5}}) {
    const int64_t partner = users_[(index + step) % count];
    if (partner != user && std::find(partners.begin(), partners.end(), partner) == partners.end()) {
      partners.push_back(partner);
    }
  }
  return partners;
}

DeviceSession& Traffic::firstDevice(int64_t user) {
  return *first_devices_.at(static_cast<size_t>(user - kFirstUser));
}

std::vector<DeviceSession*> Traffic::devices() {
  std::vector<DeviceSession*> all;
  for (auto& device : devices_) all.push_back(device.get());
  return all;
}

void Traffic::startTrial(int trial) {
  churning_ = true;
  sending_ = true;
  const size_t workers = std::min(kMaxSenders, users_.size());
  for (size_t w = 0; w < workers; ++w) {
    senders_.emplace_back([this, w, trial] { sendLoop(w, trial); });
  }
}

void Traffic::stopChurn() { churning_ = false; }

void Traffic::stopSending() {
  sending_ = false;
  for (auto& sender : senders_) sender.join();
  senders_.clear();
}

bool Traffic::awaitConnected(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    const bool all = std::all_of(devices_.begin(), devices_.end(), [](const auto& device) {
      return device->role() == DeviceRole::kChurn || device->isOpen();
    });
    if (all) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

void Traffic::sendLoop(size_t worker, int trial) {
  const size_t workers = std::min(kMaxSenders, users_.size());
  std::mt19937_64 random(options_.seed * 1'000'003 + static_cast<uint64_t>(trial) * 101 + worker);
  std::vector<int64_t> owned;
  for (size_t i = worker; i < users_.size(); i += workers) owned.push_back(users_[i]);
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(static_cast<double>(workers) / options_.messages_per_second));
  const auto timeout = std::chrono::milliseconds(options_.request_timeout_millis);
  std::uniform_real_distribution<double> unit(0, 1);
  size_t turn = 0;
  auto next = Clock::now();
  while (sending_.load()) {
    next += interval;
    if (!sleepUntil(next, sending_)) break;
    // A sender that waited long for an answer does not make up for it in a burst.
    if (Clock::now() - next > 1s) next = Clock::now();
    DeviceSession* sender = nullptr;
    for (size_t k = 0; k < owned.size() && sender == nullptr; ++k) {
      DeviceSession& candidate = firstDevice(owned[turn++ % owned.size()]);
      if (candidate.isOpen()) sender = &candidate;
    }
    if (sender == nullptr) continue;
    std::vector<const ChaosGroup*> joined;
    for (const ChaosGroup& group : groups_) {
      if (std::find(group.members.begin(), group.members.end(), sender->user()) !=
          group.members.end()) {
        joined.push_back(&group);
      }
    }
    const bool to_group = !joined.empty() && unit(random) < options_.group_share;
    int64_t target = 0;
    if (to_group) {
      target = joined[random() % joined.size()]->id;
    } else {
      const auto partners = partnersOf(sender->user());
      target = partners[random() % partners.size()];
    }
    const std::string text =
        "chaos " + std::to_string(trial) + "/" + std::to_string(++message_counter_);
    sender->sendMessage(trial, to_group, target, text, timeout);
  }
}

void Traffic::pumpLoop() {
  const auto heartbeat_every = std::chrono::milliseconds(options_.session_ttl_seconds * 1000 / 5);
  while (!stopping_.load()) {
    for (auto& device : devices_) device->pump(heartbeat_every);
    std::this_thread::sleep_for(kPumpTick);
  }
}

int Traffic::nodeFor(const DeviceSession& device) {
  const std::vector<size_t> up = nodes_.upNodes();
  if (up.empty()) return -1;
  const int last = device.lastNode();
  if (last >= 0 && nodes_.isUp(static_cast<size_t>(last)) &&
      device.lastCloseCause() != CloseCause::kNodeDown) {
    return last;
  }
  for (const size_t node : up) {
    if (static_cast<int>(node) > last) return static_cast<int>(node);
  }
  return static_cast<int>(up.front());
}

void Traffic::lifecycleLoop() {
  std::vector<TimePoint> next_action(devices_.size(), Clock::now());
  std::uniform_int_distribution<int> churn_pause_ms(1000, 3000);
  while (!stopping_.load()) {
    for (size_t d = 0; d < devices_.size() && !stopping_.load(); ++d) {
      DeviceSession& device = *devices_[d];
      const auto now = Clock::now();
      if (now < next_action[d]) continue;
      std::string failure;
      if (device.role() != DeviceRole::kChurn) {
        if (device.isOpen()) continue;
        const int node = nodeFor(device);
        if (node >= 0 && device.connect(static_cast<size_t>(node), kLoginTimeout, &failure)) {
          continue;
        }
        if (options_.verbose) {
          std::cerr << "parley-chaos: user " << device.user() << " cannot reconnect: " << failure
                    << '\n';
        }
        next_action[d] = Clock::now() + kReconnectPause;
        continue;
      }
      if (!churning_.load()) continue;
      if (device.isOpen()) {
        device.close();
      } else {
        const std::vector<size_t> up = nodes_.upNodes();
        if (!up.empty()) {
          device.connect(up[lifecycle_random_() % up.size()], kLoginTimeout, &failure);
        }
      }
      next_action[d] = Clock::now() + std::chrono::milliseconds(churn_pause_ms(lifecycle_random_));
    }
    std::this_thread::sleep_for(kLifecycleTick);
  }
}

}  // namespace parley::chaos
