#pragma once
// The run's results: one line per trial as it ends, and at the end a table per fault (the counts
// that must be zero, the heal times) as Markdown for bench/CHAOS.md, plus every trial as JSON.
#include <string>
#include <utility>
#include <vector>

#include "chaos/chaos_options.h"
#include "chaos/trial.h"

namespace parley::chaos {

struct RunReport {
  const Options* options = nullptr;
  std::string redis_description;
  std::vector<TrialResult> trials;
  std::vector<std::pair<Fault, std::string>> skipped;  // with the reason
  std::string run_error;  // the run stopped early because the harness could not go on
  bool interrupted = false;
};

std::string trialLine(const TrialResult& trial);
// The tables (counts, then the figures that are no failure) and the first failures' details.
std::string markdownReport(const RunReport& report);
std::string jsonReport(const RunReport& report);
// Whether any trial failed or the run could not complete.
bool anyFailure(const RunReport& report);

}  // namespace parley::chaos
