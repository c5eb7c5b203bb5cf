#pragma once
// The node's threads: one io_context per io thread (connections are pinned to one), a pool for
// work that waits (network storage and Redis calls, writes waiting for their commit) so io threads
// never block, and compute threads for work that only takes CPU (password checks).
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

  // Runs fn on the blocking pool: many threads, so that calls waiting on a network or a commit do
  // not hold up each other.
  void postBlocking(std::function<void()> fn);
  // Runs fn on the compute threads, one per io thread: for work that never waits but takes CPU
  // (the embedded node's password checks). More threads would only cost more: a post to one of
  // 128 mostly idle blocking threads wakes one each time (a futex wake and a context switch, a
  // tenth of the embedded login rate: bench/RESULTS.md).
  void postCompute(std::function<void()> fn);
  // Waits until no blocking or compute task is queued or running, up to timeout; false on
  // timeout. For shutdown: blocking tasks (unregistering closed sessions from Redis, say) need the
  // io threads for their replies, so they must finish before stop().
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
