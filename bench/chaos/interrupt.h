#pragma once
// Ctrl-C and SIGTERM: the run stops at the next step (its waits are short), every process it
// started is stopped on the way out and the table so far is still printed. A second signal ends
// the program at once; the servers it started die with it (they were started with a death
// signal).
#include <chrono>

namespace parley::chaos {

void installInterruptHandlers();
bool interrupted();
// Sleeps, returning early (false) once interrupted.
bool sleepUnlessInterrupted(std::chrono::steady_clock::duration duration);

}  // namespace parley::chaos
