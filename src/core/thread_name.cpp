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

std::string thisThreadName() {
  // For the calling thread glibc asks the kernel (prctl PR_GET_NAME).
  char name[kMaxNameChars + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "";
  return name;
}

}  // namespace parley
