#pragma once
// One parley-bench worker process: owns a contiguous slice of the sessions on one
// single-threaded io_context, follows the coordinator's phases through SharedState and, at the
// end, writes its counters and histograms as one JSON line to results_fd.
#include <cstdint>
#include <string>

#include "parley_bench/scenario.h"
#include "parley_bench/shared_state.h"

namespace parley::bench {

struct WorkerConfig {
  Scenario scenario;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int index = 0;          // this worker, 0-based
  int count = 1;          // workers in the run
  int session_begin = 0;  // global session indexes [session_begin, session_end)
  int session_end = 0;
  int results_fd = -1;
};

// Runs until the coordinator moves to Phase::kReport (or the scenario's max_duration passes);
// returns the process exit code.
int runWorker(const WorkerConfig& config, SharedState& shared);

}  // namespace parley::bench
