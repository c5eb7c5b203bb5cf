// parley-chaos: starts Parley nodes sharing FerretDB and a Redis topology, drives private and
// group traffic through Turms clients that record every acknowledgement and push, injects one
// fault per trial and counts what the self-healing promise says must never happen (docs/
// cluster.md, "What happens when"). bench/chaos.sh runs it per topology and writes
// bench/CHAOS.md; a short run is the ctest `chaos_smoke`.
//
// Exit status: 0 when every count is zero, 1 when one is not, 2 when the run could not start or
// went on (bad options, a server that does not start), 130 when interrupted.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "chaos/chaos_options.h"
#include "chaos/deployment.h"
#include "chaos/interrupt.h"
#include "chaos/ledger.h"
#include "chaos/report.h"
#include "chaos/traffic.h"
#include "chaos/trial.h"
#include "testing/ferretdb_process.h"

namespace parley::chaos {
namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// Brings back whatever a trial left down, so that the next trial starts from a whole deployment.
// Throws when that fails: the run cannot go on.
void restoreDeployment(Deployment& deployment, Traffic& traffic, const Options& options) {
  if (!deployment.ferretDb().running()) deployment.ferretDb().start();
  deployment.redis().repair();
  deployment.repairNodes();
  if (!traffic.awaitConnected(std::chrono::seconds(options.heal_deadline_seconds))) {
    throw std::runtime_error("the clients could not all log in again within " +
                             std::to_string(options.heal_deadline_seconds) + " s");
  }
}

void runTrials(const Options& options, const std::filesystem::path& work_dir, RunReport& report) {
  Ledger ledger;
  Deployment deployment(options, work_dir);
  report.redis_description = deployment.redis().describe();
  Traffic traffic(options, ledger, deployment.nodes());
  traffic.setUp();
  std::cout << "parley-chaos: " << options.nodes << " nodes on " << report.redis_description << ", "
            << options.users << " users; work dir " << work_dir.string() << std::endl;

  TrialRunner runner(options, deployment, ledger, traffic);
  std::vector<Fault> faults;
  for (const Fault fault : options.faults) {
    std::string reason(whyNotApplicable(fault, options.topology));
    if (reason.empty() && fault == Fault::kNodeKill && options.nodes < 2) {
      reason = "needs two nodes";
    }
    if (reason.empty()) {
      faults.push_back(fault);
    } else {
      report.skipped.emplace_back(fault, reason);
    }
  }
  int number = 0;
  for (int round = 0; round < options.trials && !interrupted(); ++round) {
    for (const Fault fault : faults) {
      if (interrupted()) break;
      TrialResult result = runner.run(fault, ++number);
      std::cout << trialLine(result) << std::endl;
      if (options.verbose) {
        for (const auto& example : result.examples) std::cout << "  " << example << '\n';
      }
      report.trials.push_back(std::move(result));
      try {
        restoreDeployment(deployment, traffic, options);
      } catch (const std::exception& e) {
        report.run_error = "after trial " + std::to_string(number) + ": " + e.what();
        return;
      }
    }
  }
  // Connections that dropped after their trial's own count (while the deployment was restored).
  std::map<int, int64_t> dropped;
  for (const EpochRecord& epoch : ledger.epochs()) {
    if (epoch.cause == CloseCause::kDropped) ++dropped[epoch.closed_in_trial];
  }
  for (TrialResult& result : report.trials) result.dropped_sessions = dropped[result.number];
}

int run(int argc, char** argv) {
  Options options;
  std::string topology = "single";
  std::string faults = "all";
  std::string markdown_out;
  bool keep_work_dir = false;
  CLI::App app{"parley-chaos: fault injection against Parley nodes sharing FerretDB and Redis"};
  app.add_option("--topology", topology, "single | shards3 | cluster3r1");
  app.add_option(
      "--faults", faults,
      "comma-separated: none (a control trial), node-kill, flushall, redis-restart-empty, "
      "redis-restart-older-copy, cluster-failover, ferretdb-restart; or all");
  app.add_option("--trials", options.trials, "trials of each fault")->check(CLI::PositiveNumber);
  app.add_option("--nodes", options.nodes, "Parley nodes")->check(CLI::Range(1, 9));
  app.add_option("--users", options.users, "users")->check(CLI::Range(6, 1000));
  app.add_option("--rate", options.messages_per_second, "messages per second, all senders")
      ->check(CLI::PositiveNumber);
  app.add_option("--group-share", options.group_share, "share of messages sent to groups")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", options.seed, "random seed");
  app.add_option("--session-ttl", options.session_ttl_seconds, "seconds (idle close, TTL)")
      ->check(CLI::Range(3, 600));
  app.add_option("--heartbeat-ms", options.heartbeat_millis, "cluster heartbeat interval");
  app.add_option("--stale-ms", options.stale_after_millis, "node stale after");
  app.add_option("--cluster-node-timeout-ms", options.cluster_node_timeout_millis,
                 "Redis Cluster node timeout");
  app.add_option("--warmup-ms", options.warmup_millis, "traffic before each fault");
  app.add_option("--settle-ms", options.settle_millis, "traffic after each fault");
  app.add_option("--ferretdb-outage-ms", options.ferretdb_outage_millis,
                 "how long FerretDB stays stopped");
  app.add_option("--heal-deadline", options.heal_deadline_seconds,
                 "seconds allowed for anything to come back");
  app.add_option("--push-wait-ms", options.push_wait_millis, "how long a push may take");
  app.add_option("--parley", options.parley_binary, "the parley binary (default: this build's)");
  app.add_option("--parley-arg", options.parley_args,
                 "a flag for every node, e.g. --parley-arg=--redis-sequence-reseed-gap=0 "
                 "(repeatable; after the harness' own, so it overrides them)");
  app.add_option("--work-dir", options.work_dir,
                 "node directories and logs (default: a temp dir, removed unless a trial failed)");
  app.add_flag("--keep-work-dir", keep_work_dir, "keep the work dir even when every trial passed");
  app.add_option("--json-out", options.json_out, "write every trial as JSON here");
  app.add_option("--markdown-out", markdown_out, "write the tables as Markdown here");
  app.add_flag("--verbose", options.verbose, "print each failure's examples as it happens");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const auto parsed_topology = parseTopology(topology);
  if (!parsed_topology) {
    std::cerr << "parley-chaos: unknown topology '" << topology << "'\n";
    return 2;
  }
  options.topology = *parsed_topology;
  if (faults != "all") {
    options.faults.clear();
    for (const std::string& name : split(faults)) {
      const auto fault = parseFault(name);
      if (!fault) {
        std::cerr << "parley-chaos: unknown fault '" << name << "'\n";
        return 2;
      }
      options.faults.push_back(*fault);
    }
  }

  installInterruptHandlers();
  std::filesystem::path work_dir = options.work_dir;
  bool remove_work_dir = false;
  if (work_dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-chaos-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "parley-chaos: mkdtemp failed\n";
      return 2;
    }
    work_dir = pattern;
    remove_work_dir = !keep_work_dir;
  }
  std::filesystem::create_directories(work_dir);

  RunReport report;
  report.options = &options;
  bool setup_failed = false;
  try {
    runTrials(options, work_dir, report);
  } catch (const std::exception& e) {
    report.run_error = e.what();
    setup_failed = report.trials.empty();
    std::cerr << "parley-chaos: " << e.what() << '\n';
  }
  report.interrupted = interrupted();

  const std::string markdown = markdownReport(report);
  std::cout << '\n' << markdown;
  if (!markdown_out.empty()) std::ofstream(markdown_out) << markdown;
  if (!options.json_out.empty()) std::ofstream(options.json_out) << jsonReport(report) << '\n';
  const bool failed = anyFailure(report);
  if (remove_work_dir && !failed) {
    std::error_code ignored;
    std::filesystem::remove_all(work_dir, ignored);
  } else {
    std::cout << "\nnode logs: " << work_dir.string() << '\n';
  }
  if (report.interrupted) return 130;
  if (setup_failed) return 2;
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace parley::chaos

int main(int argc, char** argv) { return parley::chaos::run(argc, argv); }
