#include "parley_bench/scenario.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>

namespace parley::bench {

namespace {

constexpr int kSocketsPerWorker = 15000;
constexpr int kMaxWorkers = 64;

bool parseNumber(std::string_view text, double* out) {
  if (text.empty()) return false;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return false;
  if (!std::isfinite(value)) return false;
  *out = value;
  return true;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string badValue(std::string_view key, std::string_view value, std::string_view expected) {
  return "bad value '" + std::string(value) + "' for " + std::string(key) + ": expected " +
         std::string(expected);
}

// Setters by key. Each returns an error message or "".
using Setter = std::function<std::string(std::string_view key, std::string_view value, Scenario*)>;

// For int and int64_t fields alike.
template <typename Int>
Setter wholeNumberSetter(Int Scenario::*field, double min, double max) {
  return [=](std::string_view key, std::string_view value, Scenario* s) -> std::string {
    double number = 0;
    if (!parseCount(value, &number) || number != std::floor(number) || number < min ||
        number > max) {
      return badValue(key, value,
                      "a whole number from " + std::to_string(static_cast<int64_t>(min)) + " to " +
                          std::to_string(static_cast<int64_t>(max)));
    }
    s->*field = static_cast<Int>(number);
    return "";
  };
}

Setter rateSetter(double Scenario::*field) {
  return [=](std::string_view key, std::string_view value, Scenario* s) -> std::string {
    double number = 0;
    if (!parseCount(value, &number) || number < 0 || number > 1e8) {
      return badValue(key, value, "a rate per second from 0 to 100m");
    }
    s->*field = number;
    return "";
  };
}

Setter durationSetter(double Scenario::*field, double min, double max) {
  return [=](std::string_view key, std::string_view value, Scenario* s) -> std::string {
    double seconds = 0;
    if (!parseDurationSeconds(value, &seconds) || seconds < min || seconds > max) {
      return badValue(key, value,
                      "a duration (e.g. 10s, 500ms, 2min) from " + std::to_string(min) + " to " +
                          std::to_string(max) + " seconds");
    }
    s->*field = seconds;
    return "";
  };
}

const std::map<std::string, Setter, std::less<>>& setters() {
  static const std::map<std::string, Setter, std::less<>> table = {
      {"sessions", wholeNumberSetter(&Scenario::sessions, 1, 1'000'000)},
      {"first_user_id", wholeNumberSetter(&Scenario::first_user_id, 1, 1e15)},
      {"login_rate", rateSetter(&Scenario::login_rate)},
      {"login_concurrency", wholeNumberSetter(&Scenario::login_concurrency, 1, 20'000)},
      {"duration", durationSetter(&Scenario::duration_seconds, 0, 24 * 3600)},
      {"login_timeout", durationSetter(&Scenario::login_timeout_seconds, 0, 24 * 3600)},
      {"rate", rateSetter(&Scenario::rate)},
      {"inflight", wholeNumberSetter(&Scenario::inflight, 0, 10'000'000)},
      {"message_bytes", wholeNumberSetter(&Scenario::message_bytes, 24, 15'000)},
      {"group_size", wholeNumberSetter(&Scenario::group_size, 2, 1'000'000)},
      {"workers", wholeNumberSetter(&Scenario::workers, 0, kMaxWorkers)},
      {"heartbeat", durationSetter(&Scenario::heartbeat_seconds, 0, 3600)},
      {"drain", durationSetter(&Scenario::drain_seconds, 0, 600)},
      {"max_duration", durationSetter(&Scenario::max_seconds, 1, 24 * 3600)},
      {"max_messages", wholeNumberSetter(&Scenario::max_messages, 0, 1e12)},
      {"source_addresses", wholeNumberSetter(&Scenario::source_addresses, 1, 65'000)},
      {"failover_port", wholeNumberSetter(&Scenario::failover_port, 1, 65'535)},
      {"password",
       [](std::string_view, std::string_view value, Scenario* s) -> std::string {
         s->password = std::string(value);
         return "";
       }},
      {"tls_ca",
       [](std::string_view, std::string_view value, Scenario* s) -> std::string {
         s->tls_ca = std::string(value);
         return "";
       }},
      {"transport",
       [](std::string_view key, std::string_view value, Scenario* s) -> std::string {
         if (value == "ws" || value == "websocket") {
           s->transport = Transport::kWebSocket;
         } else if (value == "tcp") {
           s->transport = Transport::kTcp;
         } else {
           return badValue(key, value, "ws or tcp");
         }
         return "";
       }},
  };
  return table;
}

bool kindOf(std::string_view name, ScenarioKind* kind) {
  static const std::map<std::string, ScenarioKind, std::less<>> kinds = {
      {"idle", ScenarioKind::kIdle},         {"login", ScenarioKind::kLogin},
      {"private", ScenarioKind::kPrivate},   {"group", ScenarioKind::kGroup},
      {"failover", ScenarioKind::kFailover},
  };
  auto it = kinds.find(name);
  if (it == kinds.end()) return false;
  *kind = it->second;
  return true;
}

std::string applyPair(std::string_view pair, Scenario* out) {
  const auto eq = pair.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return "expected key=value, got '" + std::string(pair) + "'";
  }
  return applyScenarioOption(pair.substr(0, eq), pair.substr(eq + 1), out);
}

}  // namespace

const char* scenarioName(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::kIdle:
      return "idle";
    case ScenarioKind::kLogin:
      return "login";
    case ScenarioKind::kPrivate:
      return "private";
    case ScenarioKind::kGroup:
      return "group";
    case ScenarioKind::kFailover:
      return "failover";
  }
  return "?";
}

const char* transportName(Transport transport) {
  return transport == Transport::kWebSocket ? "ws" : "tcp";
}

bool parseCount(std::string_view text, double* out) {
  double multiplier = 1;
  if (endsWith(text, "k") || endsWith(text, "K")) {
    multiplier = 1e3;
    text.remove_suffix(1);
  } else if (endsWith(text, "m") || endsWith(text, "M")) {
    multiplier = 1e6;
    text.remove_suffix(1);
  }
  double value = 0;
  if (!parseNumber(text, &value)) return false;
  *out = value * multiplier;
  return true;
}

bool parseDurationSeconds(std::string_view text, double* out) {
  double multiplier = 1;
  if (endsWith(text, "ms")) {
    multiplier = 1e-3;
    text.remove_suffix(2);
  } else if (endsWith(text, "min")) {
    multiplier = 60;
    text.remove_suffix(3);
  } else if (endsWith(text, "s")) {
    text.remove_suffix(1);
  }
  double value = 0;
  if (!parseNumber(text, &value) || value < 0) return false;
  *out = value * multiplier;
  return true;
}

std::string applyScenarioOption(std::string_view key, std::string_view value, Scenario* out) {
  const auto& table = setters();
  auto it = table.find(key);
  if (it == table.end()) {
    std::string known;
    for (const auto& [name, setter] : table) known += (known.empty() ? "" : ", ") + name;
    return "unknown key '" + std::string(key) + "' (known: " + known + ")";
  }
  return it->second(key, value, out);
}

std::string parseScenario(const std::vector<std::string>& args, Scenario* out) {
  if (args.empty()) return "missing scenario name (idle, login, private, group or failover)";
  Scenario scenario;
  std::string_view head = args[0];
  std::string_view inline_options;
  if (const auto colon = head.find(':'); colon != std::string_view::npos) {
    inline_options = head.substr(colon + 1);
    head = head.substr(0, colon);
  }
  if (!kindOf(head, &scenario.kind)) {
    return "unknown scenario '" + std::string(head) + "' (idle, login, private, group or failover)";
  }
  while (!inline_options.empty()) {
    const auto comma = inline_options.find(',');
    const std::string_view pair = inline_options.substr(0, comma);
    if (auto error = applyPair(pair, &scenario); !error.empty()) return error;
    inline_options =
        comma == std::string_view::npos ? std::string_view() : inline_options.substr(comma + 1);
  }
  for (size_t i = 1; i < args.size(); ++i) {
    if (auto error = applyPair(args[i], &scenario); !error.empty()) return error;
  }
  if (auto error = validateScenario(scenario); !error.empty()) return error;
  *out = std::move(scenario);
  return "";
}

std::string validateScenario(const Scenario& s) {
  if (s.kind == ScenarioKind::kPrivate && s.sessions < 2) {
    return "the private scenario needs at least 2 sessions";
  }
  if (s.kind == ScenarioKind::kGroup && s.group_size > s.sessions) {
    return "group_size (" + std::to_string(s.group_size) + ") must not exceed sessions (" +
           std::to_string(s.sessions) + ")";
  }
  if (s.kind == ScenarioKind::kFailover && s.failover_port == 0) {
    return "the failover scenario needs failover_port (where dropped sessions log in again)";
  }
  if (s.workers > s.sessions) {
    return "workers (" + std::to_string(s.workers) + ") must not exceed sessions (" +
           std::to_string(s.sessions) + ")";
  }
  if (s.login_timeout_seconds >= s.max_seconds) return "login_timeout must be below max_duration";
  if (s.duration_seconds + s.drain_seconds >= s.max_seconds) {
    return "duration + drain must be below max_duration";
  }
  return "";
}

int effectiveWorkers(const Scenario& scenario) {
  if (scenario.workers > 0) return scenario.workers;
  const int needed = (scenario.sessions + kSocketsPerWorker - 1) / kSocketsPerWorker;
  return std::max(1, std::min(needed, kMaxWorkers));
}

}  // namespace parley::bench
