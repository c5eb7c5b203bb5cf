#include "chaos/interrupt.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace parley::chaos {
namespace {

std::atomic<bool> interrupted_flag{false};

void onSignal(int signal) {
  if (interrupted_flag.exchange(true)) {
    ::signal(signal, SIG_DFL);
    ::raise(signal);
  }
}

}  // namespace

void installInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return interrupted_flag.load(); }

bool sleepUnlessInterrupted(std::chrono::steady_clock::duration duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!interrupted()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(50)));
  }
  return false;
}

}  // namespace parley::chaos
