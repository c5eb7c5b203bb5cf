#include "core/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace parley {
namespace {

// The name a new thread shows after naming itself `name`.
std::string shownAfterNaming(const std::string& name) {
  std::string shown;
  std::thread([&] {
    nameThisThread(name);
    shown = thisThreadName();
  }).join();
  return shown;
}

TEST(ThreadNameTest, TheKernelShowsTheName) {
  EXPECT_EQ(shownAfterNaming("sqlite-writer"), "sqlite-writer");
}

TEST(ThreadNameTest, ALongNameIsCutToWhatLinuxKeeps) {
  EXPECT_EQ(shownAfterNaming("a-name-longer-than-fifteen"), "a-name-longer-t");
}

}  // namespace
}  // namespace parley
