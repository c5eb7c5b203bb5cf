// Blocked clients at the gateway: closing them when they are blocked, and automatic blocking of
// clients that keep sending corrupted frames, corrupted requests or requests over a throttle
// (upstream: BlocklistService's auto-block managers).
#include <spdlog/spdlog.h>

#include <charconv>

#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/gateway_impl.h"
#include "online/blocklist.h"

namespace parley {

std::string_view Gateway::Impl::offenceName(Offence offence) {
  switch (offence) {
    case Offence::kCorruptedFrame:
      return "corrupted_frame";
    case Offence::kCorruptedRequest:
      return "corrupted_request";
    case Offence::kFrequentRequest:
      return "frequent_request";
  }
  return "other";
}

void Gateway::Impl::offend(const net::ConnectionPtr& connection, Offence offence) {
  if (!auto_blockers) return;
  const int64_t now = deps.clock.nowMillis();
  const auto kind = static_cast<size_t>(offence);
  const std::string_view ip = ipOfAddress(connection->remoteAddress());
  if (auto block_millis = auto_blockers->ip[kind].offend(ip, now)) {
    blockLater(BlockTarget::kIp, std::string(ip), *block_millis, offence);
  }
  // The transport may reject a frame before the gateway has any state for the connection.
  const auto* state = static_cast<const ConnectionState*>(connection->handlerState().get());
  if (state && state->user_id != 0) {
    if (auto block_millis = auto_blockers->user[kind].offend(state->user_id, now)) {
      blockLater(BlockTarget::kUser, std::to_string(state->user_id), *block_millis, offence);
    }
  }
}

void Gateway::Impl::blockLater(BlockTarget target, std::string id, int64_t block_millis,
                               Offence offence) {
  deps.metrics.autoBlocked(offenceName(offence));
  // The blocklist may be Redis: off the io thread.
  deps.pool.postBlocking([this, target, id = std::move(id), block_millis, offence] {
    const int64_t until = deps.clock.nowMillis() + block_millis;
    if (auto blocked = deps.blocklist->block(target, std::span(&id, 1), until); !blocked) {
      spdlog::warn("auto-block of {} {} failed: {}", blockTargetName(target), id,
                   blocked.status().reason);
      return;
    }
    spdlog::warn("auto-blocked {} {} for {} s: repeated {}", blockTargetName(target), id,
                 block_millis / 1000, offenceName(offence));
  });
}

void Gateway::Impl::closeBlocked(const net::ConnectionPtr& connection, const std::string& reason) {
  closeWith(connection, notifications::toInt(notifications::CloseStatus::kUserIsBlocked),
            std::nullopt, reason);
}

void Gateway::closeBlockedClient(BlockTarget target, const std::string& id) {
  if (target == BlockTarget::kUser) {
    int64_t user_id = 0;
    if (std::from_chars(id.data(), id.data() + id.size(), user_id).ec != std::errc()) return;
    closeUserSessions(user_id, {}, notifications::toInt(notifications::CloseStatus::kUserIsBlocked),
                      StatusCode::kOk, "The user is blocked");
    return;
  }
  std::vector<net::ConnectionPtr> from_ip;
  {
    std::lock_guard lock(impl_->connections_mutex);
    for (const auto& [connection_id, weak] : impl_->connections) {
      auto connection = weak.lock();
      if (connection && ipOfAddress(connection->remoteAddress()) == id) {
        from_ip.push_back(std::move(connection));
      }
    }
  }
  for (const auto& connection : from_ip) impl_->closeBlocked(connection, "This address is blocked");
}

}  // namespace parley
