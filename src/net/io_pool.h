#pragma once
// The node's threads: one io_context per io thread (connections are pinned to one), plus a small
// pool for blocking work (password hashing, storage calls) so io threads never block.
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace parley::net {

class IoPool {
 public:
  IoPool(int io_threads, int blocking_threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  size_t size() const;
  boost::asio::io_context& context(size_t index);
  // Round-robin choice for a new connection.
  boost::asio::io_context& nextContext();

  // Runs fn on the blocking pool.
  void postBlocking(std::function<void()> fn);
  // Waits until no blocking task is queued or running, up to timeout; false on timeout. For
  // shutdown: blocking tasks (unregistering closed sessions from Redis, say) need the io threads
  // for their replies, so they must finish before stop().
  bool waitBlockingIdle(std::chrono::milliseconds timeout);
  // Runs fn every interval on io thread 0 until stop().
  void every(std::chrono::milliseconds interval, std::function<void()> fn);

  // Starts the io threads (returns immediately).
  void start();
  // Stops the io contexts and joins every thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::net
