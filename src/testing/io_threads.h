#pragma once
// io_contexts that each run on a thread of their own, as a node runs its io threads, for tests and
// benchmarks that drive asynchronous clients from the outside. Asio stays in io_threads.cpp.
#include <cstddef>
#include <memory>
#include <span>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace parley::testing {

class IoThreads {
 public:
  explicit IoThreads(size_t count = 1);
  // Stops every context and joins its thread; what the contexts own must be destroyed before.
  ~IoThreads();
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  std::span<boost::asio::io_context* const> contexts() const;
  boost::asio::io_context& context(size_t index = 0) const;

 private:
  struct Threads;
  std::unique_ptr<Threads> threads_;
};

}  // namespace parley::testing
