#pragma once
// The gateway: turns client frames into sessions and requests. It owns login, heartbeats, idle
// and login timeouts, close signals and delivery of pushes to local sessions. Business requests
// go to the Dispatcher; transport details stay in src/net.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/config.h"
#include "net/connection.h"
#include "online/blocklist_store.h"
#include "service/session_control.h"

namespace parley {

class Blocklist;
class Clock;
class Dispatcher;
class Metrics;
class PasswordHasher;
class SessionRegistry;
class UserLocations;
class UserRepository;
namespace net {
class IoPool;
}

struct GatewayDeps {
  const GatewayConfig& config;
  std::string node_id;
  net::IoPool& pool;
  const Dispatcher& dispatcher;
  UserRepository& users;
  SessionRegistry& sessions;
  const PasswordHasher& hasher;
  Metrics& metrics;
  const Clock& clock;
  // The store and the session registry live in this process (embedded SQLite, no Redis): nothing
  // a login or an asynchronous handler does waits. Logins then run on the compute threads
  // (IoPool::postCompute: Argon2 takes CPU), and asynchronous handlers (CreateMessageRequest:
  // local reads, then a write handed to the store's writer) on the connection's io thread.
  bool local_backends = false;
  // Where logins store the position they carry, and closing sessions remove theirs; null when
  // location.enabled is off (positions are then ignored).
  UserLocations* locations = nullptr;
  // Blocked IPs are refused when they connect and blocked users when they log in; null when
  // blocklist.enabled is off. With auto_block, offences block clients by themselves.
  Blocklist* blocklist = nullptr;
  const BlocklistConfig* blocklist_config = nullptr;
};

class Gateway final : public net::ConnectionHandler, public SessionControl {
 public:
  explicit Gateway(GatewayDeps deps);
  ~Gateway() override;

  // Closes (user, device type) on another node: a login here replaced it. Runs on the blocking
  // pool.
  using CloseOnNode =
      std::function<void(const std::string& node_id, int64_t user_id, int32_t device_type)>;
  // Several nodes: pushes of handled requests go through routing (which reaches sessions on
  // other nodes), and logins that replace a device on another node call close_on_node. Call
  // before start().
  void useCluster(SessionControl& routing, CloseOnNode close_on_node);

  // Starts the once-a-second sweep for idle sessions and login timeouts.
  void start();
  // Sends every connection the SERVER_CLOSED (201) close signal; returns at once.
  void closeAll();
  size_t connectionCount() const;
  size_t sessionCount() const;
  // Closes every session of the user (admin: deleted or deactivated users).
  void disconnectUser(int64_t user_id, int32_t close_status);
  // Closes this node's connections of a client just blocked (Blocklist::onBlocked): the user's
  // sessions, or every connection from the IP, with USER_IS_BLOCKED (701).
  void closeBlockedClient(BlockTarget target, const std::string& id);

  // net::ConnectionHandler
  void onOpen(const net::ConnectionPtr& connection) override;
  void onFrame(const net::ConnectionPtr& connection, std::string_view payload) override;
  void onRejected(const net::ConnectionPtr& connection, std::string_view reason) override;
  void onNotReading(const net::ConnectionPtr& connection, size_t unsent_bytes) override;
  void onClosed(const net::ConnectionPtr& connection) override;

  // SessionControl
  void pushToUsers(std::span<const int64_t> user_ids,
                   std::shared_ptr<const std::string> notification, int64_t except_user_id,
                   int32_t except_device_type) override;
  void closeUserSessions(int64_t user_id, std::span<const int32_t> device_types,
                         int32_t close_status, StatusCode code, const std::string& reason) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley
