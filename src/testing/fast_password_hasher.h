#pragma once
// Password hashing that costs next to nothing, for tests that only need hashes to exist.
#include "core/password_hasher.h"

namespace parley::testing {

// libsodium's minimum Argon2id limits, far below the production defaults.
inline PasswordHasherOptions fastPasswordHasherOptions(
    PasswordAlgorithm algorithm = PasswordAlgorithm::kArgon2id) {
  PasswordHasherOptions options;
  options.algorithm = algorithm;
  options.argon2_ops_limit = 1;
  options.argon2_mem_limit_kib = 8;
  return options;
}

}  // namespace parley::testing
