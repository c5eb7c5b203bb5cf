#pragma once
// Asynchronous Redis calls issued together and awaited together, so that n calls (to one server
// or to several) cost one round trip rather than n. For blocking callers (maintenance threads,
// the blocking pool), never an io thread of the deployment.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "redis/redis_client.h"
#include "redis/resp.h"

namespace parley::redis {

// The failure of a reply: a failed call or a Redis error reply (script errors included).
inline std::optional<std::string> failureOf(const Result<RespValue>& reply) {
  if (!reply.ok()) return reply.status().reason;
  if (reply->isError()) return reply->str;
  return std::nullopt;
}

class AsyncBatch {
 public:
  explicit AsyncBatch(size_t count) : state_(std::make_shared<State>()) {
    state_->replies.resize(count);
    state_->remaining = count;
  }

  // The callback of the index-th call.
  RedisClient::Callback callback(size_t index) {
    return [state = state_, index](Result<RespValue> reply) {
      std::lock_guard lock(state->mutex);
      state->replies[index] = std::move(reply);
      if (--state->remaining == 0) state->done.notify_all();
    };
  }

  // The replies in issue order; a reply that never came is a kServerUnavailable failure.
  std::vector<Result<RespValue>> wait() {
    std::unique_lock lock(state_->mutex);
    state_->done.wait_for(lock, kWaitLimit, [&] { return state_->remaining == 0; });
    std::vector<Result<RespValue>> replies;
    replies.reserve(state_->replies.size());
    for (auto& reply : state_->replies) {
      replies.push_back(reply ? std::move(*reply)
                              : Result<RespValue>(error(StatusCode::kServerUnavailable,
                                                        "no reply from redis in time")));
    }
    return replies;
  }

 private:
  // Every callback of a deployment comes back (each command has a timeout); this only bounds the
  // wait should that promise ever be broken.
  static constexpr std::chrono::seconds kWaitLimit{60};

  // Shared with the callbacks, which may run after a timed-out wait() has returned.
  struct State {
    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::optional<Result<RespValue>>> replies;
    size_t remaining = 0;
  };
  std::shared_ptr<State> state_;
};

}  // namespace parley::redis
