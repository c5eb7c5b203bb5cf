#include "chaos/device_session.h"

#include <atomic>

namespace parley::chaos {
namespace {

namespace pb = im::turms::proto;
using client::Frame;
using namespace std::chrono_literals;

// Our own request ids stay clear of the ones TurmsClient::request() numbers from 1 (login).
std::atomic<int64_t> next_request_id{int64_t{1} << 40};

// TurmsClient reads the socket only inside its calls, and a zero timeout reads nothing: the
// pump waits this long for what already arrived.
constexpr auto kPumpReadWait = 2ms;

bool isMessagePush(const Frame& frame) {
  return frame.kind == Frame::Kind::kNotification && frame.notification.has_relayed_request() &&
         frame.notification.relayed_request().has_create_message_request();
}

}  // namespace

DeviceSession::DeviceSession(Ledger& ledger, const NodeDirectory& nodes, int64_t user, int device,
                             DeviceRole role, client::Transport transport)
    : ledger_(ledger),
      nodes_(nodes),
      user_(user),
      device_(device),
      role_(role),
      transport_(transport) {}

DeviceSession::~DeviceSession() { close(); }

bool DeviceSession::connect(size_t node, std::chrono::milliseconds timeout, std::string* failure) {
  std::lock_guard lock(mutex_);
  if (open_) return true;
  client_.reset();
  const NodeEndpoint endpoint = nodes_.get(node);
  if (!endpoint.up) {
    *failure = endpoint.node_id + " is down";
    return false;
  }
  try {
    const uint16_t port =
        transport_ == client::Transport::kWebSocket ? endpoint.ws_port : endpoint.tcp_port;
    auto client = client::TurmsClient::connect(transport_, "127.0.0.1", port, timeout);
    const pb::TurmsNotification answer = client->login(user_, "123", device_, timeout);
    if (answer.code() != 1000) {
      *failure = "login answered " + std::to_string(answer.code()) + " " + answer.reason();
      return false;
    }
    client_ = std::move(client);
  } catch (const std::exception& e) {
    *failure = e.what();
    return false;
  }
  epoch_ = ledger_.openEpoch(user_, device_, node, endpoint.node_id, Clock::now());
  closing_by_harness_ = false;
  close_signal_.clear();
  last_write_ = Clock::now();
  last_node_ = static_cast<int>(node);
  last_cause_ = CloseCause::kOpen;
  open_ = true;
  return true;
}

void DeviceSession::close() {
  std::lock_guard lock(mutex_);
  if (!open_) return;
  closing_by_harness_ = true;
  try {
    client_->close();
  } catch (const std::exception&) {
    // Closed either way.
  }
  markClosed("closed by the client");
}

bool DeviceSession::sendMessage(int trial, bool group, int64_t target, const std::string& text,
                                std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  if (!open_) return false;
  const int64_t request_id = next_request_id++;
  SendRecord send;
  send.request_id = request_id;
  send.trial = trial;
  send.sender = user_;
  send.sender_epoch = epoch_;
  send.group = group;
  send.target = target;
  send.text = text;
  send.sent = Clock::now();
  ledger_.recordSend(send);

  pb::TurmsRequest request;
  request.set_request_id(request_id);
  auto* create = request.mutable_create_message_request();
  if (group) {
    create->set_group_id(target);
  } else {
    create->set_recipient_id(target);
  }
  create->set_text(text);
  write(request);
  if (!open_) return true;
  awaited_request_ = request_id;
  const auto response = awaitResponse(request_id, send.sent + timeout);
  awaited_request_ = 0;
  if (response) {
    ledger_.recordAnswer(request_id, response->code(),
                         response->has_data() ? response->data().long_() : 0, Clock::now(),
                         /*late=*/false);
  }
  return true;
}

std::optional<pb::TurmsNotification> DeviceSession::request(pb::TurmsRequest request,
                                                            std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  if (!open_) return std::nullopt;
  const int64_t request_id = next_request_id++;
  request.set_request_id(request_id);
  const auto deadline = Clock::now() + timeout;
  write(request);
  if (!open_) return std::nullopt;
  return awaitResponse(request_id, deadline);
}

void DeviceSession::pump(std::chrono::milliseconds heartbeat_every) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || !open_) return;
  // Bounded: a flood of pushes must not hold the pump on one session.
  for (int i = 0; i < 1000 && open_; ++i) {
    std::optional<Frame> frame;
    try {
      frame = client_->receive(kPumpReadWait);
    } catch (const std::exception& e) {
      markClosed(std::string("bad frame: ") + e.what());
      return;
    }
    if (!frame) break;
    record(*frame);
  }
  if (open_ && Clock::now() - last_write_ >= heartbeat_every) {
    try {
      client_->sendHeartbeat();
      last_write_ = Clock::now();
    } catch (const std::exception& e) {
      markClosed(std::string("heartbeat failed: ") + e.what());
    }
  }
}

void DeviceSession::write(const pb::TurmsRequest& request) {
  try {
    client_->send(request);
    last_write_ = Clock::now();
  } catch (const std::exception& e) {
    markClosed(std::string("write failed: ") + e.what());
  }
}

std::optional<pb::TurmsNotification> DeviceSession::awaitResponse(int64_t request_id,
                                                                  TimePoint deadline) {
  while (open_) {
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    std::optional<Frame> frame;
    try {
      frame = client_->receive(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + 1ms);
    } catch (const std::exception& e) {
      markClosed(std::string("bad frame: ") + e.what());
      return std::nullopt;
    }
    if (!frame) continue;
    const auto& notification = frame->notification;
    if (frame->kind == Frame::Kind::kNotification && !notification.has_relayed_request() &&
        notification.has_request_id() && notification.request_id() == request_id) {
      return notification;
    }
    record(*frame);
  }
  return std::nullopt;
}

void DeviceSession::record(const Frame& frame) {
  const auto now = Clock::now();
  switch (frame.kind) {
    case Frame::Kind::kClosed:
      markClosed("connection closed");
      return;
    case Frame::Kind::kHeartbeat:
      return;
    case Frame::Kind::kNotification:
      break;
  }
  const pb::TurmsNotification& notification = frame.notification;
  if (isMessagePush(frame)) {
    const int64_t message_id = notification.relayed_request().create_message_request().message_id();
    // The sequence id travels in the push's first custom attribute (README, messaging).
    const int64_t sequence_id = notification.custom_attributes_size() > 0
                                    ? notification.custom_attributes(0).int64_value()
                                    : -1;
    ledger_.recordPush(epoch_, message_id, sequence_id, now);
    return;
  }
  if (notification.has_close_status()) {
    close_signal_ = "; close signal " + std::to_string(notification.close_status());
    if (notification.has_code()) close_signal_ += " code " + std::to_string(notification.code());
    if (notification.has_reason()) close_signal_ += " \"" + notification.reason() + "\"";
    return;
  }
  if (notification.has_request_id() && notification.request_id() != awaited_request_) {
    // The answer to a send that stopped waiting for it.
    ledger_.recordAnswer(notification.request_id(), notification.code(),
                         notification.has_data() ? notification.data().long_() : 0, now,
                         /*late=*/true);
  }
}

void DeviceSession::markClosed(const std::string& detail) {
  if (!open_) return;
  open_ = false;
  CloseCause cause = CloseCause::kDropped;
  if (closing_by_harness_) {
    cause = CloseCause::kByHarness;
  } else if (!nodes_.isUp(static_cast<size_t>(last_node_.load()))) {
    cause = CloseCause::kNodeDown;
  }
  last_cause_ = cause;
  ledger_.closeEpoch(epoch_, Clock::now(), cause, detail + close_signal_);
}

}  // namespace parley::chaos
