#include "net/io_pool.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>

#include "core/thread_name.h"

namespace parley::net {

namespace asio = boost::asio;

struct IoPool::Impl {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::optional<asio::thread_pool> blocking;
  std::optional<asio::thread_pool> compute;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;
  std::atomic<size_t> next{0};
  bool stopped = false;
  // Blocking and compute tasks posted and not finished yet.
  std::atomic<int64_t> tasks_pending{0};
};

IoPool::IoPool(int io_threads, int blocking_threads) : impl_(std::make_unique<Impl>()) {
  if (io_threads <= 0) io_threads = std::max(1u, std::thread::hardware_concurrency());
  if (blocking_threads <= 0) blocking_threads = 2;
  for (int i = 0; i < io_threads; ++i) {
    // Concurrency hint 1: each context is driven by exactly one thread, so Asio can skip locking.
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.push_back(asio::make_work_guard(*impl_->contexts.back()));
  }
  impl_->blocking.emplace(blocking_threads);
  impl_->compute.emplace(io_threads);
}

IoPool::~IoPool() { stop(); }

size_t IoPool::size() const { return impl_->contexts.size(); }

asio::io_context& IoPool::context(size_t index) { return *impl_->contexts.at(index); }

asio::io_context& IoPool::nextContext() {
  return *impl_->contexts[impl_->next.fetch_add(1, std::memory_order_relaxed) %
                          impl_->contexts.size()];
}

namespace {
// Pool threads are Asio's own: each names itself when it runs its first task.
void postCounted(asio::thread_pool& pool, const char* thread_name, std::atomic<int64_t>& pending,
                 std::function<void()> fn) {
  pending.fetch_add(1);
  asio::post(pool, [&pending, thread_name, fn = std::move(fn)] {
    thread_local bool named = false;
    if (!named) {
      nameThisThread(thread_name);
      named = true;
    }
    fn();
    pending.fetch_sub(1);
  });
}
}  // namespace

void IoPool::postBlocking(std::function<void()> fn) {
  postCounted(*impl_->blocking, "blocking", impl_->tasks_pending, std::move(fn));
}

void IoPool::postCompute(std::function<void()> fn) {
  postCounted(*impl_->compute, "compute", impl_->tasks_pending, std::move(fn));
}

bool IoPool::waitBlockingIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->tasks_pending.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

namespace {
void armTimer(std::shared_ptr<asio::steady_timer> timer, std::chrono::milliseconds interval,
              std::shared_ptr<std::function<void()>> fn) {
  timer->expires_after(interval);
  timer->async_wait([timer, interval, fn](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled at stop()
    (*fn)();
    armTimer(timer, interval, fn);
  });
}
}  // namespace

void IoPool::every(std::chrono::milliseconds interval, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(*impl_->contexts[0]);
  impl_->timers.push_back(timer);
  armTimer(timer, interval, std::make_shared<std::function<void()>>(std::move(fn)));
}

void IoPool::start() {
  for (size_t i = 0; i < impl_->contexts.size(); ++i) {
    impl_->threads.emplace_back([ctx = impl_->contexts[i].get(), name = "io-" + std::to_string(i)] {
      nameThisThread(name);
      ctx->run();
    });
  }
}

void IoPool::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (auto& timer : impl_->timers) {
    asio::post(timer->get_executor(), [timer] { timer->cancel(); });
  }
  impl_->guards.clear();
  for (auto& context : impl_->contexts) context->stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  impl_->blocking->join();
  impl_->compute->join();
}

}  // namespace parley::net
