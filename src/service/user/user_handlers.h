#pragma once
// User-domain request handlers: profiles, profile updates, online statuses.
#include "service/dispatcher.h"

namespace parley {

class Clock;
class PasswordHasher;
class SessionControl;
class SessionRegistry;
class UserRepository;

struct UserHandlerDeps {
  UserRepository& users;
  SessionRegistry& sessions;
  SessionControl& session_control;
  const PasswordHasher& hasher;
  const Clock& clock;
};

void registerUserHandlers(Dispatcher& dispatcher, UserHandlerDeps deps);

}  // namespace parley
