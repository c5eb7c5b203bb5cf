#pragma once
// One trial: traffic, one fault, the heal measured, then every check counted. A trial never
// aborts the run: whatever fails is counted, and the harness' own trouble (a server that does not
// come back) is recorded as the trial's error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chaos/chaos_options.h"
#include "chaos/deployment.h"
#include "chaos/ledger.h"
#include "chaos/message_check.h"
#include "chaos/traffic.h"

namespace parley::chaos {

struct TrialResult {
  Fault fault = Fault::kNodeKill;
  int number = 0;  // in the run, from 1; the Ledger's trial number
  MessageCounts messages;
  int64_t presence_misses = 0;   // users connected but not shown online after the heal
  int64_t ghosts = 0;            // users shown online on a device with no connection for a TTL
  int64_t earlier_ghosts = 0;    // ghosts of earlier trials still shown (counted there)
  int64_t unjudged_ghosts = 0;   // shown without a connection that closed too recently to judge
  int64_t dropped_sessions = 0;  // connections closed although their node stayed up
  // From the fault to the first moment, once the fault's action was over (restart done,
  // failover done), at which every live node shows every connected device on its node.
  std::optional<double> heal_seconds;
  // Node kills: from the kill until every device of the dead node is connected to another node
  // and shown there by every live node.
  std::optional<double> users_back_seconds;
  std::string error;  // the harness could not inject the fault or bring the deployment back
  std::string notes;
  std::vector<std::string> examples;

  // Whether any count that must be zero is not.
  bool failed() const;
};

class TrialRunner {
 public:
  TrialRunner(const Options& options, Deployment& deployment, Ledger& ledger, Traffic& traffic);

  TrialResult run(Fault fault, int number);

 private:
  // Performs the fault's action; returns once it is over (the heal's starting point).
  void inject(Fault fault, TrialResult& result, TimePoint fault_at);
  // Node kill: until every device of the dead node is connected elsewhere and shown there.
  void awaitUsersBack(size_t dead_node, TrialResult& result, TimePoint fault_at);

  const Options& options_;
  Deployment& deployment_;
  Ledger& ledger_;
  Traffic& traffic_;
  MessageChecker checker_;
  size_t next_node_victim_ = 0;
};

}  // namespace parley::chaos
