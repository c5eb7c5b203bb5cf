#pragma once
// Handlers report pushes through HandlerResult and never reach sessions themselves; this
// SessionControl counts whatever they reach directly, so tests can assert that nothing did.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "service/session_control.h"

namespace parley::testing {

class RecordingSessionControl final : public SessionControl {
 public:
  void pushToUsers(std::span<const int64_t> user_ids, std::shared_ptr<const std::string>, int64_t,
                   int32_t) override {
    ++direct_pushes;
    directly_pushed_users += static_cast<int>(user_ids.size());
  }
  void closeUserSessions(int64_t, std::span<const int32_t>, int32_t, StatusCode,
                         const std::string&) override {
    ++closes;
  }

  int direct_pushes = 0;          // calls of pushToUsers
  int directly_pushed_users = 0;  // users those calls addressed, in total
  int closes = 0;
};

}  // namespace parley::testing
