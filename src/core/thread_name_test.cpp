#include "core/thread_name.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

namespace parley {
namespace {

// What `top -H` and `ps -L` show: the kernel's record of the thread, not our own copy.
std::string kernelName() {
  std::ifstream comm("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadNameTest, TheKernelShowsTheName) {
  std::string seen;
  std::thread([&] {
    nameThisThread("sqlite-writer");
    seen = kernelName();
  }).join();
  EXPECT_EQ(seen, "sqlite-writer");
}

TEST(ThreadNameTest, ALongNameIsCutToWhatLinuxKeeps) {
  std::string seen;
  std::thread([&] {
    nameThisThread("a-name-longer-than-fifteen");
    seen = kernelName();
  }).join();
  EXPECT_EQ(seen, "a-name-longer-t");
}

}  // namespace
}  // namespace parley
