#pragma once
// Result<T>: a value or a client-visible status. The data path returns these instead of
// throwing (STYLE.md rule 3).
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/status_code.h"

namespace parley {

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string reason;

  static Status ok() { return {}; }
  bool isOk() const { return isSuccess(code); }
};

inline Status error(StatusCode code, std::string reason = {}) {
  return Status{code, std::move(reason)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The failure; only meaningful when !ok().
  const Status& status() const { return std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

// Result<void>: just a status.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool ok() const { return status_.isOk(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }

 private:
  Status status_;
};

using VoidResult = Result<void>;

}  // namespace parley
