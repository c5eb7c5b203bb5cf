#include "testing/io_threads.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

namespace parley::testing {

namespace asio = boost::asio;

struct IoThreads::Threads {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  // Keep run() going while a context has nothing to do yet.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<asio::io_context*> pointers;
  std::vector<std::thread> threads;
};

IoThreads::IoThreads(size_t count) : threads_(std::make_unique<Threads>()) {
  for (size_t i = 0; i < count; ++i) {
    threads_->contexts.push_back(std::make_unique<asio::io_context>());
    threads_->guards.emplace_back(asio::make_work_guard(*threads_->contexts.back()));
    threads_->pointers.push_back(threads_->contexts.back().get());
  }
  for (auto* context : threads_->pointers) {
    threads_->threads.emplace_back([context] { context->run(); });
  }
}

IoThreads::~IoThreads() {
  threads_->guards.clear();
  for (auto* context : threads_->pointers) context->stop();
  for (auto& thread : threads_->threads) thread.join();
}

std::span<asio::io_context* const> IoThreads::contexts() const { return threads_->pointers; }

asio::io_context& IoThreads::context(size_t index) const { return *threads_->pointers.at(index); }

}  // namespace parley::testing
