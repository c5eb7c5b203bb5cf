#include "core/thread_name.h"

#include <pthread.h>

namespace parley {
namespace {
constexpr size_t kMaxNameChars = 15;  // TASK_COMM_LEN minus the terminating zero
}  // namespace

void nameThisThread(const std::string& name) {
  // Best effort: a thread without a name works the same.
  (void)pthread_setname_np(pthread_self(), name.substr(0, kMaxNameChars).c_str());
}

}  // namespace parley
