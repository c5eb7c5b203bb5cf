#include "net/io_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/thread_name.h"

namespace parley::net {
namespace {

// A gate the test opens; tasks wait at it.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// An operator looking at a busy process sees which pool each thread belongs to.
TEST(IoPoolTest, ThreadsAreNamedAfterTheirPool) {
  IoPool pool(2, 1);
  pool.start();
  std::promise<std::string> io_1;
  boost::asio::post(pool.context(1), [&] { io_1.set_value(thisThreadName()); });
  std::promise<std::string> blocking;
  pool.postBlocking([&] { blocking.set_value(thisThreadName()); });
  std::promise<std::string> compute;
  pool.postCompute([&] { compute.set_value(thisThreadName()); });
  EXPECT_EQ(io_1.get_future().get(), "io-1");
  EXPECT_EQ(blocking.get_future().get(), "blocking");
  EXPECT_EQ(compute.get_future().get(), "compute");
  pool.stop();
}

// Compute threads are as many as io threads: enough to keep every core busy, and no more.
TEST(IoPoolTest, ComputeThreadsAreAsManyAsIoThreads) {
  IoPool pool(2, 8);
  pool.start();
  std::mutex mutex;
  std::set<std::thread::id> threads;
  auto note = [&] {
    std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
  };
  // Two tasks that wait for each other need two threads at once; a hundred more find no third.
  std::atomic<int> started{0};
  std::atomic<int> met{0};
  for (int i = 0; i < 2; ++i) {
    pool.postCompute([&] {
      note();
      started.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
      if (started.load() == 2) met.fetch_add(1);
    });
  }
  for (int i = 0; i < 100; ++i) pool.postCompute(note);
  ASSERT_TRUE(pool.waitBlockingIdle(std::chrono::seconds(60)));
  EXPECT_EQ(met.load(), 2) << "the two tasks never ran at the same time";
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u) << "ran on the caller";
  pool.stop();
}

// Shutdown waits for compute tasks as it does for blocking ones: their answers need the io
// threads, which stop next.
TEST(IoPoolTest, WaitingForIdleCoversComputeAndBlockingTasks) {
  IoPool pool(1, 2);
  pool.start();
  Gate compute_gate;
  Gate blocking_gate;
  std::atomic<int> done{0};
  pool.postCompute([&] {
    compute_gate.wait();
    done.fetch_add(1);
  });
  pool.postBlocking([&] {
    blocking_gate.wait();
    done.fetch_add(1);
  });
  EXPECT_FALSE(pool.waitBlockingIdle(std::chrono::milliseconds(1)));
  blocking_gate.open();
  EXPECT_FALSE(pool.waitBlockingIdle(std::chrono::milliseconds(1))) << "compute task still runs";
  compute_gate.open();
  ASSERT_TRUE(pool.waitBlockingIdle(std::chrono::seconds(30)));
  EXPECT_EQ(done.load(), 2);
  pool.stop();
}

}  // namespace
}  // namespace parley::net
