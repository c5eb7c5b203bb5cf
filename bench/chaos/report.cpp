#include "chaos/report.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <optional>

namespace parley::chaos {
namespace {

namespace json = boost::json;

constexpr size_t kFailuresShownPerFault = 3;
constexpr size_t kExamplesShownPerTrial = 6;

std::string seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// "median (max)" over the trials that have the figure, "–" when none, with the count of trials
// that never got there.
std::string figure(const std::vector<const TrialResult*>& trials,
                   std::optional<double> TrialResult::*member, bool only_node_kills = false) {
  std::vector<double> values;
  size_t never = 0;
  for (const TrialResult* trial : trials) {
    if (only_node_kills && trial->fault != Fault::kNodeKill) continue;
    if (trial->*member) {
      values.push_back(*(trial->*member));
    } else {
      ++never;
    }
  }
  std::string text = "–";
  if (!values.empty()) {
    std::sort(values.begin(), values.end());
    text = seconds(values[(values.size() - 1) / 2]) + " (" + seconds(values.back()) + ")";
  }
  if (never > 0) text += ", " + std::to_string(never) + " never";
  return text;
}

// "p50 / p99" of the acknowledgement times of these trials, in ms.
std::string ackPercentiles(const std::vector<const TrialResult*>& trials) {
  std::vector<double> all;
  for (const TrialResult* trial : trials) {
    all.insert(all.end(), trial->messages.ack_millis.begin(), trial->messages.ack_millis.end());
  }
  if (all.empty()) return "–";
  std::sort(all.begin(), all.end());
  auto at = [&](double q) {
    return std::to_string(static_cast<int64_t>(all[static_cast<size_t>(q * (all.size() - 1))]));
  };
  return at(0.5) + " / " + at(0.99);
}

template <typename Get>
int64_t total(const std::vector<const TrialResult*>& trials, Get get) {
  int64_t sum = 0;
  for (const TrialResult* trial : trials) sum += get(*trial);
  return sum;
}

std::vector<const TrialResult*> trialsOf(const RunReport& report, Fault fault) {
  std::vector<const TrialResult*> trials;
  for (const TrialResult& trial : report.trials) {
    if (trial.fault == fault) trials.push_back(&trial);
  }
  return trials;
}

std::string failureCounts(const TrialResult& t) {
  const MessageCounts& m = t.messages;
  std::string text;
  auto add = [&](const char* name, int64_t value) {
    if (value != 0) text += (text.empty() ? "" : ", ") + std::to_string(value) + " " + name;
  };
  add("lost", m.lost);
  add("duplicated", m.duplicated);
  add("regressions", m.regressions);
  add("sequence mismatches", m.sequence_mismatches);
  add("pushes missed", m.pushes_missed);
  add("ghosts", t.ghosts);
  add("presence misses", t.presence_misses);
  add("dropped sessions", t.dropped_sessions);
  add("unverified", m.unverified);
  if (!t.error.empty()) text += (text.empty() ? "" : ", ") + std::string("error: ") + t.error;
  return text;
}

}  // namespace

std::string trialLine(const TrialResult& t) {
  const MessageCounts& m = t.messages;
  std::string line = "trial " + std::to_string(t.number) + " " + std::string(faultName(t.fault)) +
                     ": acked " + std::to_string(m.acknowledged) + "/" + std::to_string(m.sent);
  line += ", heal " + (t.heal_seconds ? seconds(*t.heal_seconds) + " s" : std::string("never"));
  if (t.fault == Fault::kNodeKill) {
    line += ", users back " +
            (t.users_back_seconds ? seconds(*t.users_back_seconds) + " s" : std::string("never"));
  }
  line += t.failed() ? " FAIL: " + failureCounts(t) : " ok";
  if (!t.notes.empty()) line += " [" + t.notes + "]";
  return line;
}

std::string markdownReport(const RunReport& report) {
  const Options& o = *report.options;
  std::string md;
  md += "Redis: " + report.redis_description + "; " + std::to_string(o.nodes) +
        " Parley nodes, FerretDB; " + std::to_string(o.users) + " users at " +
        seconds(o.messages_per_second) + " messages/s (" +
        std::to_string(static_cast<int>(o.group_share * 100)) + "% to groups); session TTL " +
        std::to_string(o.session_ttl_seconds) + " s, node heartbeat " +
        std::to_string(o.heartbeat_millis) + " ms, node stale after " +
        std::to_string(o.stale_after_millis) + " ms.\n\n";
  md +=
      "| fault | trials | acked | lost | duplicated | regressions | seq ≠ push | pushes missed "
      "| ghosts | presence misses | dropped sessions | errors | heal s, median (max) | "
      "users back s, median (max) |\n";
  md += "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--|--|\n";
  for (const Fault fault : o.faults) {
    const auto skipped = std::find_if(report.skipped.begin(), report.skipped.end(),
                                      [&](const auto& entry) { return entry.first == fault; });
    if (skipped != report.skipped.end()) {
      md += "| " + std::string(faultName(fault)) + " | skipped: " + skipped->second +
            " | | | | | | | | | | | | |\n";
      continue;
    }
    const auto trials = trialsOf(report, fault);
    auto sum = [&](auto get) { return std::to_string(total(trials, get)); };
    md += "| " + std::string(faultName(fault)) + " | " + std::to_string(trials.size()) + " | " +
          sum([](const TrialResult& t) { return t.messages.acknowledged; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.lost; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.duplicated; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.regressions; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.sequence_mismatches; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.pushes_missed; }) + " | " +
          sum([](const TrialResult& t) { return t.ghosts; }) + " | " +
          sum([](const TrialResult& t) { return t.presence_misses; }) + " | " +
          sum([](const TrialResult& t) { return t.dropped_sessions; }) + " | " +
          sum([](const TrialResult& t) {
            return t.messages.unverified + (t.error.empty() ? 0 : 1);
          }) +
          " | " + figure(trials, &TrialResult::heal_seconds) + " | " +
          (fault == Fault::kNodeKill ? figure(trials, &TrialResult::users_back_seconds, true)
                                     : std::string("")) +
          " |\n";
  }
  md += "\nNot failures, for context:\n\n";
  md +=
      "| fault | sent | ack ms p50 / p99 | refused (error code) | unanswered | "
      "stored unacknowledged | duplicate pushes | shown without a connection, too recent to "
      "judge | ghosts of earlier trials still shown |\n";
  md += "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Fault fault : o.faults) {
    const auto trials = trialsOf(report, fault);
    if (trials.empty()) continue;
    auto sum = [&](auto get) { return std::to_string(total(trials, get)); };
    md += "| " + std::string(faultName(fault)) + " | " +
          sum([](const TrialResult& t) { return t.messages.sent; }) + " | " +
          ackPercentiles(trials) + " | " +
          sum([](const TrialResult& t) { return t.messages.refused; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.unanswered; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.stored_unacknowledged; }) + " | " +
          sum([](const TrialResult& t) { return t.messages.duplicate_pushes; }) + " | " +
          sum([](const TrialResult& t) { return t.unjudged_ghosts; }) + " | " +
          sum([](const TrialResult& t) { return t.earlier_ghosts; }) + " |\n";
  }
  bool any_failure = false;
  for (const Fault fault : o.faults) {
    size_t shown = 0;
    for (const TrialResult* trial : trialsOf(report, fault)) {
      if (!trial->failed() || shown == kFailuresShownPerFault) continue;
      if (!any_failure) md += "\nFirst failures of each fault (times relative to the fault):\n\n";
      any_failure = true;
      ++shown;
      md += "- trial " + std::to_string(trial->number) + ", " + std::string(faultName(fault)) +
            ": " + failureCounts(*trial) + "\n";
      for (size_t i = 0; i < trial->examples.size() && i < kExamplesShownPerTrial; ++i) {
        md += "  - " + trial->examples[i] + "\n";
      }
    }
  }
  if (!report.run_error.empty()) md += "\nThe run stopped early: " + report.run_error + "\n";
  if (report.interrupted) md += "\nThe run was interrupted.\n";
  return md;
}

std::string jsonReport(const RunReport& report) {
  const Options& o = *report.options;
  json::object options{{"topology", std::string(topologyName(o.topology))},
                       {"nodes", o.nodes},
                       {"users", o.users},
                       {"messages_per_second", o.messages_per_second},
                       {"group_share", o.group_share},
                       {"trials_per_fault", o.trials},
                       {"seed", o.seed},
                       {"session_ttl_seconds", o.session_ttl_seconds},
                       {"heartbeat_millis", o.heartbeat_millis},
                       {"stale_after_millis", o.stale_after_millis},
                       {"cluster_node_timeout_millis", o.cluster_node_timeout_millis}};
  json::array trials;
  for (const TrialResult& t : report.trials) {
    const MessageCounts& m = t.messages;
    json::object trial{{"number", t.number},
                       {"fault", std::string(faultName(t.fault))},
                       {"failed", t.failed()},
                       {"sent", m.sent},
                       {"acknowledged", m.acknowledged},
                       {"refused", m.refused},
                       {"unanswered", m.unanswered},
                       {"lost", m.lost},
                       {"duplicated", m.duplicated},
                       {"regressions", m.regressions},
                       {"sequence_mismatches", m.sequence_mismatches},
                       {"pushes_missed", m.pushes_missed},
                       {"duplicate_pushes", m.duplicate_pushes},
                       {"stored_unacknowledged", m.stored_unacknowledged},
                       {"unverified", m.unverified},
                       {"ghosts", t.ghosts},
                       {"unjudged_ghosts", t.unjudged_ghosts},
                       {"earlier_ghosts", t.earlier_ghosts},
                       {"ack_millis_p50_p99", ackPercentiles({&t})},
                       {"presence_misses", t.presence_misses},
                       {"dropped_sessions", t.dropped_sessions},
                       {"error", t.error},
                       {"notes", t.notes}};
    trial["heal_seconds"] = t.heal_seconds ? json::value(*t.heal_seconds) : json::value(nullptr);
    trial["users_back_seconds"] =
        t.users_back_seconds ? json::value(*t.users_back_seconds) : json::value(nullptr);
    json::array examples;
    for (const std::string& example : t.examples) examples.emplace_back(example);
    trial["examples"] = std::move(examples);
    trials.emplace_back(std::move(trial));
  }
  json::array skipped;
  for (const auto& [fault, reason] : report.skipped) {
    skipped.emplace_back(
        json::object{{"fault", std::string(faultName(fault))}, {"reason", reason}});
  }
  json::object document{{"options", std::move(options)}, {"redis", report.redis_description},
                        {"trials", std::move(trials)},   {"skipped", std::move(skipped)},
                        {"run_error", report.run_error}, {"interrupted", report.interrupted},
                        {"failed", anyFailure(report)}};
  return json::serialize(document);
}

bool anyFailure(const RunReport& report) {
  if (!report.run_error.empty() || report.interrupted) return true;
  return std::any_of(report.trials.begin(), report.trials.end(),
                     [](const TrialResult& trial) { return trial.failed(); });
}

}  // namespace parley::chaos
