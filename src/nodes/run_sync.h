#pragma once
// Private to src/nodes (includes Asio): runs a shutdown step on an executor and waits for it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <utility>

namespace parley::nodes::detail {

// Runs fn inline when the caller is already on the executor, or when nothing runs io any more
// (then no other thread can touch the state); otherwise posts it and waits. The wait is bounded
// so that an io_context nobody runs (but that was never stopped) cannot hang shutdown.
template <typename Executor, typename Fn>
void runSync(boost::asio::io_context& io, const Executor& executor, Fn fn) {
  if (executor.running_in_this_thread() || io.get_executor().running_in_this_thread() ||
      io.stopped()) {
    fn();
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  boost::asio::post(executor, [fn = std::move(fn), done]() mutable {
    fn();
    done->set_value();
  });
  finished.wait_for(std::chrono::seconds(5));
}

}  // namespace parley::nodes::detail
