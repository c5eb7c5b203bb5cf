#include "chaos/trial.h"

#include <algorithm>
#include <set>

#include "chaos/interrupt.h"
#include "chaos/presence.h"
#include "testing/ferretdb_process.h"

namespace parley::chaos {
namespace {

using namespace std::chrono_literals;

constexpr auto kPresencePollInterval = 200ms;

double secondsBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

int64_t unixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Devices that should be connected all the time (not the churning ones) but are not: their
// users count as not shown online.
std::set<int64_t> usersNotConnected(Traffic& traffic, std::vector<std::string>* examples) {
  std::set<int64_t> users;
  for (DeviceSession* device : traffic.devices()) {
    if (device->role() == DeviceRole::kChurn || device->isOpen()) continue;
    users.insert(device->user());
    if (examples->size() < 5) {
      examples->push_back("user " + std::to_string(device->user()) + " device " +
                          std::to_string(device->device()) + " is not connected (cannot log in?)");
    }
  }
  return users;
}

void addExamples(TrialResult& result, const std::string& prefix,
                 const std::vector<std::string>& examples) {
  for (const std::string& example : examples) {
    if (result.examples.size() < 20) result.examples.push_back(prefix + example);
  }
}

}  // namespace

bool TrialResult::failed() const {
  const MessageCounts& m = messages;
  return !error.empty() || m.lost > 0 || m.duplicated > 0 || m.regressions > 0 ||
         m.sequence_mismatches > 0 || m.pushes_missed > 0 || m.unverified > 0 ||
         presence_misses > 0 || ghosts > 0 || dropped_sessions > 0;
}

TrialRunner::TrialRunner(const Options& options, Deployment& deployment, Ledger& ledger,
                         Traffic& traffic)
    : options_(options),
      deployment_(deployment),
      ledger_(ledger),
      traffic_(traffic),
      checker_(options, ledger, traffic) {}

TrialResult TrialRunner::run(Fault fault, int number) {
  TrialResult result;
  result.fault = fault;
  result.number = number;
  ledger_.setTrial(number);
  const TimePoint trial_start = Clock::now();
  const int64_t start_unix_ms = unixMillisNow();
  const auto heartbeat = std::chrono::milliseconds(options_.heartbeat_millis);

  traffic_.startTrial(number);
  sleepUnlessInterrupted(std::chrono::milliseconds(options_.warmup_millis));
  if (fault == Fault::kRedisRestartOlderCopy) {
    try {
      deployment_.redis().copyData();
    } catch (const std::exception& e) {
      result.error = std::string("copying Redis' files: ") + e.what();
    }
    sleepUnlessInterrupted(std::chrono::milliseconds(options_.older_copy_age_millis));
  }

  const TimePoint fault_at = Clock::now();
  if (result.error.empty()) inject(fault, result, fault_at);
  const TimePoint healed_at = Clock::now();
  traffic_.stopChurn();
  result.notes += deployment_.redis().takeNotes();

  // Presence: polled from the end of the fault's action; the poll judged is the first one at
  // least two heartbeat intervals later (every node has ticked twice by then).
  const auto judge_at = healed_at + 2 * heartbeat;
  const auto presence_deadline = healed_at + std::chrono::seconds(options_.heal_deadline_seconds);
  std::set<int64_t> missing_users;
  bool judged = false;
  while (!interrupted()) {
    const TimePoint asked_at = Clock::now();
    const PresenceReport report = checkPresence(deployment_.nodes(), ledger_, traffic_.users(),
                                                Deployment::adminPassword(), Clock::duration{});
    std::vector<std::string> not_connected_examples;
    const std::set<int64_t> not_connected = usersNotConnected(traffic_, &not_connected_examples);
    const bool all_shown = report.complete && report.missing_users.empty() && not_connected.empty();
    if (all_shown && !result.heal_seconds) result.heal_seconds = secondsBetween(fault_at, asked_at);
    const bool past_deadline = Clock::now() > presence_deadline;
    if (!judged && (asked_at >= judge_at || past_deadline)) {
      judged = true;
      missing_users.insert(report.missing_users.begin(), report.missing_users.end());
      missing_users.insert(not_connected.begin(), not_connected.end());
      addExamples(result, "presence: ", report.examples);
      addExamples(result, "presence: ", not_connected_examples);
    }
    if ((judged && result.heal_seconds) || past_deadline) break;
    sleepUnlessInterrupted(kPresencePollInterval);
  }

  // A cluster primary killed for a failover rejoins as a replica now, with traffic still going.
  if (fault == Fault::kClusterFailover) {
    try {
      deployment_.redis().repair();
    } catch (const std::exception& e) {
      if (result.error.empty())
        result.error = std::string("rejoining the old primary: ") + e.what();
    }
  }
  sleepUnlessInterrupted(healed_at + std::chrono::milliseconds(options_.settle_millis) -
                         Clock::now());
  traffic_.stopSending();

  checker_.checkPushes(number, trial_start, fault_at,
                       std::chrono::milliseconds(options_.push_wait_millis), result.messages);
  checker_.checkStored(number, start_unix_ms, fault_at, result.messages);
  addExamples(result, "", result.messages.examples);

  // Ghosts: a device shown online must have a connection, or have lost it less than one session
  // TTL ago (plus the 1 s the registry allows for clock skew and two heartbeat intervals).
  const auto ghost_after = std::chrono::seconds(options_.session_ttl_seconds) + 1s + 2 * heartbeat;
  sleepUnlessInterrupted(healed_at + ghost_after - Clock::now());
  const PresenceReport final_report =
      checkPresence(deployment_.nodes(), ledger_, traffic_.users(), Deployment::adminPassword(),
                    ghost_after, trial_start);
  result.ghosts = static_cast<int64_t>(final_report.ghost_users.size());
  result.earlier_ghosts = static_cast<int64_t>(final_report.earlier_ghost_users.size());
  result.unjudged_ghosts = final_report.unjudged;
  missing_users.insert(final_report.missing_users.begin(), final_report.missing_users.end());
  addExamples(result, "after one TTL: ", final_report.examples);
  std::vector<std::string> not_connected_examples;
  const std::set<int64_t> not_connected = usersNotConnected(traffic_, &not_connected_examples);
  missing_users.insert(not_connected.begin(), not_connected.end());
  addExamples(result, "after one TTL: ", not_connected_examples);
  result.presence_misses = static_cast<int64_t>(missing_users.size());

  for (const EpochRecord& epoch : ledger_.epochsSince(trial_start)) {
    if (epoch.cause == CloseCause::kDropped && epoch.closed_in_trial == number) {
      ++result.dropped_sessions;
      addExamples(result, "dropped: ",
                  {"user " + std::to_string(epoch.user) + " on " + epoch.node_id + ": " +
                   epoch.close_detail});
    }
  }
  return result;
}

void TrialRunner::inject(Fault fault, TrialResult& result, TimePoint fault_at) {
  try {
    switch (fault) {
      case Fault::kNone:
        break;
      case Fault::kNodeKill: {
        const size_t victim = next_node_victim_++ % deployment_.nodes().size();
        result.notes += "killed " + deployment_.nodes().get(victim).node_id + "; ";
        deployment_.killNode(victim);
        awaitUsersBack(victim, result, fault_at);
        deployment_.startNode(victim);
        break;
      }
      case Fault::kFlushAll:
        deployment_.redis().flushAll();
        break;
      case Fault::kRedisRestartEmpty:
        deployment_.redis().restartEmpty();
        break;
      case Fault::kRedisRestartOlderCopy:
        deployment_.redis().restartFromCopy();
        break;
      case Fault::kClusterFailover:
        deployment_.redis().killPrimaryUntilReplicaTakesOver();
        break;
      case Fault::kFerretDbRestart:
        deployment_.ferretDb().stop();
        sleepUnlessInterrupted(std::chrono::milliseconds(options_.ferretdb_outage_millis));
        deployment_.ferretDb().start();
        break;
    }
  } catch (const std::exception& e) {
    result.error = e.what();
  }
}

void TrialRunner::awaitUsersBack(size_t dead_node, TrialResult& result, TimePoint fault_at) {
  // The devices that were on the dead node and reconnect (churning devices do not count: they
  // come and go anyway).
  std::vector<DeviceSession*> movers;
  for (DeviceSession* device : traffic_.devices()) {
    if (device->role() != DeviceRole::kChurn && device->lastNode() == static_cast<int>(dead_node)) {
      movers.push_back(device);
    }
  }
  const auto deadline = fault_at + std::chrono::seconds(options_.heal_deadline_seconds);
  while (!interrupted() && Clock::now() < deadline) {
    const TimePoint asked_at = Clock::now();
    const bool moved = std::all_of(movers.begin(), movers.end(), [&](DeviceSession* device) {
      return device->isOpen() && device->lastNode() != static_cast<int>(dead_node);
    });
    if (moved) {
      const PresenceReport report = checkPresence(deployment_.nodes(), ledger_, traffic_.users(),
                                                  Deployment::adminPassword(), Clock::duration{});
      const bool shown =
          report.complete && std::none_of(movers.begin(), movers.end(), [&](DeviceSession* device) {
            return report.missing_users.count(device->user()) > 0;
          });
      if (shown) {
        result.users_back_seconds = secondsBetween(fault_at, asked_at);
        return;
      }
    }
    sleepUnlessInterrupted(kPresencePollInterval);
  }
  result.notes += "the dead node's users were not all back within the deadline; ";
}

}  // namespace parley::chaos
